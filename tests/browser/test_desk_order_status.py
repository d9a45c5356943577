"""An order's status from its page in Debian's Chromium at 1366x768: discontinue, hold and replace, each
with a reason, each saying first what happens to the order's bookings. The clinic is
tests/infusions/calendar.py (now: Monday 1 March 2027, 06:00 New York)."""

from decimal import Decimal as D

import pytest
import time_machine

from infusions import cycles
from infusions.models import OrderStatus, TreatmentOrder
from insurance.selectors import authorization_list
from scheduling.models import Booking, BookingStatus
from tests.browser.test_desk_booking import log_in
from tests.infusions.calendar import NOW, at, make_clinic, make_order
from tests.insurance.factories import CoverageFactory, PayerFactory, make_authorization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def booked(manager, scheduler):
    """An order with cycles 1 and 2 booked against an approved authorization of 560 units."""
    _, chairs = make_clinic()
    order = make_order(manager, cycles=6)
    coverage = CoverageFactory(patient=order.patient, payer=PayerFactory(code="acme-health"))
    auth = make_authorization(coverage, status="approved", units=560)
    for day in ("2027-03-02", "2027-03-23"):
        cycles.cycle_book(order=order, chair=chairs["R1"], start=at(day), created_by=scheduler)
    return order, auth


def _statuses(order):
    return sorted(Booking.objects.filter(cycle_day__order=order).values_list("status", flat=True))


def _order_page(page, live_server, user, order):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, user, f"/admin/infusions/treatmentorder/{order.pk}/change/")


def test_discontinuing_says_which_bookings_are_cancelled_and_records_the_reason(
    live_server, page, screenshot, manager, booked
):
    order, auth = booked
    _order_page(page, live_server, manager, order)

    with page.expect_navigation():
        page.click(".object-tools >> text=Discontinue")
    fate = page.locator("#bookings-fate").inner_text()
    assert "2 bookings to come will be cancelled" in fate
    assert "reserved authorization units (280) released" in fate
    assert "Tue 02 Mar 2027, 09:00-13:15 EST" in fate and "Tue 23 Mar 2027, 09:00-13:15 EDT" in fate
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot("desk-order-discontinue-confirm")

    page.click("input[value=Discontinue]")  # no reason: the browser asks for one, nothing is sent
    assert page.evaluate("document.querySelector('#id_reason').validity.valueMissing")
    assert TreatmentOrder.objects.get(pk=order.pk).status == OrderStatus.ACTIVE

    page.fill("#id_reason", "Grade 3 reaction at cycle 1")
    with page.expect_navigation():
        page.click("input[value=Discontinue]")
    status = page.locator(".field-order_status").inner_text()
    assert "Discontinued" in status and "Grade 3 reaction at cycle 1" in status
    assert "no cycle can be booked" in page.content()
    assert _statuses(order) == [BookingStatus.CANCELLED] * 2
    assert authorization_list().get(pk=auth.pk).remaining_units == 560
    screenshot("desk-order-discontinued")


def test_a_hold_keeps_the_bookings_shows_its_reason_and_can_be_lifted(
    live_server, page, screenshot, manager, booked
):
    order, _ = booked
    _order_page(page, live_server, manager, order)

    with page.expect_navigation():
        page.click(".object-tools >> text=Put on hold")
    assert (
        "2 bookings to come are kept unless you tick the box" in page.locator("#bookings-fate").inner_text()
    )
    page.fill("#id_reason", "Febrile; recheck next week")
    screenshot("desk-order-hold-confirm")
    with page.expect_navigation():
        page.click("input[value='Put on hold']")

    assert "on hold because: Febrile; recheck next week" in page.locator(".field-order_status").inner_text()
    assert page.locator("text=Book next cycle").count() == 0
    assert _statuses(order) == [BookingStatus.BOOKED] * 2
    screenshot("desk-order-on-hold")

    with page.expect_navigation():
        page.click(".object-tools >> text=Make active again")
    with page.expect_navigation():
        page.click("input[value='Make active']")
    assert TreatmentOrder.objects.get(pk=order.pk).status == OrderStatus.ACTIVE
    assert page.locator("text=Book next cycle").count() == 1


def test_replacing_opens_order_entry_prefilled_and_links_old_and_new(
    live_server, page, screenshot, manager, booked
):
    order, _ = booked
    _order_page(page, live_server, manager, order)

    with page.expect_navigation():
        page.click(".object-tools >> text=Replace")
    assert page.input_value("#id_dose_grams_per_kg") == "1.000"
    assert page.input_value("#id_indication_code") == order.indication.code
    assert order.patient.family_name in page.locator(".field-patient").inner_text()
    assert "2 bookings to come will be cancelled" in page.locator("#replacing").inner_text()
    page.locator("#live-plan").get_by_text("255 min (4 h 15 min)").wait_for()  # the plan as ordered

    page.fill("#id_dose_grams_per_kg", "2")
    page.locator("#live-plan").get_by_text("140 g").first.wait_for()
    with page.expect_navigation():
        page.click("input[name=_save]")  # no reason yet: refused
    assert TreatmentOrder.objects.count() == 1
    page.fill("#id_replace_reason", "Dose raised after review")
    screenshot("desk-order-replace-form")
    with page.expect_navigation():
        page.click("input[name=_save]")

    new = TreatmentOrder.objects.exclude(pk=order.pk).get()
    old = TreatmentOrder.objects.get(pk=order.pk)
    assert (new.replaces_id, new.dose_grams_per_kg, new.status) == (order.pk, D("2"), OrderStatus.ACTIVE)
    assert (old.status, old.discontinued_reason) == (OrderStatus.DISCONTINUED, "Dose raised after review")
    page.goto(f"{live_server.url}/admin/infusions/treatmentorder/{new.pk}/change/")
    assert f"replaces order {order.pk}" in page.locator(".field-order_status").inner_text()
    page.click(f".field-order_status >> text=order {order.pk}")
    page.wait_for_url(f"**/treatmentorder/{order.pk}/change/")
    assert f"replaced by order {new.pk}" in page.locator(".field-order_status").inner_text()
    screenshot("desk-order-replaced")
