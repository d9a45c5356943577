"""The nurse roster in Debian's Chromium at 1366x768: a manager tries to remove a nurse's shift that
five booked patients need, and the roster refuses, naming the bookings."""

from datetime import timedelta

import pytest

from scheduling.models import NurseShift
from tests.scheduling.conftest import TUESDAY, at
from tests.scheduling.factories import BookingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_roster_refuses_a_shift_removal_that_strands_bookings(
    live_server, page, screenshot, manager, clinic, chairs
):
    page.set_viewport_size({"width": 1366, "height": 768})
    bookings = [
        BookingFactory(chair=chair, start=at("10:00") + n * timedelta(minutes=15), end=at("13:00"))
        for n, chair in enumerate(chairs[:5])
    ]
    omar = NurseShift.objects.get(site=clinic, name="Omar", start=at("06:00"))
    url = f"/admin/scheduling/site/{clinic.pk}/roster/{TUESDAY.isoformat()}/"
    page.goto(f"{live_server.url}/admin/login/?next={url}")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.locator("#roster tbody tr").count() == 3  # Nell, Omar, and the count of nurses on
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot("desk-roster")

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.click(f'.shift[data-shift="{omar.pk}"] button')
    assert asked == ["Remove Omar's shift 06:00-20:00 EST?"]

    message = page.locator(".messagelist .error").inner_text()
    assert "would leave 5 booking(s) over nurse capacity" in message
    assert f"#{bookings[0].pk} Tue 02 Mar 10:00 EST in R1" in message
    assert page.locator(".messagelist .error a").count() == 5
    assert NurseShift.objects.filter(pk=omar.pk).exists()
    screenshot("desk-roster-refused")

    with page.expect_navigation():
        page.click("text=Copy this week forward")
    assert "14 shift(s) added" not in page.content()  # the fortnight's next week is rostered already
    assert "0 shift(s) added, 14 already there." in page.content()
