from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, RiskFlagFactory, WeightFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, scheduler):
    client.force_login(scheduler)
    return client


def _rows(response):
    return [row.pk for row in response.context["cl"].result_list]


def test_it_finds_a_patient_by_mrn_name_or_date_of_birth(staff):
    target = PatientFactory(mrn="MRN-777", family_name="Ferreira", date_of_birth="1958-03-14")
    PatientFactory(family_name="Lindgren", date_of_birth="1990-07-01")

    for term in ("MRN-777", "ferreira", "1958-03-14"):
        assert _rows(staff.get("/admin/patients/patient/", {"q": term})) == [target.pk], term


def test_the_list_shows_the_latest_weight_egfr_and_flags(staff):
    patient = PatientFactory()
    WeightFactory(patient=patient, value="81.3", measured_at=timezone.now() - timedelta(days=2))
    WeightFactory(patient=patient, value="79.0", measured_at=timezone.now() - timedelta(days=90))
    EgfrFactory(patient=patient, value="47")
    RiskFlagFactory(patient=patient, kind="iga_deficiency_antibodies")

    page = staff.get("/admin/patients/patient/").content.decode()

    assert "81.30 kg" in page
    assert "79.00 kg" not in page
    assert ">47 (" in page
    assert "⛔ IgA deficiency with anti-IgA antibodies" in page


def test_the_change_page_has_the_clinical_inlines_and_offers_the_indications(staff):
    patient = DiagnosisFactory(code="G61.81").patient

    page = staff.get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()

    for heading in (
        "Diagnoses",
        "Allergies",
        "Contraindications and risk flags",
        "Measurements",
        "Lab results",
    ):
        assert heading in page
    assert '<datalist id="icd10-indications">' in page
    assert 'value="D69.3"' in page


def test_a_bad_weight_entered_in_the_admin_is_refused_with_the_reason(staff):
    patient = PatientFactory()
    form = {
        "mrn": patient.mrn,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": "1970-05-17",
        "sex": "female",
        "phone": patient.phone,
        "email": patient.email,
        "reminder_channel": "sms",
        "measurements-TOTAL_FORMS": "1",
        "measurements-INITIAL_FORMS": "0",
        "measurements-0-kind": "weight",
        "measurements-0-value": "450",
        "measurements-0-measured_at_0": "2026-01-05",
        "measurements-0-measured_at_1": "10:00",
    }
    for prefix in ("diagnoses", "allergies", "risk_flags", "lab_results"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = staff.post(f"/admin/patients/patient/{patient.pk}/change/", form)

    assert response.status_code == 200
    assert "A weight must be more than 0 and at most 400 kg." in response.content.decode()
    assert not patient.measurements.exists()


def test_the_admin_is_branded(staff):
    assert "Infusion Clinic" in staff.get("/admin/").content.decode()
