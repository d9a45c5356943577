"""Admin pages that show patients without editing them leave audit rows too."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from patients.models import Patient
from tests.factories import PatientFactory


def _reads(model, detail):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        action=LogEntry.Action.ACCESS,
        additional_data__detail=detail,
    )


def test_the_patient_delete_page_records_who_saw_the_patient(client, manager):
    patient = PatientFactory(family_name="Whitfield")
    client.force_login(manager)

    response = client.get(f"/admin/patients/patient/{patient.pk}/delete/")

    assert response.status_code == 200
    assert "Whitfield" in response.content.decode()
    row = _reads(Patient, "delete").get()
    assert row.object_pk == str(patient.pk)
    assert row.actor == manager


def test_delete_selected_records_the_patients_on_its_confirmation_page(client, manager):
    patients = [PatientFactory(family_name="Whitfield"), PatientFactory(family_name="Okafor")]
    client.force_login(manager)

    response = client.post(
        "/admin/patients/patient/",
        {"action": "delete_selected", "_selected_action": [p.pk for p in patients]},
    )

    assert response.status_code == 200
    assert "Okafor" in response.content.decode()
    assert set(_reads(Patient, "delete_selected").values_list("object_pk", flat=True)) == {
        str(p.pk) for p in patients
    }
    assert Patient.objects.count() == 2


def test_the_admin_type_ahead_records_the_patients_it_offered(client, manager):
    offered = PatientFactory(family_name="Whitfield", mrn="MRN-777001")
    PatientFactory(family_name="Okafor")
    client.force_login(manager)

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "infusions", "model_name": "treatmentorder", "field_name": "patient", "term": "Whit"},
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(offered.pk)]
    row = _reads(Patient, "autocomplete").get()
    assert row.object_pk == str(offered.pk)
    assert row.actor == manager
    assert row.additional_data["via"] == "admin"


def test_a_type_ahead_by_mrn_is_recorded_as_well(client, manager):
    offered = PatientFactory(mrn="MRN-777002")
    client.force_login(manager)

    client.get(
        "/admin/autocomplete/",
        {"app_label": "infusions", "model_name": "treatmentorder", "field_name": "patient", "term": "777002"},
    )

    assert list(_reads(Patient, "autocomplete").values_list("object_pk", flat=True)) == [str(offered.pk)]


def test_reading_the_audit_log_list_is_itself_recorded(client, manager):
    patient = PatientFactory(family_name="Whitfield")
    client.force_login(manager)
    client.get(f"/admin/patients/patient/{patient.pk}/change/")
    shown = set(LogEntry.objects.values_list("pk", flat=True))

    response = client.get("/admin/auditlog/logentry/")

    assert response.status_code == 200
    assert "Whitfield" in response.content.decode()
    rows = _reads(LogEntry, "list")
    assert set(rows.values_list("object_pk", flat=True)) == {str(pk) for pk in shown}
    assert {row.actor for row in rows} == {manager}
