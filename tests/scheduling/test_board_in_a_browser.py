"""The day board in headless Chromium, with a screenshot kept under artifacts/screenshots/."""

from datetime import timedelta

import pytest

from tests.factories import PatientFactory
from tests.scheduling.conftest import TUESDAY, at
from tests.scheduling.factories import BookingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_scheduler_opens_the_day_board_and_clicks_through_to_a_booking(
    live_server, page, screenshot, scheduler, clinic, chairs
):
    people = [PatientFactory(family_name=name) for name in ("Whitfield", "Castellanos", "Novak", "Haldane")]
    starts = ("07:00", "07:30", "09:00", "10:15")
    for chair, patient, start, hours in zip(chairs[:4], people, starts, (4, 5, 6, 3), strict=True):
        BookingFactory(chair=chair, patient=patient, start=at(start), end=at(start) + timedelta(hours=hours))
    BookingFactory(chair=chairs[4], start=at("13:00"), end=at("17:00"), status="cancelled")
    target = BookingFactory(chair=chairs[5], start=at("12:00"), end=at("16:15"), status="checked_in")

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", scheduler.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/scheduling/site/{clinic.pk}/board/{TUESDAY.isoformat()}/")

    assert page.locator("#day-board .bar").count() == 6
    assert page.locator("#nurse-load div").count() == 48
    screenshot("scheduling-day-board")

    page.click(f'.bar[data-booking="{target.pk}"]')  # the booking's menu: open, move, cancel, no-show
    with page.expect_navigation():
        page.click("#board-actions >> text=Open booking")
    assert f"/admin/scheduling/booking/{target.pk}/change/" in page.url
    assert "Checked in" in page.content()
