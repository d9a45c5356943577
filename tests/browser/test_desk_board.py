"""The day board is where work is done, in Debian's Chromium at 1366x768: bars in words, the same
patient twice flagged, a booking moved from the board, free space booked, and one landscape page
printed. The clinic is tests/infusions/calendar.py ("now" is Monday 1 March 2027, 06:00 New York)."""

import re
from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest
import time_machine

from infusions import cycles
from scheduling.models import Booking
from tests.browser.conftest import ARTIFACTS
from tests.infusions.calendar import NOW, at, make_clinic, make_order
from tests.scheduling.factories import BookingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def log_in(page, live_server, user, next_url):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("input[type=submit]")


def test_a_scheduler_reads_the_board_in_words_and_moves_a_booking_from_it(
    live_server, page, screenshot, manager, scheduler
):
    site, chairs = make_clinic()
    order = make_order(manager, cycles=6, split_days=2, dose_grams_per_kg=D("2"))
    first, second = cycles.cycle_book(
        order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler
    )
    # The same patient again the same afternoon, in the next chair: flagged on both bars.
    BookingFactory(
        chair=chairs["R2"],
        patient=order.patient,
        start=at("2027-03-02", "16:00"),
        end=at("2027-03-02", "17:00"),
    )
    log_in(page, live_server, scheduler, f"/admin/scheduling/site/{site.pk}/board/2027-03-02/")

    bar = page.locator(f'.bar[data-booking="{first.pk}"]')
    assert "Gammagard Liquid · cycle 1 of 6 · day 1 of 2 · Booked" in bar.inner_text()
    assert page.locator(".bar.twice").count() == 2
    legend = page.locator(".legend").inner_text()
    assert "No-show" in legend and "no_show" not in legend
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot("desk-day-board")

    bar.click()
    assert page.locator("#board-actions").is_visible()
    screenshot("desk-day-board-menu")
    with page.expect_navigation():
        page.click("#board-actions >> text=Move")
    page.fill("#id_start", "2027-03-02 10:00")
    page.fill("#id_reason", "Patient asked for later")
    with page.expect_navigation():
        page.click("input[type=submit]")
    first.refresh_from_db()
    assert first.start == datetime.fromisoformat("2027-03-02T10:00-05:00")
    assert "Tue 02 Mar 2027 10:00 EST" in page.locator("#content").inner_text()

    page.goto(f"{live_server.url}/admin/scheduling/site/{site.pk}/board/2027-03-02/")
    moved = page.locator(f'.bar[data-booking="{first.pk}"]').inner_text()
    assert moved.startswith("Twice") and "10:00-14:15 EST" in moved
    assert second.pk  # day 2 stays where it was


def test_clicking_free_space_books_an_order_there(live_server, page, screenshot, manager, scheduler):
    site, chairs = make_clinic()
    order = make_order(manager)
    log_in(page, live_server, scheduler, f"/admin/scheduling/site/{site.pk}/board/2027-03-02/")

    lane = page.locator(f'td.lane[data-chair="{chairs["B1"].pk}"]')
    box = lane.bounding_box()
    # 08:00-18:00 is 40 slots of 15 minutes; the middle of slot 8 is 10:00.
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] * (8.5 / 40), box["y"] + box["height"] / 2)
    assert "Book B1 at Tue 02 Mar 2027 10:00 EST" in page.content()
    page.fill("#q", order.patient.family_name)
    with page.expect_navigation():
        page.click("input[value=Search]")
    with page.expect_navigation():
        page.click("#book-here-orders >> text=Book here")
    with page.expect_navigation():
        page.click("text=Book this cycle")

    booking = Booking.objects.get(patient=order.patient)
    assert (booking.chair, booking.start) == (chairs["B1"], at("2027-03-02", "10:00"))
    assert booking.end - booking.start == timedelta(minutes=255)


def test_the_board_prints_on_one_landscape_page_without_the_sidebar(live_server, page, manager, scheduler):
    site, chairs = make_clinic()
    for n, chair in enumerate(chairs.values()):
        order = make_order(manager)
        cycles.cycle_book(
            order=order, chair=chair, start=at("2027-03-02", f"{8 + n:02d}:00"), created_by=scheduler
        )
    log_in(page, live_server, scheduler, f"/admin/scheduling/site/{site.pk}/board/2027-03-02/")

    page.emulate_media(media="print")
    assert not page.locator("#nav-sidebar").is_visible()
    assert not page.locator("#header").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desk-day-board-print.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)

    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    size = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert float(size.group(1)) > float(size.group(2)), "landscape"
