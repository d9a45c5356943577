"""The tablet asks where the hand is: a flagged reading's prompt, what cannot be undone, give as ordered,
a set typed twice; at both tablet orientations (Debian's Chromium at 1180x820 and 820x1180).

Fixtures from the chairside session test: the booking at 09:00 on a weekday morning in New York, the
server's clock (time-machine) and the browser's (Playwright) set there together.
"""

import uuid
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from charting import services as chart
from charting.models import InfusionSession, Premedication, VitalsReading
from tests.browser import test_chairside_session as chairside
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The chairside session test's fixtures and helpers (the booking, both clocks, a checked-in and a running
# session).
clocks, later, booked = chairside.clocks, chairside.later, chairside.booked
checked_in, running = chairside.checked_in, chairside.running
VITALS, log_in, submit = chairside.VITALS, chairside.log_in, chairside.submit

SIZES = {"landscape": {"width": 1180, "height": 820}, "portrait": {"width": 820, "height": 1180}}
FLAGGED = VITALS | {"systolic": "186", "heart_rate": "124"}


@pytest.fixture(params=list(SIZES))
def tablet(request, page):
    page.set_viewport_size(SIZES[request.param])
    return request.param


def open_session(page, live_server, nurse, session):
    log_in(page, live_server, nurse)
    page.goto(f"{live_server.url}/chairside/bookings/{session.booking_id}/")


def in_view(page, selector: str) -> bool:
    """The element is wholly inside the viewport as the page stands (no scrolling)."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_a_flagged_reading_opens_a_prompt_in_sight_that_must_be_answered(
    live_server, page, screenshot, nurse, running, later, tablet
):
    open_session(page, live_server, nurse, running)
    later(15)
    text = submit(page, "Vitals", FLAGGED)
    assert "Flagged: Systolic 186 mmHg is over 180 (adult limits)." in text
    prompt = page.locator("#flag-prompt")
    expect(prompt).to_be_visible()
    assert in_view(page, "#answer-slow") and in_view(page, "#answer-continue")
    assert "Heart rate 124/min is over 120" in prompt.inner_text()
    screenshot(f"tablet-flag-prompt-{tablet}")
    page.keyboard.press("Escape")  # it cannot be waved away
    expect(prompt).to_be_visible()

    assert "Answer: slowed saved" in submit(page, "Answer: slowed", {"rate_ml_per_hour": "17.5"})
    expect(page.locator("#flag-prompt")).to_have_count(0)
    assert page.locator("#current-rate").inner_text() == "17.5 mL/h"
    assert "Answered" in page.locator("#chart-log tr.flagged").inner_text()
    reading = VitalsReading.objects.exclude(flags=[]).get(session=running)
    assert (reading.flag_answer, reading.flag_answered_by) == ("slowed", nurse)


def test_going_on_after_a_flag_needs_a_reason_and_the_prompt_comes_back_until_answered(
    live_server, page, nurse, running, later, tablet
):
    open_session(page, live_server, nurse, running)
    later(15)
    submit(page, "Vitals", FLAGGED)
    page.reload()  # the tablet reloaded, or another nurse opens the page: still asked
    expect(page.locator("#flag-prompt")).to_be_visible()
    form = page.locator('form[data-label="Answer: continued"]')
    form.locator("button").click()  # no reason: the browser itself refuses (required)
    assert VitalsReading.objects.exclude(flags=[]).get(session=running).flag_answer == ""
    submit(page, "Answer: continued", {"reason": "Second cuff 168/90; patient anxious"})
    expect(page.locator("#flag-prompt")).to_have_count(0)
    assert "Second cuff 168/90" in page.locator("#chart-log").inner_text()


def test_the_same_set_typed_again_is_questioned_next_to_the_form(
    live_server, page, screenshot, nurse, running, later, tablet
):
    open_session(page, live_server, nurse, running)
    later(15)
    assert "Vitals saved" in submit(page, "Vitals", VITALS)
    saved_status = page.locator('form[data-label="Vitals"] .form-status')
    expect(saved_status).to_contain_text("Vitals saved at")  # the result is next to the button
    later(2)
    form = page.locator('form[data-label="Vitals"]')
    for name, value in VITALS.items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator("button.big").click()
    question = form.locator('[data-ask="vitals_repeated"]')
    expect(question).to_be_visible()
    expect(question).to_contain_text("The same numbers were charted at 09:15 EST")
    screenshot(f"tablet-vitals-repeated-{tablet}")
    assert VitalsReading.objects.filter(session=running).count() == 2
    with page.expect_navigation():
        question.locator("button").click()
    assert VitalsReading.objects.filter(session=running).count() == 3


def test_ending_short_of_the_dose_is_refused_without_a_reason(
    live_server, page, screenshot, nurse, running, later, tablet
):
    open_session(page, live_server, nurse, running)
    later(40)
    form = page.locator('form[data-label="End of infusion"]')
    form.locator('[name="volume_given_ml"]').fill("84")
    form.locator("#end").click()
    question = form.locator('[data-ask="end_reason_required"]')
    expect(question).to_be_visible()
    expect(question).to_contain_text("84 of 700 mL given")
    expect(form.locator(".form-status")).to_contain_text("Not saved")
    screenshot(f"tablet-end-short-{tablet}")
    assert InfusionSession.objects.get(pk=running.pk).status == "running"
    question.locator('[name="end_reason"][value="iv_access_lost"]').check()
    with page.expect_navigation():
        form.locator("#end").click()
    session = InfusionSession.objects.get(pk=running.pk)
    assert (session.status, session.end_reason, session.volume_given_ml) == (
        "observation",
        "iv_access_lost",
        84,
    )
    assert "ended short: iv access lost" in page.locator("#discharge-card").inner_text()


@pytest.fixture
def observing(running, nurse, clocks):
    clocks.later(200)
    chart.session_end(session=running, by=nurse, client_id=uuid.uuid4(), volume_given_ml=D("700"))
    clocks.later(5)
    chart.vitals_record(
        session=running,
        by=nurse,
        client_id=uuid.uuid4(),
        taken_at=timezone.now(),
        systolic=118,
        diastolic=76,
        heart_rate=72,
        spo2=98,
    )
    return running


def test_discharge_before_the_observation_ends_asks_why(
    live_server, page, screenshot, nurse, observing, tablet
):
    open_session(page, live_server, nurse, observing)
    question = page.locator('[data-ask="discharge_reason_required"]')
    expect(question).to_be_visible()  # asked before the tap: the server knows observation is not over
    expect(question).to_contain_text("Observation runs until")
    screenshot(f"tablet-discharge-early-{tablet}")
    page.locator("#discharge").click()
    expect(page.locator('form[data-label="Discharge"] .form-status')).to_contain_text("Not saved")
    assert InfusionSession.objects.get(pk=observing.pk).status == "observation"
    assert "Discharge saved" in submit(page, "Discharge", {"reason": "Ride arrived; feels well"})
    session = InfusionSession.objects.get(pk=observing.pk)
    assert (session.status, session.discharge_reason) == ("discharged", "Ride arrived; feels well")


def test_give_as_ordered_records_the_ordered_premedication_in_one_tap(
    live_server, page, screenshot, nurse, checked_in, tablet
):
    open_session(page, live_server, nurse, checked_in)
    button = page.locator("#give-as-ordered")
    assert button.inner_text() == "Give as ordered: Acetaminophen 650 mg PO"
    screenshot(f"tablet-give-as-ordered-{tablet}")
    with page.expect_navigation():
        button.click()
    expect(page.locator("#premeds-given")).to_contain_text("Acetaminophen 650 mg PO")
    given = Premedication.objects.get(session=checked_in)
    assert (given.drug, given.dose, given.route, given.as_ordered) == ("Acetaminophen", "650 mg", "PO", True)

    # Something the order does not say asks to confirm, next to the form.
    form = page.locator('form[data-label="Premedication"]')
    form.locator('[name="drug"]').fill("Diphenhydramine")
    form.locator('[name="dose"]').fill("50 mg")
    form.locator('[name="route"]').select_option("IV")
    form.locator("button[type=submit]").click()
    question = form.locator('[data-ask="premedication_not_ordered"]')
    expect(question).to_contain_text("is not what the order says (Acetaminophen 650 mg PO)")
    assert Premedication.objects.filter(session=checked_in).count() == 1
    with page.expect_navigation():
        question.locator("button").click()
    assert Premedication.objects.get(session=checked_in, drug="Diphenhydramine").as_ordered is False
    expect(page.locator("#premeds-given")).to_contain_text("not as ordered, confirmed")


def test_the_common_actions_of_a_running_session_are_on_the_first_screen(
    live_server, page, nurse, running, tablet
):
    open_session(page, live_server, nurse, running)
    page.screenshot(path=str(ARTIFACTS / f"tablet-running-first-screen-{tablet}.png"))
    for selector in (
        "#live-rate",
        "#live-next",
        '#vitals-card [name="systolic"]',
        "#vitals-card button.big",
        "#step-up",
    ):
        assert in_view(page, selector), selector
