"""Offline, a reload keeps the page and its queue: the service worker serves the page as last loaded
and says so; the entries kept on the tablet are sent when the network is back."""

import re

import pytest
from playwright.sync_api import expect

from charting.models import VitalsReading
from tests.browser import test_chairside_session as chairside

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

clocks, booked = chairside.clocks, chairside.booked
checked_in, running = chairside.checked_in, chairside.running
SIZES = {"landscape": {"width": 1180, "height": 820}, "portrait": {"width": 820, "height": 1180}}


@pytest.mark.parametrize("size", list(SIZES))
def test_a_reload_while_offline_keeps_the_page_and_the_queue(
    live_server, page, screenshot, nurse, running, size
):
    page.set_viewport_size(SIZES[size])
    chairside.log_in(page, live_server, nurse)
    url = f"{live_server.url}/chairside/bookings/{running.booking_id}/"
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker, which keeps the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "caches.open('chairside-v1').then(c => c.keys()).then(k => k.some(r => r.url.includes('/bookings/')))"
    )
    before = VitalsReading.objects.count()

    page.context.set_offline(True)
    form = page.locator('form[data-label="Vitals"]')
    for name, value in (chairside.VITALS | {"heart_rate": "77"}).items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator("button.big").click()
    expect(form.locator(".form-status")).to_contain_text("NOT saved yet (offline)")

    page.reload()  # no network: the page comes from the tablet, the entry is still waiting
    banner = page.locator("#offline-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("1 entry is NOT saved yet")
    expect(banner).to_contain_text(re.compile(r"This page is as it was at \d\d:\d\d"))
    expect(page.locator('form[data-label="Vitals"]')).to_be_visible()
    screenshot(f"tablet-offline-reload-{size}")
    assert VitalsReading.objects.count() == before

    with page.expect_navigation(timeout=15000):
        page.context.set_offline(False)
    expect(page.locator("#flash")).to_contain_text("sent after reconnecting")
    assert VitalsReading.objects.count() == before + 1
