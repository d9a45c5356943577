import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction

from patients.models import Measurement, Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _trail(model, **filters):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), **filters)


def test_an_api_read_records_who_which_patient_and_from_where(api, nurse):
    patient = PatientFactory()

    api.as_user(nurse).get(f"/api/v1/patients/{patient.pk}/", REMOTE_ADDR="10.1.2.3")

    entry = _trail(Patient, action=LogEntry.Action.ACCESS).get()
    assert (entry.actor, entry.object_pk, entry.remote_addr) == (nurse, str(patient.pk), "10.1.2.3")
    assert entry.additional_data == {"via": "api", "detail": "patient view"}


def test_a_list_records_every_patient_on_the_page(api, nurse):
    patients = PatientFactory.create_batch(3)

    api.as_user(nurse).get("/api/v1/patients/", {"page_size": 2})

    shown = set(_trail(Patient, action=LogEntry.Action.ACCESS).values_list("object_pk", flat=True))
    assert len(shown) == 2
    assert shown <= {str(p.pk) for p in patients}


def test_reading_a_patients_labs_records_access_to_that_patient(api, nurse):
    patient = PatientFactory()

    api.as_user(nurse).get(f"/api/v1/patients/{patient.pk}/labs/")

    assert _trail(Patient, action=LogEntry.Action.ACCESS, object_pk=str(patient.pk), actor=nurse).exists()


def test_an_api_write_records_the_actor_the_change_and_the_patient(api, nurse):
    patient = PatientFactory()

    api.as_user(nurse).post(
        f"/api/v1/patients/{patient.pk}/measurements/",
        {"kind": "weight", "value": "80"},
        REMOTE_ADDR="10.9.9.9",
    )

    entry = _trail(Measurement, action=LogEntry.Action.CREATE).get()
    assert entry.actor == nurse
    assert entry.remote_addr == "10.9.9.9"
    assert entry.additional_data == {"patient_id": patient.pk}
    assert entry.changes["value"] == [None, "80.00"]


def test_a_forged_forwarded_for_header_is_not_believed(api, nurse):
    patient = PatientFactory()

    api.as_user(nurse).get(
        f"/api/v1/patients/{patient.pk}/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )

    assert _trail(Patient, action=LogEntry.Action.ACCESS).get().remote_addr == "10.1.2.3"


def test_an_admin_list_and_change_page_record_access(client, scheduler):
    patient = PatientFactory()
    client.force_login(scheduler)

    assert client.get("/admin/patients/patient/").status_code == 200
    assert client.get(f"/admin/patients/patient/{patient.pk}/change/").status_code == 200

    details = list(
        _trail(Patient, action=LogEntry.Action.ACCESS, actor=scheduler).values_list(
            "additional_data__detail", flat=True
        )
    )
    assert sorted(details) == ["list", "view"]


def test_the_trail_cannot_be_changed_or_deleted_in_the_database():
    PatientFactory()
    entry = _trail(Patient, action=LogEntry.Action.CREATE).get()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()

    assert LogEntry.objects.get(pk=entry.pk).object_repr == entry.object_repr


def test_the_trail_survives_deleting_the_staff_user_who_made_it(api, django_user_model, manager):
    api.as_user(manager).post(
        "/api/v1/patients/",
        {
            "mrn": "A-100",
            "given_name": "A",
            "family_name": "B",
            "date_of_birth": "1970-01-01",
            "sex": "male",
            "phone": "+15555550100",
        },
    )
    entry = _trail(Patient, action=LogEntry.Action.CREATE).get()

    manager.delete()

    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_email == manager.email


def test_the_admin_offers_no_way_to_edit_or_delete_the_trail(client, manager):
    PatientFactory()
    entry = _trail(Patient, action=LogEntry.Action.CREATE).get()
    client.force_login(manager)

    assert client.get("/admin/auditlog/logentry/").status_code == 200
    assert client.post(f"/admin/auditlog/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_only_managers_see_the_trail_in_the_admin(client, scheduler):
    client.force_login(scheduler)

    assert client.get("/admin/auditlog/logentry/").status_code == 403
