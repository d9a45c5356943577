"""Discontinuing, holding and replacing an order with bookings to come: what happens to the bookings
and their authorization units. The clinic is tests/infusions/calendar.py (now: Mon 1 March 2027)."""

from decimal import Decimal as D

import pytest

from clinic.errors import Conflict
from infusions import cycles, services
from infusions.models import OrderStatus, TreatmentOrder
from insurance.models import AuthorizationUsage
from insurance.selectors import authorization_list
from scheduling.models import Booking, BookingStatus
from scheduling.services import booking_set_status
from tests.infusions.calendar import at, make_order
from tests.insurance.factories import CoverageFactory, PayerFactory, make_authorization

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_now")]


def _two_cycles_booked(manager, scheduler, chairs):
    order = make_order(manager)
    coverage = CoverageFactory(patient=order.patient, payer=PayerFactory(code="acme-health"))
    auth = make_authorization(coverage, status="approved", units=560)
    first = cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)
    second = cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-23"), created_by=scheduler)
    return order, auth, first[0], second[0]


def _status(booking):
    return Booking.objects.get(pk=booking.pk).status


def test_discontinuing_cancels_the_bookings_to_come_and_releases_their_units(manager, scheduler, chairs):
    order, auth, first, second = _two_cycles_booked(manager, scheduler, chairs)
    assert authorization_list().get(pk=auth.pk).remaining_units == 280

    services.order_discontinue(order=order, reason="Anaphylaxis at cycle 1", by=manager)

    assert (_status(first), _status(second)) == (BookingStatus.CANCELLED, BookingStatus.CANCELLED)
    assert authorization_list().get(pk=auth.pk).remaining_units == 560
    assert set(AuthorizationUsage.objects.values_list("status", flat=True)) == {"released"}
    # The booking says which order change cancelled it, not the clinical reason.
    assert Booking.objects.get(pk=first.pk).cancel_reason == f"Order {order.pk} discontinued"


def test_discontinuing_keeps_a_session_already_checked_in(manager, scheduler, chairs, calendar_now):
    order, _, first, second = _two_cycles_booked(manager, scheduler, chairs)
    calendar_now.move_to(at("2027-03-02", "08:45"))
    booking_set_status(booking=first, status=BookingStatus.CHECKED_IN, by=scheduler)

    assert list(services.order_future_bookings(order)) == [second]
    services.order_discontinue(order=order, reason="Switching product", by=manager)

    assert (_status(first), _status(second)) == (BookingStatus.CHECKED_IN, BookingStatus.CANCELLED)


def test_a_hold_keeps_the_bookings_unless_asked_and_records_its_reason(manager, scheduler, chairs):
    order, auth, first, second = _two_cycles_booked(manager, scheduler, chairs)

    services.order_set_status(order=order, status=OrderStatus.ON_HOLD, reason="Febrile, recheck in a week")

    assert TreatmentOrder.objects.get(pk=order.pk).hold_reason == "Febrile, recheck in a week"
    assert (_status(first), _status(second)) == (BookingStatus.BOOKED, BookingStatus.BOOKED)

    services.order_set_status(order=order, status=OrderStatus.ACTIVE)
    assert TreatmentOrder.objects.get(pk=order.pk).hold_reason == ""
    services.order_set_status(
        order=order, status=OrderStatus.ON_HOLD, reason="Admitted", cancel_bookings=True
    )

    assert (_status(first), _status(second)) == (BookingStatus.CANCELLED, BookingStatus.CANCELLED)
    assert authorization_list().get(pk=auth.pk).remaining_units == 560


def test_replacing_cancels_the_old_orders_bookings_to_come_and_links_the_new_order(
    manager, scheduler, chairs
):
    order, auth, first, second = _two_cycles_booked(manager, scheduler, chairs)

    new = services.order_replace(
        order=order, reason="Dose change", created_by=manager, dose_grams_per_kg=D("2")
    )

    assert (_status(first), _status(second)) == (BookingStatus.CANCELLED, BookingStatus.CANCELLED)
    assert authorization_list().get(pk=auth.pk).remaining_units == 560
    assert (new.replaces_id, new.dose_grams_per_kg, new.status) == (order.pk, D("2"), OrderStatus.ACTIVE)


def test_a_second_discontinue_changes_nothing(manager, scheduler, chairs):
    order, *_ = _two_cycles_booked(manager, scheduler, chairs)
    services.order_discontinue(order=order, reason="First", by=manager)

    with pytest.raises(Conflict) as again:
        services.order_discontinue(order=order, reason="Second", by=manager)

    assert again.value.code == "order_discontinued"
    assert TreatmentOrder.objects.get(pk=order.pk).discontinued_reason == "First"
