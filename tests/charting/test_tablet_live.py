"""The running session's header, as the server renders it for the tablet's 30-second poll."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client

from clinic.roles import Role
from tests.charting.conftest import VITALS_OK, local, move_to, post, ready_to_start
from tests.scheduling.factories import SiteMembershipFactory

pytestmark = pytest.mark.django_db

# The user and permissions, the nurse's language (charting/language.py), the session with its rows (one
# query each), the policy, the audit row.
HEADER_QUERIES = 14


@pytest.fixture
def tablet(nurse, clock):
    client = Client()
    client.force_login(nurse)
    return client


@pytest.fixture
def running(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    return session


def test_the_header_shows_the_pump_volume_given_the_next_step_and_the_expected_end(
    tablet, nurse_api, running, clock
):
    move_to(clock, "09:40")
    post(nurse_api, f"/api/v1/sessions/{running}/rate-changes/", kind="step_up", at=local("09:30"))
    post(nurse_api, f"/api/v1/sessions/{running}/vitals/", taken_at=local("09:31"), **VITALS_OK)
    html = tablet.get(f"/chairside/sessions/{running}/live/").content.decode()
    assert 'id="live-clock">09:40</strong> <small>EST' in html
    assert "70 g · 700 mL" in html  # day dose and bag, to program the pump by
    assert 'id="live-rate">70 mL/h' in html
    assert "Step up to 140 mL/h at 10:00" in html
    assert 'id="live-given">29.2 mL · 2.92 g' in html  # 30 min at 35 + 10 min at 70
    assert "12:09" in html  # on plan: stepped up on time
    assert "due in 6 min" in html  # 15 min after the 09:31 set
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, additional_data__detail="live header"
    ).exists()


def test_a_late_step_up_says_how_late_and_the_expected_end_moves(tablet, running, clock):
    move_to(clock, "09:55")
    html = tablet.get(f"/chairside/sessions/{running}/live/").content.decode()
    assert "Step up to 70 mL/h at 09:30 (overdue by 25 min)" in html
    assert "12:09" not in html


def test_a_nurse_of_another_site_cannot_read_the_header(running, clock, django_user_model):
    other = django_user_model.objects.create_user(username="nora_other", password="x")
    other.groups.add(Group.objects.get(name=Role.NURSE.value))
    SiteMembershipFactory(user=other)
    client = Client()
    client.force_login(other)
    assert client.get(f"/chairside/sessions/{running}/live/").status_code == 404


def test_the_header_runs_a_fixed_number_of_queries(
    tablet, nurse_api, running, clock, django_assert_num_queries
):
    for n, minute in enumerate(("09:10", "09:20", "09:25")):
        move_to(clock, minute)
        post(
            nurse_api,
            f"/api/v1/sessions/{running}/vitals/",
            taken_at=local(minute),
            **VITALS_OK | {"heart_rate": 70 + n},
        )
    tablet.get(f"/chairside/sessions/{running}/live/")
    with django_assert_num_queries(HEADER_QUERIES):
        assert tablet.get(f"/chairside/sessions/{running}/live/").status_code == 200
    move_to(clock, "09:30")
    post(nurse_api, f"/api/v1/sessions/{running}/rate-changes/", kind="step_up", at=local("09:30"))
    post(nurse_api, f"/api/v1/sessions/{running}/vitals/", taken_at=local("09:30"), **VITALS_OK)
    with django_assert_num_queries(HEADER_QUERIES):  # more rows, the same queries
        assert tablet.get(f"/chairside/sessions/{running}/live/").status_code == 200
