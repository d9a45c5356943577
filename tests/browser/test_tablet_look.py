"""How the tablet pages look and print: dark mode following the device, touch targets of at least 44 px,
and the summary on A4 with the patient's identifiers and no navigation."""

import pytest

from tests.browser import test_chairside_session as chairside
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

clocks, booked = chairside.clocks, chairside.booked
checked_in, running = chairside.checked_in, chairside.running
SIZES = {"landscape": {"width": 1180, "height": 820}, "portrait": {"width": 820, "height": 1180}}

TARGETS = "a, button, input, select, summary, label.radio, label.check"
SMALL_TARGETS = (
    """() => [...document.querySelectorAll('"""
    + TARGETS
    + """')]
  .filter(e => e.offsetParent !== null && !e.closest('dialog:not([open])'))
  .filter(e => !(e.type === 'hidden'))
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => (e.type === 'checkbox' || e.type === 'radio') ? false : (r.height < 44 || r.width < 44))
  .map(([e, r]) => e.outerHTML.slice(0, 80) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""
)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_pages_follow_the_devices_dark_mode(live_server, page, screenshot, nurse, running, size):
    page.set_viewport_size(SIZES[size])
    page.emulate_media(color_scheme="dark")
    chairside.log_in(page, live_server, nurse)
    page.goto(f"{live_server.url}/chairside/bookings/{running.booking_id}/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    card = page.evaluate("getComputedStyle(document.querySelector('#vitals-card')).backgroundColor")
    ink = page.evaluate("getComputedStyle(document.body).color")
    assert background == "rgb(15, 23, 32)" and card == "rgb(23, 33, 44)" and ink == "rgb(230, 237, 243)"
    screenshot(f"tablet-dark-session-{size}")
    page.goto(f"{live_server.url}/chairside/")
    screenshot(f"tablet-dark-board-{size}")
    page.emulate_media(color_scheme="light")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(244, 246, 248)"


@pytest.mark.parametrize("size", list(SIZES))
def test_every_touch_target_is_at_least_44_px(live_server, page, nurse, running, size):
    page.set_viewport_size(SIZES[size])
    chairside.log_in(page, live_server, nurse)
    for url in ("/chairside/", f"/chairside/bookings/{running.booking_id}/"):
        page.goto(live_server.url + url)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.evaluate(SMALL_TARGETS) == [], url


def test_the_summary_prints_on_a4_with_identifiers_and_without_navigation(live_server, page, nurse, running):
    chairside.log_in(page, live_server, nurse)
    page.goto(f"{live_server.url}/chairside/sessions/{running.pk}/summary/")
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden()
    identifiers = page.locator("#summary-identifiers").inner_text()
    assert running.patient.mrn in identifiers and "Nurses" in identifiers
    assert "nell_nurse" in page.locator("#summary-nurses").inner_text()
    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "tablet-summary-a4.pdf").write_bytes(pdf)
    page.screenshot(path=str(ARTIFACTS / "tablet-summary-print.png"), full_page=True)
    assert pdf.startswith(b"%PDF") and b"/MediaBox [0 0 595" in pdf  # A4 is 595 x 842 points
