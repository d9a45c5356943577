import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from patients.models import Diagnosis, LabResult, Measurement, Patient
from scheduling.models import Site

pytestmark = pytest.mark.django_db

MODELS = (Site, Patient, Diagnosis, Measurement, LabResult)


def _counts():
    return {model.__name__: model.objects.count() for model in (*MODELS, get_user_model())}


def test_it_creates_a_site_users_of_each_role_and_patients_and_prints_the_logins(capsys, settings):
    settings.DEBUG = True

    call_command("seed_demo")

    out = capsys.readouterr().out
    for username in ("manager", "scheduler", "nurse", "insurer"):
        assert username in out
        assert get_user_model().objects.get(username=username).check_password("infusion-demo")
    assert "http://127.0.0.1:8000/admin/" in out
    assert Site.objects.count() == 1
    assert Patient.objects.count() == 10
    assert all(p.measurements.filter(kind="weight").exists() for p in Patient.objects.all())
    assert all(p.lab_results.filter(test="egfr").exists() for p in Patient.objects.all())


def test_running_it_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo", quiet=True)
    first = _counts()

    call_command("seed_demo", quiet=True)

    assert _counts() == first


def test_it_refuses_to_create_known_passwords_outside_development(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    with pytest.raises(Exception, match="Set DEMO_PASSWORD"):
        call_command("seed_demo", quiet=True)
    assert not Patient.objects.exists()
