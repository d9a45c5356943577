"""The running session's header moves with the clock, without a reload (Playwright's clock and the
server's move together), at both tablet orientations."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import test_chairside_session as chairside

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

clocks, booked = chairside.clocks, chairside.booked
checked_in, running = chairside.checked_in, chairside.running
SIZES = {"landscape": {"width": 1180, "height": 820}, "portrait": {"width": 820, "height": 1180}}


def step(clocks, page, minutes: int) -> None:
    """A touch, then both clocks `minutes` on; returns once the header's poll of that time has come back.

    The server's clock moves first, so the tablet's requests of those minutes must reach it before the
    next move: sent late, they would find the server minutes ahead of the tablet and the session idle."""
    page.mouse.click(5, 400)
    with page.expect_response(lambda r: "/live/" in r.url):
        clocks.later(minutes)


def walk(clocks, page, minutes: int) -> None:
    """Move both clocks on while the nurse is at the chair: a touch every few minutes keeps the screen
    lock away, as her charting would."""
    for _ in range(minutes // 3):
        step(clocks, page, 3)
    if minutes % 3:
        step(clocks, page, minutes % 3)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_running_header_updates_as_the_clock_moves(
    live_server, page, screenshot, nurse, running, clocks, size
):
    page.set_viewport_size(SIZES[size])
    chairside.log_in(page, live_server, nurse)
    page.goto(f"{live_server.url}/chairside/bookings/{running.booking_id}/")
    expect(page.locator("#live-rate")).to_have_text("35 mL/h")
    expect(page.locator("#live-given")).to_have_text("0 mL · 0 g")
    expect(page.locator("#live-next")).to_have_text("Step up to 70 mL/h at 09:30")
    page.evaluate("window.__loaded = true")  # gone if the page reloads

    walk(clocks, page, 31)  # the poll fires; the server's clock has moved too
    expect(page.locator("#live-clock")).to_have_text("09:31")
    expect(page.locator("#live-given")).to_have_text(re.compile(r"^18\.\d mL · 1\.8\d g$"))
    expect(page.locator("#live-vitals")).to_have_text(re.compile(r"overdue by \d+ min"))
    expect(page.locator("#live-next")).to_contain_text("(due now)")
    expect(page.locator("#live-next").locator("xpath=..")).not_to_have_class(re.compile("late"))

    walk(clocks, page, 10)
    expect(page.locator("#live-next")).to_contain_text("(overdue by 11 min)")
    expect(page.locator("#live-next").locator("xpath=..")).to_have_class(re.compile("late"))
    assert page.evaluate("window.__loaded") is True  # no reload: the fragment was swapped in
    screenshot(f"tablet-live-header-{size}")
