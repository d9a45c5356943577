"""The board on a tablet in Debian's Chromium: nurses pick their chairs (and take one over, and give it
back), and an overdue item can sound, once the nurse has turned the sound on, never before a touch.
Screenshots under artifacts/screenshots/."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from charting.models import ChairAssignment
from charting.services import handover
from clinic.roles import Role
from tests.browser import test_chairside_session as chairside
from tests.scheduling.factories import SiteMembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

clocks, booked = chairside.clocks, chairside.booked
checked_in, running = chairside.checked_in, chairside.running
SIZES = {"landscape": {"width": 1180, "height": 820}, "portrait": {"width": 820, "height": 1180}}


def card(page, chair):
    return page.locator(f'article.chair[data-chair="{chair.pk}"]')


def tap(page, locator):
    """Tap a chair's button: the board saves it and comes back with the result."""
    with page.expect_navigation():
        locator.click()


@pytest.mark.parametrize("size", list(SIZES))
def test_nurses_pick_their_chairs_on_the_board(
    live_server, page, screenshot, nurse, booked, django_user_model, size
):
    page.set_viewport_size(SIZES[size])
    chair = booked.chair
    chairside.log_in(page, live_server, nurse)
    r1 = card(page, chair)
    expect(r1.locator("[data-nurse]")).to_have_text("No nurse yet")
    expect(page.locator("#my-chairs")).to_have_text("Pick the chairs you look after today.")

    tap(page, r1.get_by_role("button", name="Take this chair"))
    expect(r1).to_have_class(re.compile(r"\bmine\b"))
    expect(r1.locator("[data-nurse]")).to_have_text("Yours")
    expect(page.locator("#my-chairs")).to_have_text("You look after 1 chair.")
    assert ChairAssignment.objects.get(chair=chair).nurse == nurse
    screenshot(f"tablet-board-my-chair-{size}")

    # Another nurse takes it on her own tablet; this board shows it at its next load, and she takes it back.
    other = django_user_model.objects.create_user(username="olga_nurse", first_name="Olga", last_name="Ruiz")
    other.groups.add(Group.objects.get(name=Role.NURSE.value))
    SiteMembershipFactory(site=chair.site, user=other)
    handover.chair_take(chair=chair, nurse=other)
    page.reload()
    expect(r1.locator("[data-nurse]")).to_have_text("Nurse: Olga Ruiz")
    tap(page, r1.get_by_role("button", name="Take over"))
    expect(r1.locator("[data-nurse]")).to_have_text("Yours")
    assert ChairAssignment.objects.get(chair=chair).nurse == nurse

    tap(page, r1.get_by_role("button", name="Give back"))
    expect(r1.locator("[data-nurse]")).to_have_text("No nurse yet")
    assert not ChairAssignment.objects.filter(chair=chair).exists()


def beeps(page) -> int:
    return int(page.locator("#sound-toggle").get_attribute("data-beeps") or 0)


def test_an_overdue_item_sounds_only_once_the_nurse_turned_the_sound_on(
    live_server, page, screenshot, nurse, running, clocks
):
    page.set_viewport_size(SIZES["landscape"])
    clocks.later(20)  # vitals were due 15 minutes after the start
    chairside.log_in(page, live_server, nurse)
    overdue = card(page, running.booking.chair)
    expect(overdue).to_have_class(re.compile(r"\boverdue\b"))
    toggle = page.locator("#sound-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")  # off by default
    page.mouse.click(5, 300)
    assert beeps(page) == 0

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("Sound for overdue: on")
    expect(toggle).to_have_attribute("data-beeps", "1")  # the overdue vitals, at once
    screenshot("tablet-board-sound-on")

    page.reload()  # the board reloads itself every minute: the same item does not sound again
    expect(toggle).to_have_attribute("aria-pressed", "true")  # remembered on the tablet
    page.mouse.click(5, 300)
    assert beeps(page) == 0

    # Another tab of the same tablet: the sound is on there too, and the overdue item waits for a touch.
    second = page.context.new_page()
    second.set_viewport_size(SIZES["landscape"])
    second.goto(f"{live_server.url}/chairside/")
    waiting = second.locator("#sound-toggle")
    expect(waiting).to_have_attribute("data-waiting", "1")
    assert not waiting.get_attribute("data-beeps")  # nothing before a touch
    second.mouse.click(5, 300)
    expect(waiting).to_have_attribute("data-beeps", "1")
    second.close()

    toggle.click()  # off again: nothing sounds
    expect(toggle).to_have_attribute("aria-pressed", "false")
