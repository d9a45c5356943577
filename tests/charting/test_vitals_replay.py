"""A vitals client_id sent again with other values is a 409 (as the insurer API answers a reused key);
with the same values it replays the first answer."""

import uuid
from datetime import UTC, datetime

import pytest

from charting.models import VitalsReading
from tests.charting.conftest import VITALS_OK, local, ready_to_start

pytestmark = pytest.mark.django_db


# Not the baseline's numbers: the same numbers within minutes are questioned as a set typed twice.
SECOND_SET = {**VITALS_OK, "heart_rate": VITALS_OK["heart_rate"] + 4}


def test_the_same_client_id_with_other_values_is_a_409_and_keeps_the_first_reading(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    url = f"/api/v1/sessions/{session}/vitals/"
    body = {"client_id": str(uuid.uuid4()), "taken_at": local("08:50"), **VITALS_OK, "systolic": 130}
    first = nurse_api.post(url, body, format="json")

    other = nurse_api.post(url, {**body, "systolic": 150, "heart_rate": 99}, format="json")

    assert first.status_code == 201, first.json()
    assert other.status_code == 409
    assert other.json()["code"] == "client_id_reused"
    assert other.json()["changed"] == ["heart_rate", "systolic"]
    assert "new id" in other.json()["detail"]
    reading = VitalsReading.objects.get(client_id=body["client_id"])
    assert (reading.systolic, reading.heart_rate) == (130, VITALS_OK["heart_rate"])


def test_the_same_client_id_at_another_time_is_a_409(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    url = f"/api/v1/sessions/{session}/vitals/"
    body = {"client_id": str(uuid.uuid4()), "taken_at": local("08:50"), **SECOND_SET}
    nurse_api.post(url, body, format="json")

    other = nurse_api.post(url, {**body, "taken_at": local("08:55")}, format="json")

    assert other.status_code == 409
    assert other.json()["changed"] == ["taken_at"]


def test_the_same_values_in_another_spelling_replay_the_first_answer(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    url = f"/api/v1/sessions/{session}/vitals/"
    body = {"client_id": str(uuid.uuid4()), "taken_at": local("08:50"), **SECOND_SET}
    first = nurse_api.post(url, body, format="json")
    in_utc = datetime.fromisoformat(body["taken_at"]).astimezone(UTC).isoformat()

    again = nurse_api.post(url, {**body, "taken_at": in_utc, "symptoms": "  "}, format="json")

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
