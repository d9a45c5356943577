"""A patient's own quiet hours can be set and changed through the API, and are validated."""

from datetime import time

import pytest

from patients.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

PATIENT = {
    "mrn": "MRN-QUIET-1",
    "given_name": "Ada",
    "family_name": "Whitfield",
    "date_of_birth": "1970-05-04",
    "sex": "female",
    "phone": "+15555550100",
}


def test_a_new_patient_can_have_own_quiet_hours(api, manager):
    response = api.as_user(manager).post(
        "/api/v1/patients/",
        {**PATIENT, "quiet_hours_start": "20:00", "quiet_hours_end": "09:30"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["quiet_hours_start"], body["quiet_hours_end"]) == ("20:00:00", "09:30:00")
    patient = Patient.objects.get(mrn="MRN-QUIET-1")
    assert patient.quiet_hours() == (time(20, 0), time(9, 30))


def test_quiet_hours_can_be_changed_and_cleared_with_patch(api, manager):
    patient = PatientFactory()
    client = api.as_user(manager)

    changed = client.patch(
        f"/api/v1/patients/{patient.pk}/",
        {"quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
        format="json",
    )
    cleared = client.patch(
        f"/api/v1/patients/{patient.pk}/", {"quiet_hours_start": None, "quiet_hours_end": None}, format="json"
    )

    assert changed.status_code == 200, changed.json()
    assert changed.json()["quiet_hours_end"] == "07:00:00"
    assert cleared.status_code == 200, cleared.json()
    patient.refresh_from_db()
    assert (patient.quiet_hours_start, patient.quiet_hours_end) == (None, None)


@pytest.mark.parametrize(
    ("hours", "code"),
    [
        ({"quiet_hours_start": "22:00"}, "quiet_hours_incomplete"),
        ({"quiet_hours_start": "22:00", "quiet_hours_end": "22:00"}, "quiet_hours_empty"),
        ({"quiet_hours_start": "25:00", "quiet_hours_end": "07:00"}, "invalid"),
    ],
)
def test_quiet_hours_that_make_no_sense_are_a_400(api, manager, hours, code):
    patient = PatientFactory()

    response = api.as_user(manager).patch(f"/api/v1/patients/{patient.pk}/", hours, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    patient.refresh_from_db()
    assert patient.quiet_hours_start is None
