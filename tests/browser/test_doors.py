"""The doors in a real browser: login lockout, staff idle logoff, the tablet's screen lock, and pages
that still work under a Content-Security-Policy that allows no inline script.

The server's clock (time-machine) and, on the tablet, the browser's (Playwright's page.clock) are pinned
together, so the suite gives the same answer at any hour.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

from charting.models import VitalsReading
from tests.browser import test_chairside_session as chairside
from tests.factories import PatientFactory
from tests.infusions.calendar import NEW_YORK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOON = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
MORNING = datetime(2027, 3, 2, 9, 0, tzinfo=NEW_YORK)  # a Tuesday inside make_clinic's nurse shifts
TABLET_LANDSCAPE = {"width": 1180, "height": 820}
DESK = {"width": 1366, "height": 768}
VITALS = {"systolic": "122", "diastolic": "76", "heart_rate": "70", "spo2": "98", "temperature_c": "36.6"}


RIGHT = "pw-for-tests"


def _admin_login(page, live_server, user, password=RIGHT):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("input[type=submit]")


def test_a_guessed_admin_login_is_locked_with_a_message_and_opens_after_the_cool_off(
    live_server, page, screenshot, manager
):
    page.set_viewport_size(DESK)
    with time_machine.travel(NOON, tick=True) as server:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _admin_login(page, live_server, manager, password="guessing-wrong")
        _admin_login(page, live_server, manager)

        note = page.locator(".errornote")
        expect(note).to_contain_text("Too many failed logins")
        expect(note).to_contain_text(f"blocked for {settings.LOGIN_COOLOFF_MINUTES} minutes")
        assert "/admin/login/" in page.url
        screenshot("doors-admin-locked-out")

        server.shift(timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES, seconds=5))
        _admin_login(page, live_server, manager)
        expect(page.locator("#site-name")).to_contain_text("Infusion Clinic")
        assert page.url.endswith("/admin/")


def test_an_idle_admin_is_signed_out_and_told_why(live_server, page, screenshot, manager):
    page.set_viewport_size(DESK)
    PatientFactory(family_name="Whitfield")
    with time_machine.travel(NOON, tick=True) as server:
        _admin_login(page, live_server, manager)
        page.goto(f"{live_server.url}/admin/patients/patient/")
        expect(page.locator("#result_list")).to_contain_text("Whitfield")

        server.shift(timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1, seconds=5))
        with page.expect_navigation():
            page.locator("#result_list tbody th a").first.click()

        assert "/admin/login/" in page.url
        expect(page.locator("body")).to_contain_text(
            f"signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity"
        )
        expect(page.locator("body")).not_to_contain_text("Whitfield")
        screenshot("doors-admin-idle-signed-out")


@pytest.fixture
def clocks(page):
    """The server's and the browser's clocks at MORNING, ticking; `clocks.later(minutes)` moves both."""
    with time_machine.travel(MORNING, tick=True) as server:
        page.clock.install(time=MORNING)

        class Clocks:
            @staticmethod
            def later(minutes: float) -> None:
                server.shift(timedelta(minutes=minutes))
                page.clock.fast_forward(int(minutes * 60_000))

        yield Clocks


# The chairside session test's booking and running session, on this module's own clocks.
booked, checked_in, running = chairside.booked, chairside.checked_in, chairside.running


def _queued(page) -> int:
    return page.evaluate("JSON.parse(localStorage.getItem('chairside.queue') || '[]').length")


def test_an_idle_tablet_locks_keeps_its_offline_entry_and_sends_it_after_the_password(
    live_server, page, screenshot, nurse, running, clocks
):
    page.set_viewport_size(TABLET_LANDSCAPE)
    page.goto(f"{live_server.url}/chairside/")
    page.fill("#id_username", nurse.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{live_server.url}/chairside/bookings/{running.booking_id}/")
    before = VitalsReading.objects.count()

    # The Wi-Fi drops; the nurse charts vitals, which wait on the tablet, and walks away.
    page.context.set_offline(True)
    form = page.locator('form[data-label="Vitals"]')
    for name, value in VITALS.items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-status")).to_contain_text("NOT saved yet (offline)")
    assert _queued(page) == 1

    clocks.later(settings.CHAIRSIDE_LOCK_MINUTES)

    lock = page.locator("#screen-lock")
    expect(lock).to_be_visible()
    expect(page.locator("main")).to_be_hidden()
    expect(lock).to_contain_text("1 entry waits on this tablet")
    screenshot("doors-tablet-locked")

    # Back online while locked: nothing is sent, nothing is dropped, and a reload stays locked.
    page.context.set_offline(False)
    page.wait_for_timeout(1500)
    assert _queued(page) == 1
    assert VitalsReading.objects.count() == before
    page.reload()
    expect(lock).to_be_visible()
    expect(page.locator("main")).to_be_hidden()
    assert _queued(page) == 1

    page.fill("#screen-lock-password", "not-her-password")
    lock.locator("button").click()
    expect(lock.locator(".lock-error")).to_contain_text("not your password")
    assert page.context.request.get(f"{live_server.url}/chairside/").url.endswith(
        "/chairside/unlock/?next=%2Fchairside%2F"
    ), "the server holds the lock too"

    page.fill("#screen-lock-password", "pw-for-tests")
    with page.expect_navigation(timeout=15000):
        lock.locator("button").click()  # unlocked: the queued entry goes out and the page says so
    expect(page.locator("#flash")).to_contain_text("sent after reconnecting", timeout=15000)
    assert VitalsReading.objects.count() == before + 1
    assert _queued(page) == 0


def test_the_lock_overlay_unlocks_in_place_and_the_page_goes_on(live_server, page, nurse, running, clocks):
    page.set_viewport_size(TABLET_LANDSCAPE)
    page.goto(f"{live_server.url}/chairside/")
    page.fill("#id_username", nurse.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{live_server.url}/chairside/bookings/{running.booking_id}/")

    clocks.later(settings.CHAIRSIDE_LOCK_MINUTES - 1)
    page.mouse.click(5, 400)  # a touch keeps the tablet awake
    clocks.later(1.5)
    expect(page.locator("#screen-lock")).to_have_count(0)

    clocks.later(settings.CHAIRSIDE_LOCK_MINUTES)
    lock = page.locator("#screen-lock")
    expect(lock).to_be_visible()
    page.fill("#screen-lock-password", "pw-for-tests")
    lock.locator("button").click()
    expect(lock).to_be_hidden()
    expect(page.locator("main")).to_be_visible()
    form = page.locator('form[data-label="Vitals"]')
    for name, value in VITALS.items():
        form.locator(f'[name="{name}"]').fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("#flash")).to_contain_text("Vitals saved")


def test_admin_pages_and_the_api_docs_work_under_the_content_security_policy(
    live_server, page, screenshot, manager
):
    page.set_viewport_size(DESK)
    violations = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    PatientFactory(family_name="Whitfield", given_name="Ada")
    with time_machine.travel(NOON, tick=True):
        _admin_login(page, live_server, manager)
        for url in ["/admin/", "/admin/patients/patient/", "/admin/auditlog/logentry/"]:
            page.goto(f"{live_server.url}{url}")
        # The order form's patient type-ahead is the admin's own script (select2) at work.
        page.goto(f"{live_server.url}/admin/infusions/treatmentorder/add/")
        page.locator(".select2-selection").first.click()
        page.keyboard.type("Whit")
        expect(page.locator(".select2-results__option").first).to_contain_text("Whitfield", timeout=10000)
        screenshot("doors-admin-autocomplete-under-csp")
        page.goto(f"{live_server.url}/api/docs/")
        expect(page.locator(".swagger-ui .info")).to_be_visible(timeout=15000)

    assert violations == []
