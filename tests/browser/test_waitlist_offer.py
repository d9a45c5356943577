"""A waitlisted patient takes an earlier chair from the offer link on a phone (390x844), in Debian's
Chromium: the offer, the big button, the booking shown where the button was. Then the other patient
who was offered it opens the link and is told it was just taken.
Screenshots: artifacts/screenshots/waitlist-*.png."""

import pytest
import time_machine
from playwright.sync_api import expect

from scheduling.models import Booking
from tests.waitlist.conftest import NOW, freed, token_of, waitlisted
from waitlist import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def offers(manager, settings):
    settings.SELFSERVICE_RATE_LIMIT = 100_000
    with time_machine.travel(NOW, tick=True):
        from tests.infusions.calendar import make_clinic

        _, chairs = make_clinic()
        entries = [waitlisted(manager) for _ in range(2)]
        slot = freed(manager, chairs["R1"])
        yield entries, services.slot_offer(slot_id=slot.pk)


def test_a_patient_takes_an_earlier_chair_from_the_offer_link_on_a_phone(
    live_server, page, screenshot, offers
):
    (first, second), (offer, other) = offers
    page.set_viewport_size(PHONE)
    with time_machine.travel(NOW, tick=True):
        page.goto(f"{live_server.url}/w/{token_of(offer)}")
        expect(page.locator("h1")).to_contain_text(f"Hello {first.patient.given_name}")
        expect(page.locator(".when")).to_contain_text("Wednesday 3 March 2027")
        expect(page.locator(".when")).to_contain_text("9:00 AM EST")
        take = page.get_by_role("button", name="Take this time")
        box = take.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300  # a thumb's target, the phone's width
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot("waitlist-offer-phone")

        take.click()

        expect(page.get_by_role("status")).to_contain_text("It is yours.")
        expect(page.locator(".when")).to_contain_text("Wednesday 3 March 2027")
        screenshot("waitlist-offer-taken-phone")
        assert Booking.objects.get(patient=first.patient).start == offer.slot.start

        page.goto(f"{live_server.url}/w/{token_of(other)}")  # the other patient, a moment late
        expect(page.get_by_role("button", name="Take this time")).to_have_count(0)
        expect(page.get_by_role("status")).to_contain_text("This time has just been taken.")
        screenshot("waitlist-offer-gone-phone")
        assert not Booking.objects.filter(patient=second.patient).exists()
