"""A nurse charts a whole infusion on a tablet-sized Chromium; offline and double submissions.

The booking is at 09:00 on a weekday morning in New York, whatever the hour the suite runs at: the
server's clock (time-machine) and the browser's (Playwright's page.clock) are set there together, and the
full-session test moves both forward, so the infusion takes its real hours inside one local day and the
summary's chart and rate steps look like a real one. Screenshots of the board and the summary go to
artifacts/screenshots/.
"""

import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from charting import services as services_chairside
from charting.models import InfusionSession, VitalsReading
from tests.infusions.calendar import NEW_YORK, make_clinic, make_order
from tests.infusions.factories import cycle_day
from tests.scheduling.factories import BookingFactory, SiteMembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET_LANDSCAPE = {"width": 1180, "height": 820}
TABLET_PORTRAIT = {"width": 768, "height": 1024}
# A Tuesday inside make_clinic's nurse shifts; an infusion that starts here ends the same local day.
MORNING = datetime(2027, 3, 2, 9, 0, tzinfo=NEW_YORK)


@pytest.fixture
def clocks(page):
    """The server's and the browser's clocks at MORNING, ticking; `clocks.later(minutes)` moves both."""
    with time_machine.travel(MORNING, tick=True) as server:
        page.clock.install(time=MORNING)

        class Clocks:
            @staticmethod
            def later(minutes: int) -> None:
                server.shift(timedelta(minutes=minutes))
                page.clock.fast_forward(minutes * 60_000)

        yield Clocks


@pytest.fixture
def booked(clocks, manager, nurse):
    site, chairs = make_clinic()
    order = make_order(manager, start_date=MORNING.date(), premedication="Acetaminophen 650 mg PO")
    now = timezone.now()
    booking = BookingFactory(
        chair=chairs["R1"],
        patient=order.patient,
        start=now - timedelta(minutes=5),
        end=now + timedelta(hours=4),
    )
    cycle_day(booking, order)
    SiteMembershipFactory(site=site, user=nurse)
    return booking


def log_in(page, live_server, nurse):
    page.goto(f"{live_server.url}/chairside/")
    page.fill("#id_username", nurse.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("button[type=submit]")


def submit(page, label: str, fields: dict | None = None, button: str | None = None):
    """Fill a form, submit it, wait for the page to come back and return the 'saved' message."""
    form = page.locator(f'form[data-label="{label}"]')
    for name, value in (fields or {}).items():
        field = form.locator(f'[name="{name}"]')
        if field.first.get_attribute("type") == "checkbox":
            field.check()
        elif field.first.get_attribute("type") == "radio":
            form.locator(f'[name="{name}"][value="{value}"]').check()
        elif field.first.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator(button or "button[type=submit]").click()
    flash = page.locator("#flash")
    flash.wait_for(state="visible")
    return flash.inner_text()


VITALS = {"systolic": "122", "diastolic": "76", "heart_rate": "70", "spo2": "98", "temperature_c": "36.6"}


@pytest.fixture
def later(clocks, page):
    """`later(minutes)` moves the server's and the browser's clocks forward together.

    A tablet left untouched that long locks its screen; the nurse unlocks it with her password, as she
    would on coming back to the chair (the lock itself is tested in test_doors.py).
    """

    def move(minutes: int) -> None:
        clocks.later(minutes)
        lock = page.locator("#screen-lock")
        if lock.count() and lock.is_visible():
            page.fill("#screen-lock-password", "pw-for-tests")
            lock.locator("button").click()
            expect(lock).to_be_hidden()

    return move


def test_a_nurse_charts_a_whole_infusion_on_a_tablet(live_server, page, screenshot, nurse, booked, later):
    page.set_viewport_size(TABLET_LANDSCAPE)
    log_in(page, live_server, nurse)
    assert page.locator(".chair.status-expected .patient").inner_text().startswith(booked.patient.family_name)
    screenshot("chairside-board-before")

    with page.expect_navigation():
        page.click(".chair.status-expected .patient")
    assert "Check-in saved" in submit(page, "Check-in")
    assert "Checklist saved" in submit(
        page,
        "Checklist",
        {"identity_confirmed": True, "weight_kg": "70", "egfr_reviewed": True, "checks_acknowledged": True},
    )
    assert page.locator("#planned-dose").inner_text().startswith("Dose 70 g · 700 mL")
    assert "Premedication saved" in submit(page, "Premedication", {"drug": "Acetaminophen", "dose": "650 mg"})
    later(5)
    assert "Vitals saved" in submit(page, "Vitals", VITALS)
    later(25)  # premedication takes 30 minutes to work
    assert "Start saved" in submit(page, "Start")
    assert page.locator("#current-rate").inner_text() == "35 mL/h"
    assert page.locator("table.schedule tbody tr").count() == 5

    later(15)
    assert "Vitals saved" in submit(page, "Vitals", VITALS)
    later(15)
    assert "Step up saved" in submit(page, "Step up")
    assert page.locator("#current-rate").inner_text() == "70 mL/h"
    later(15)
    assert "Vitals saved" in submit(page, "Vitals", VITALS)
    later(12)
    flagged = submit(page, "Vitals", VITALS | {"systolic": "186", "heart_rate": "124"})
    assert "Flagged: Systolic 186 mmHg is over 180 (adult limits)." in flagged
    assert "Is this a reaction?" in flagged
    # The flagged set must be answered before anything else: the nurse says it is a reaction.
    expect(page.locator("#flag-prompt")).to_be_visible()
    assert "Answer: reaction saved" in submit(page, "Answer: reaction")
    assert "Reaction saved" in submit(
        page, "Reaction", {"kind": "headache", "grade": "1", "action": "none", "outcome": "resolving"}
    )
    later(3)
    assert "Step up saved" in submit(page, "Step up")
    assert page.locator("#current-rate").inner_text() == "140 mL/h"
    later(15)
    assert "Vitals saved" in submit(page, "Vitals", VITALS)
    later(15)
    assert "Vitals saved" in submit(page, "Vitals", VITALS)
    screenshot("chairside-session-running")
    page.goto(f"{live_server.url}/chairside/")
    assert "Infusing" in page.locator(".chair.status-running").inner_text()
    screenshot("chairside-board-running")
    page.go_back()
    expiry = (timezone.localdate(timezone=NEW_YORK) + timedelta(days=200)).isoformat()
    assert "Lot saved" in submit(
        page, "Lot", {"lot_number": "LB4471", "vial_size_g": "30", "vials": "2", "expiry": expiry}
    )
    assert "Lot saved" in submit(
        page, "Lot", {"lot_number": "LB4480", "vial_size_g": "10", "vials": "1", "expiry": expiry}
    )
    later(90)
    assert "End of infusion saved" in submit(page, "End of infusion", {"volume_given_ml": "700"})
    later(30)
    assert "Vitals saved" in submit(page, "Vitals", VITALS)
    # The headache is still resolving: discharge asks why the patient leaves now.
    expect(page.locator('[data-ask="discharge_reason_required"]')).to_be_visible()
    assert "Discharge saved" in submit(
        page, "Discharge", {"reason": "Headache easing; seen by Dr. Velasquez"}
    )

    with page.expect_navigation():
        page.click("text=Open the summary")
    assert page.locator("#grams-given").inner_text() == "70 g"
    assert page.locator("#volume-given").inner_text() == "700 mL"
    assert page.locator("#vitals-chart polyline.series").count() == 4
    assert page.locator("#vitals-chart .rate-step").count() == 3
    steps = page.locator("#steps-as-run tbody tr")
    assert [steps.nth(n).locator("td").nth(3).inner_text() for n in range(3)] == ["35", "70", "140"]
    assert "Headache, CTCAE grade 1" in page.locator("#reactions").inner_text()
    assert page.locator("#summary-lots li").count() == 2
    assert page.locator("tr.flagged").count() == 1
    screenshot("chairside-summary")

    page.set_viewport_size(TABLET_PORTRAIT)
    page.goto(f"{live_server.url}/chairside/")
    assert "Discharged" in page.locator(".chair.status-discharged").inner_text()
    screenshot("chairside-board-portrait")
    session = InfusionSession.objects.get()
    assert session.status == "discharged"
    assert session.grams_given == D("70.00")


@pytest.fixture
def checked_in(booked, nurse):
    """The booked patient checked in with the checklist done (70 kg): next come baseline vitals."""
    session, _ = services_chairside.session_check_in(booking=booked, by=nurse, client_id=uuid.uuid4())
    services_chairside.checklist_record(
        session=session,
        by=nurse,
        client_id=uuid.uuid4(),
        identity_confirmed=True,
        weight_kg=D("70"),
        hydration="oral",
        egfr_reviewed=True,
        checks_acknowledged=True,
    )
    return session


@pytest.fixture
def running(checked_in, nurse):
    """The checked-in session with its baseline vitals, started at 35 mL/h."""
    session = checked_in
    services_chairside.vitals_record(
        session=session,
        by=nurse,
        client_id=uuid.uuid4(),
        taken_at=timezone.now(),
        systolic=120,
        diastolic=80,
        heart_rate=70,
        spo2=98,
    )
    services_chairside.session_start(session=session, by=nurse, client_id=uuid.uuid4())
    return session


def test_an_entry_made_offline_says_it_is_not_saved_and_is_sent_when_back_online(
    live_server, page, nurse, running
):
    page.set_viewport_size(TABLET_PORTRAIT)
    log_in(page, live_server, nurse)
    page.goto(f"{live_server.url}/chairside/bookings/{running.booking_id}/")
    before = VitalsReading.objects.count()

    page.context.set_offline(True)
    banner = page.locator("#offline-banner")
    banner.wait_for(state="visible")
    form = page.locator('form[data-label="Vitals"]')
    for name, value in VITALS.items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator("button[type=submit]").click()
    assert "NOT saved yet (offline)" in form.locator(".form-status").inner_text()
    assert "1 entry is NOT saved yet" in banner.inner_text()
    assert VitalsReading.objects.count() == before

    with page.expect_navigation(timeout=15000):
        page.context.set_offline(False)
    flash = page.locator("#flash")
    flash.wait_for(state="visible")
    assert re.search(r"Vitals saved at .* \(sent after reconnecting\)", flash.inner_text())
    assert VitalsReading.objects.count() == before + 1
    assert page.locator("#queue-banner").is_hidden()


def test_a_submission_whose_answer_is_lost_is_resent_and_stored_once(live_server, page, nurse, running):
    page.set_viewport_size(TABLET_LANDSCAPE)
    log_in(page, live_server, nurse)
    page.goto(f"{live_server.url}/chairside/bookings/{running.booking_id}/")
    before = VitalsReading.objects.count()
    lost = []

    def lose_the_first_answer(route):
        if not lost:
            route.fetch()  # the server stores the reading ...
            lost.append(route.request.post_data_json["client_id"])
            route.abort()  # ... but the tablet never hears back
        else:
            route.continue_()

    page.route(re.compile(r".*/vitals/$"), lose_the_first_answer)
    form = page.locator('form[data-label="Vitals"]')
    for name, value in VITALS.items():
        form.locator(f'[name="{name}"]').fill(value)
    button = form.locator("button[type=submit]")
    button.dblclick()  # and a double tap on top
    expect(form.locator(".form-status")).to_contain_text("NOT saved yet (no answer from the server)")
    # The queue resends within 5 seconds, with the same client id.
    expect(page.locator("#flash")).to_contain_text("Vitals saved at", timeout=15000)
    assert VitalsReading.objects.count() == before + 1
    assert VitalsReading.objects.filter(client_id=lost[0]).count() == 1
