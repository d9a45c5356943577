"""A patient's visit link on a phone (390x844) in Chromium with JavaScript off: confirm, cancel, move to
another time, an expired link, and the old link once the visit has moved. Screenshots go to
artifacts/screenshots/ (visit-link-*.png)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache

from scheduling.models import Booking
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.infusions.calendar import NOW, at
from tests.selfservice import conftest as selfservice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The visit-page tests' clinic, order, its two booked cycles and a link to the first.
clinic, order, booked, visit, token = (
    selfservice.clinic,
    selfservice.order,
    selfservice.booked,
    selfservice.visit,
    selfservice.token,
)
PHONE = {"width": 390, "height": 844}
NEUTRAL = "This link does not work"
TOO_SMALL = """() => [...document.querySelectorAll('a.button, button')]
  .map(e => e.getBoundingClientRect()).filter(r => r.height < 44 || r.width < 44).length"""


@pytest.fixture
def page(monkeypatch, stray_connections_closed):
    """A phone: Chromium at 390x844, touch, JavaScript off (the pages must work without it)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip("Chromium is not installed: browser tests skipped")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, java_script_enabled=False
        )
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        cache.clear()  # this worker's own Redis database: the rate-limit windows start empty
        yield traveller


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(TOO_SMALL) == 0


def test_a_patient_confirms_their_visit(live_server, page, screenshot, visit, token):
    page.goto(f"{live_server.url}/v/{token}")
    assert "Hello Ada" in page.inner_text("main")
    assert "Tuesday 2 March 2027" in page.inner_text(".card") and "9:00 AM EST" in page.inner_text(".card")
    fits_the_phone(page)
    screenshot("visit-link-page")

    page.click("text=Confirm, I will come")

    assert "you confirmed you will come" in page.inner_text("main")
    assert page.locator("text=Confirm, I will come").count() == 0
    screenshot("visit-link-confirmed")
    assert Booking.objects.get(pk=visit.pk).confirmed_at is not None

    patient = visit.patient
    patient.preferred_language = "fr"
    patient.save(update_fields=["preferred_language"])
    page.reload()
    assert "Bonjour Ada" in page.inner_text("h1") and "mardi 2 mars 2027" in page.inner_text(".card")
    fits_the_phone(page)
    screenshot("visit-link-confirmed-fr")


def test_a_patient_who_cant_come_is_asked_first_then_the_visit_is_cancelled(
    live_server, page, screenshot, visit, token
):
    page.goto(f"{live_server.url}/v/{token}")
    page.click("text=I can't come")
    assert "Cancel this visit?" in page.inner_text("h1")
    assert Booking.objects.get(pk=visit.pk).status == "booked"
    fits_the_phone(page)
    screenshot("visit-link-cancel-ask")

    page.click("text=Yes, cancel my visit")

    assert "Your visit is cancelled" in page.inner_text("h1")
    screenshot("visit-link-cancelled")
    assert Booking.objects.get(pk=visit.pk).status == "cancelled"


def test_a_patient_moves_their_visit_in_four_steps_and_the_old_link_then_opens_nothing(
    live_server, page, screenshot, visit, token
):
    steps = 1
    page.goto(f"{live_server.url}/v/{token}")  # 1: open the link from the message
    page.click("text=Choose another time")  # 2
    steps += 1
    assert "Wednesday 3 March" in page.inner_text("main")
    fits_the_phone(page)
    screenshot("visit-link-move-times")
    wednesday = page.locator("form.day", has_text="Wednesday 3 March")
    wednesday.locator("button").first.click()  # 3: a time
    steps += 1
    assert "Move your visit?" in page.inner_text("h1")
    assert "Wednesday 3 March 2027" in page.inner_text(".card.new")
    screenshot("visit-link-move-ask")

    page.click("text=Yes, move my visit")  # 4
    steps += 1

    assert "Your visit is moved" in page.inner_text("h1")
    screenshot("visit-link-moved")
    moved = Booking.objects.get(pk=visit.pk)
    assert moved.start.astimezone(moved.site.zone).date() == at("2027-03-03").date()
    assert moved.confirmed_at is not None
    assert steps == 4

    page.goto(f"{live_server.url}/v/{token}")  # the link of the old time, used again
    assert NEUTRAL in page.inner_text("h1")
    screenshot("visit-link-reused-after-move")


def test_an_expired_link_gets_the_neutral_page(live_server, page, screenshot, visit, token, clock):
    clock.move_to(visit.start + timedelta(minutes=1))

    answer = page.goto(f"{live_server.url}/v/{token}")

    assert answer.status == 404 and NEUTRAL in page.inner_text("h1")
    assert page.locator("form").count() == 0
    fits_the_phone(page)
    screenshot("visit-link-expired")
