"""The scheduler's desk in Debian's Chromium at 1366x768: booking an order's next cycle through the
slot finder, and a series of four with one cycle that cannot be placed and its reason."""

from datetime import date, datetime

import pytest
import time_machine

from infusions.models import CycleDay
from scheduling.models import Booking
from tests.infusions.calendar import NOW, make_clinic, make_order
from tests.scheduling.factories import ClosureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def desk_page(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


def log_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("input[type=submit]")


def test_a_scheduler_books_the_next_cycle_from_the_order_in_three_clicks(
    live_server, desk_page, screenshot, manager, scheduler
):
    page = desk_page
    make_clinic()
    order = make_order(manager, cycles=6)
    log_in(page, live_server, scheduler, f"/admin/infusions/treatmentorder/{order.pk}/change/")

    with page.expect_navigation():
        page.click("text=Book next cycle")  # click 1
    assert page.locator("#slots tbody tr").count() > 0
    first = page.locator("#slots tbody tr").first
    assert "Mon 01 Mar 2027, 08:00-12:15 EST" in first.inner_text()
    assert "of nurse capacity" in first.inner_text()
    assert page.locator(".pic .pick").count() == page.locator("#slots tbody tr").count()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot("desk-slot-finder")

    with page.expect_navigation():
        first.locator("text=Choose").click()  # click 2
    assert Booking.objects.count() == 0
    assert "Cycle 1 of 6" in page.locator("#preview").inner_text()
    assert "Will be booked" in page.locator("#preview").inner_text()
    screenshot("desk-cycle-preview")

    with page.expect_navigation():
        page.click("text=Book this cycle")  # click 3
    assert "1 of 1 cycle(s) booked." in page.content()
    cycle_day = CycleDay.objects.get(order=order)
    assert (cycle_day.cycle, cycle_day.booking.duration_minutes) == (1, 255)
    assert cycle_day.booking.start == datetime.fromisoformat("2027-03-01T08:00-05:00")

    page.click("text=Back to the order")
    page.wait_for_load_state()
    assert "Mon 01 Mar 2027, 08:00-12:15 EST" in page.locator(".order-cycles").inner_text()
    screenshot("desk-order-with-its-cycle")


def test_a_series_of_four_shows_the_cycle_that_cannot_be_placed_and_why(
    live_server, desk_page, screenshot, manager, scheduler
):
    page = desk_page
    site, _ = make_clinic()
    ClosureFactory(site=site, starts_on=date(2027, 4, 9), ends_on=date(2027, 4, 16), reason="Renovation")
    order = make_order(manager, interval_days=21)
    log_in(page, live_server, scheduler, f"/admin/infusions/treatmentorder/{order.pk}/change/")

    with page.expect_navigation():
        page.click("text=Book the next N cycles")
    assert page.input_value("#id_cycles") == "4"
    page.fill("#id_date_from", "2027-03-02")
    page.fill("#id_date_to", "2027-03-02")
    page.check("input[name=weekdays][value='1']")
    with page.expect_navigation():
        page.click("input[value='Find slots']")
    with page.expect_navigation():
        page.locator("#slots tbody tr").first.locator("text=Preview 4 cycles").click()

    rows = page.locator("#preview tbody tr")
    assert rows.count() == 4
    assert [rows.nth(i).get_attribute("data-status") for i in range(4)] == [
        "booked",
        "booked",
        "not_placed",
        "booked",
    ]
    assert "3 of 4: No cycle number" in rows.nth(2).inner_text()
    assert "4 of 4: Cycle 3" in rows.nth(3).inner_text()
    assert "Cannot be placed" in rows.nth(2).inner_text()
    assert "closed" in rows.nth(2).inner_text().lower()
    assert "EDT" in rows.nth(1).inner_text()  # 23 March, after the change to daylight time
    assert Booking.objects.count() == 0
    screenshot("desk-series-preview")

    with page.expect_navigation():
        page.click("text=Book these cycles")
    assert "3 of 4 cycle(s) booked." in page.content()
    assert sorted(CycleDay.objects.filter(order=order).values_list("cycle", flat=True)) == [1, 2, 3]
    screenshot("desk-series-booked")
