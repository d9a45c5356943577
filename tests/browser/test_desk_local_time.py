"""Local time on a booking's pages, in Debian's Chromium at 1366x768 with the browser's clock in UTC
(as on a laptop set wrong): the pages still speak the site's time, labelled, with no offset note."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.browser.conftest import ARTIFACTS
from tests.factories import PatientFactory, SiteFactory, WeightFactory
from tests.scheduling.factories import BookingFactory, ChairFactory, OpeningHoursFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(datetime(2027, 3, 1, 6, 0, tzinfo=NEW_YORK), tick=True) as traveller:
        yield traveller


def test_a_bookings_pages_show_new_york_time_with_its_zone_and_no_offset_note(live_server, page, scheduler):
    # A browser whose clock is in UTC, five hours from the clinic.
    context = page.context.browser.new_context(viewport={"width": 1366, "height": 768}, timezone_id="UTC")
    page = context.new_page()
    site = SiteFactory(name="Riverside", time_zone="America/New_York")
    OpeningHoursFactory(site=site, weekday=1, opens=time(7), closes=time(19))
    patient = PatientFactory(family_name="Whitfield")
    WeightFactory(patient=patient)
    booking = BookingFactory(
        chair=ChairFactory(site=site, name="R1"),
        patient=patient,
        start=datetime(2027, 3, 2, 9, 30, tzinfo=NEW_YORK),
        end=datetime(2027, 3, 2, 13, 45, tzinfo=NEW_YORK),
    )
    page.goto(f"{live_server.url}/admin/login/?next=/admin/scheduling/booking/{booking.pk}/change/")
    page.fill("#id_username", scheduler.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") in ("UTC", "Etc/UTC")
    screenshot = screenshots(page)

    text = page.locator("#content").inner_text()
    assert f"Booking #{booking.pk} 2027-03-02 09:30 EST" in text
    assert "Tue 02 Mar 2027 09:30 EST" in text and "Tue 02 Mar 2027 13:45 EST" in text
    assert "14:30" not in text
    screenshot("desk-booking-local-time")

    with page.expect_navigation():
        page.click("text=Cancel booking")
    assert "Tue 02 Mar 2027 09:30 EST" in page.locator("#content").inner_text()
    with page.expect_navigation():
        page.click("text=Booking #")
    with page.expect_navigation():
        page.click("text=Move booking")
    assert "Riverside's local time (EST, America/New_York)" in page.locator("#content").inner_text()
    screenshot("desk-booking-move-local-time")

    page.goto(f"{live_server.url}/admin/patients/patient/{patient.pk}/change/")
    page.wait_for_load_state("load")
    assert page.locator(".datetimeshortcuts").count() > 0  # the date-time widgets are there
    assert page.locator(".timezonewarning").count() == 0
    assert "server time" not in page.content()
    context.close()


def screenshots(page):
    def take(name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take
