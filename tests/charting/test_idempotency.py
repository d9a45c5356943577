"""Flaky Wi-Fi: a submission sent twice is stored once, and the second gets the first one's answer."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from charting.models import InfusionSession, LotRecord, RateChange, Reaction, SessionEvent, VitalsReading
from tests.charting.conftest import VITALS_OK, local, move_to, post, ready_to_start

pytestmark = pytest.mark.django_db


def test_vitals_sent_twice_are_stored_once_and_the_second_gets_the_first_answer(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    body = {"client_id": str(uuid.uuid4()), "taken_at": local("08:50"), **VITALS_OK, "systolic": 190}
    first = nurse_api.post(f"/api/v1/sessions/{session}/vitals/", body, format="json")
    second = nurse_api.post(f"/api/v1/sessions/{session}/vitals/", body, format="json")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert VitalsReading.objects.filter(session_id=session).count() == 2  # the baseline and this one


def test_a_replay_gets_the_first_answer_even_after_the_session_moved_on(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    body = {"client_id": str(uuid.uuid4()), "kind": "step_up", "at": local("09:00")}
    first = nurse_api.post(f"/api/v1/sessions/{session}/rate-changes/", body, format="json")
    post(nurse_api, f"/api/v1/sessions/{session}/end/")
    again = nurse_api.post(f"/api/v1/sessions/{session}/rate-changes/", body, format="json")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert RateChange.objects.filter(session_id=session).count() == 2


def test_every_kind_of_entry_is_idempotent(nurse_api, chair, clock):
    check_in = {"client_id": str(uuid.uuid4()), "booking": chair.booking.pk}
    assert nurse_api.post("/api/v1/sessions/", check_in, format="json").status_code == 201
    again = nurse_api.post("/api/v1/sessions/", check_in, format="json")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert InfusionSession.objects.count() == 1
    session = again.json()["id"]
    post(
        nurse_api,
        f"/api/v1/sessions/{session}/checklist/",
        identity_confirmed=True,
        weight_kg="70",
        hydration="oral",
        egfr_reviewed=True,
        checks_acknowledged=True,
    )
    post(nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("08:50"), **VITALS_OK)
    start = {"client_id": str(uuid.uuid4())}
    move_to(clock, "09:00")
    nurse_api.post(f"/api/v1/sessions/{session}/start/", start, format="json")
    assert nurse_api.post(f"/api/v1/sessions/{session}/start/", start, format="json").status_code == 201
    assert SessionEvent.objects.filter(kind="start").count() == 1
    other_start = post(nurse_api, f"/api/v1/sessions/{session}/start/")
    assert other_start.status_code == 409
    for url, body in (
        (
            "reactions",
            {
                "kind": "chills",
                "grade": 1,
                "action": "none",
                "outcome": "resolved",
                "noted_at": local("09:00"),
            },
        ),
        ("lots", {"lot_number": "B7", "vial_size_g": "10", "expiry": "2028-01-01"}),
    ):
        body["client_id"] = str(uuid.uuid4())
        first = nurse_api.post(f"/api/v1/sessions/{session}/{url}/", body, format="json")
        second = nurse_api.post(f"/api/v1/sessions/{session}/{url}/", body, format="json")
        assert first.json() == second.json()
    assert Reaction.objects.count() == 1
    assert LotRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_submissions_racing_each_other_store_one_row(chair, clock, nurse, api):
    client = api.as_user(nurse)
    session = ready_to_start(client, chair, clock)
    # Another set than the baseline's (the same numbers again would be questioned as a set typed twice).
    body = {"client_id": str(uuid.uuid4()), "taken_at": local("08:50"), **VITALS_OK, "heart_rate": 88}

    def send(_):
        from rest_framework.test import APIClient

        other = APIClient()
        other.force_login(nurse)
        try:
            return other.post(f"/api/v1/sessions/{session}/vitals/", body, format="json").json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(send, range(4)))
    assert len({a["id"] for a in answers}) == 1
    assert VitalsReading.objects.filter(client_id=body["client_id"]).count() == 1
