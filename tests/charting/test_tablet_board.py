"""The board: each chair's pump rate, start, expected end and nurse; nurses pick their chairs; handover
notes for a session and for the shift."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client

from charting.models import ChairAssignment, HandoverNote
from clinic.roles import Role
from tests.charting.conftest import cid, local, move_to, post, ready_to_start
from tests.scheduling.factories import SiteMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tablet(nurse, clock):
    client = Client()
    client.force_login(nurse)
    return client


def test_the_board_shows_the_rate_start_and_expected_end_of_a_running_chair(tablet, nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    move_to(clock, "09:31")
    post(nurse_api, f"/api/v1/sessions/{session}/rate-changes/", kind="step_up", at=local("09:30"))
    html = tablet.get("/chairside/").content.decode()
    assert "<strong>70 mL/h</strong> · started 09:00 · ends ~12:09" in html


def test_a_nurse_picks_a_chair_and_another_takes_it_over(
    nurse_api, nurse, chair, clock, tablet, django_user_model
):
    r1 = chair.booking.chair
    response = nurse_api.post("/api/v1/chair-assignments/", {"chair": r1.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["nurse"] == nurse.username
    assert "Yours" in tablet.get("/chairside/").content.decode()

    other = django_user_model.objects.create_user(username="olive_other", password="x", first_name="Olive")
    other.groups.add(Group.objects.get(name=Role.NURSE.value))
    SiteMembershipFactory(site=chair.site, user=other)
    client = Client()
    client.force_login(other)
    assert (
        client.post(
            "/api/v1/chair-assignments/", {"chair": r1.pk}, content_type="application/json"
        ).status_code
        == 201
    )
    assert ChairAssignment.objects.get(chair=r1).nurse == other
    assert "Nurse: Olive" in tablet.get("/chairside/").content.decode()
    # Only the nurse who has it gives it back.
    assert nurse_api.post(
        "/api/v1/chair-assignments/", {"chair": r1.pk, "release": True}, format="json"
    ).json() == {"released": False}


def test_a_nurse_of_another_site_cannot_pick_its_chairs(chair, clock, django_user_model):
    other = django_user_model.objects.create_user(username="nora_other", password="x")
    other.groups.add(Group.objects.get(name=Role.NURSE.value))
    SiteMembershipFactory(user=other)
    client = Client()
    client.force_login(other)
    response = client.post(
        "/api/v1/chair-assignments/", {"chair": chair.booking.chair_id}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_handover_notes_for_the_shift_and_a_session_show_where_the_next_nurse_looks(
    tablet, nurse_api, chair, clock
):
    session = ready_to_start(nurse_api, chair, clock)
    url = "/api/v1/handover-notes/"
    shift = nurse_api.post(
        url, {"client_id": cid(), "site": chair.site.pk, "text": "Chair 3's pump alarms"}, format="json"
    )
    assert shift.status_code == 201
    body = {
        "client_id": cid(),
        "site": chair.site.pk,
        "session": session,
        "text": "Needs a new IV line at 11",
    }
    assert nurse_api.post(url, body, format="json").status_code == 201
    again = nurse_api.post(url, body, format="json")
    assert again["Idempotent-Replayed"] == "true"
    assert HandoverNote.objects.count() == 2
    assert "Chair 3&#x27;s pump alarms" in tablet.get("/chairside/").content.decode()
    page = tablet.get(f"/chairside/bookings/{chair.booking.pk}/").content.decode()
    assert "Needs a new IV line at 11" in page
    assert LogEntry.objects.filter(
        additional_data__patient_id=chair.patient.pk, content_type__model="handovernote"
    ).exists()
    empty = nurse_api.post(url, {"client_id": cid(), "site": chair.site.pk, "text": " "}, format="json")
    assert empty.status_code == 400
