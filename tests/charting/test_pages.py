"""The tablet pages, rendered on the server: board, session, summary (the browser tests drive them)."""

import pytest
from auditlog.models import LogEntry
from django.test import Client

from tests.charting.conftest import VITALS_OK, local, move_to, post, ready_to_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def tablet(nurse, clock):
    client = Client()
    client.force_login(nurse)
    return client


def test_the_board_shows_each_chair_with_its_patient_status_and_what_is_due(tablet, nurse_api, chair, clock):
    page = tablet.get("/chairside/")
    assert page.status_code == 200
    html = page.content.decode()
    assert chair.patient.family_name in html
    assert "Expected at 09:00" in html
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    move_to(clock, "09:20")
    html = tablet.get("/chairside/").content.decode()
    assert "Vitals overdue by 20 min" in html
    assert "Step up to 70 mL/h at 09:30" in html
    post(nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("09:20"), **VITALS_OK)
    html = tablet.get("/chairside/").content.decode()
    assert "Vitals due in 15 min" in html
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__detail="board").exists()


def test_the_session_page_walks_through_each_step(tablet, nurse_api, chair, clock):
    url = f"/chairside/bookings/{chair.booking.pk}/"
    assert 'id="check-in"' in tablet.get(url).content.decode()
    session = ready_to_start(nurse_api, chair, clock)
    html = tablet.get(url).content.decode()
    assert "Start infusion at 35 mL/h" in html
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    html = tablet.get(url).content.decode()
    assert "Step up to 70 mL/h" in html
    assert "09:30" in html  # the schedule's clock times


def test_the_summary_draws_the_vitals_chart_above_the_rate_steps(tablet, nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    move_to(clock, "09:30")
    post(nurse_api, f"/api/v1/sessions/{session}/rate-changes/", kind="step_up", at=local("09:30"))
    post(
        nurse_api,
        f"/api/v1/sessions/{session}/vitals/",
        taken_at=local("09:30"),
        **(VITALS_OK | {"spo2": 90}),
    )
    html = tablet.get(f"/chairside/sessions/{session}/summary/").content.decode()
    assert html.index('id="vitals-chart"') < html.index('id="steps-as-run"')
    assert html.count('class="series"') == 4
    assert html.count('class="rate-step"') == 2


def test_only_nurses_and_managers_open_the_tablet_pages(client, scheduler, clock):
    assert client.get("/chairside/").status_code == 302
    client.force_login(scheduler)
    assert client.get("/chairside/").status_code == 403


def test_staff_see_the_same_summary_in_the_admin(api, nurse_api, chair, clock, manager):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    client = Client()
    client.force_login(manager)
    listing = client.get("/admin/charting/infusionsession/")
    assert listing.status_code == 200
    page = client.get(f"/admin/charting/infusionsession/{session}/change/")
    html = page.content.decode()
    assert 'id="vitals-chart"' in html
    assert 'id="steps-as-run"' in html
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__via="admin").exists()
