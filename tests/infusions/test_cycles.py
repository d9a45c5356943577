"""Booking an order's cycles: one cycle (one booking per day of a split dose), and series at the
order's interval. The clinic is tests/infusions/calendar.py: weekdays 08:00-18:00 in New York."""

from datetime import UTC, date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.errors import Conflict
from infusions import cycles, series, services
from infusions.models import CycleDay
from scheduling.models import Booking
from scheduling.services import booking_cancel
from tests.factories import RiskFlagFactory
from tests.infusions.calendar import NEW_YORK, at, make_order
from tests.scheduling.factories import BookingFactory, ClosureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_now")]


def local(booking):
    return booking.start.astimezone(NEW_YORK).strftime("%a %Y-%m-%d %H:%M"), booking.chair.name


def occupy(chair, start, minutes=255):
    return BookingFactory(chair=chair, start=start, end=start + timedelta(minutes=minutes))


def test_a_one_day_cycle_books_the_chair_minutes_of_the_plan(manager, scheduler, chairs):
    # The worked example: 189.4 min of infusion + 30 + 30 = 249.4 -> 255 min on the 15-minute grid.
    order = make_order(manager)

    [booking] = cycles.cycle_book(
        order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler
    )
    [second] = cycles.cycle_book(
        order=order, chair=chairs["R1"], start=at("2027-03-23"), created_by=scheduler
    )

    assert booking.duration_minutes == 255
    assert booking.end.astimezone(NEW_YORK).strftime("%H:%M") == "13:15"
    assert (booking.patient, booking.created_by) == (order.patient, scheduler)
    assert _day(booking) == (order.pk, 1, 1)
    assert _day(second) == (order.pk, 2, 1)


def _day(booking) -> tuple:
    cycle_day = CycleDay.objects.get(booking=booking)
    return cycle_day.order_id, cycle_day.cycle, cycle_day.day


def test_a_split_cycle_books_consecutive_open_days_skipping_the_weekend_and_closures(
    manager, scheduler, chairs
):
    # 2 g/kg x 70 kg = 140 g over 2 days: 70 g a day, the worked example's 255 minutes each day.
    # Friday 5 March, then Saturday and Sunday are closed and Monday 8 March is a closure: Tuesday 9 March.
    order = make_order(manager, dose_grams_per_kg=D("2"), split_days=2)
    ClosureFactory(site=chairs["R1"].site, starts_on=date(2027, 3, 8), ends_on=date(2027, 3, 8))

    bookings = cycles.cycle_book(
        order=order, chair=chairs["R1"], start=at("2027-03-05"), created_by=scheduler
    )

    assert [local(b) for b in bookings] == [("Fri 2027-03-05 09:00", "R1"), ("Tue 2027-03-09 09:00", "R1")]
    assert [b.duration_minutes for b in bookings] == [255, 255]
    assert [_day(b) for b in bookings] == [(order.pk, 1, n) for n in (1, 2)]


def test_a_split_day_takes_another_chair_of_the_kind_when_its_chair_is_taken(manager, scheduler, chairs):
    order = make_order(manager, dose_grams_per_kg=D("2"), split_days=2)
    occupy(chairs["R1"], at("2027-03-03", "08:00"), minutes=180)

    bookings = cycles.cycle_book(
        order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler
    )

    assert [local(b) for b in bookings] == [("Tue 2027-03-02 09:00", "R1"), ("Wed 2027-03-03 09:00", "R2")]


def test_a_split_cycle_with_a_day_that_cannot_be_placed_books_nothing_and_names_the_day(
    manager, scheduler, chairs
):
    order = make_order(manager, dose_grams_per_kg=D("2"), split_days=2)
    for name in ("R1", "R2"):  # both recliners taken on day 2; the bed is another kind
        occupy(chairs[name], at("2027-03-03", "08:00"), minutes=180)

    with pytest.raises(Conflict) as refused:
        cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)

    assert refused.value.code == "chair_conflict"
    assert refused.value.detail.startswith("Day 2 of 2 (Wed 2027-03-03): Chair R1 is booked")
    assert refused.value.extra["day"] == {"number": 2, "of": 2, "date": "2027-03-03"}
    assert not cycles.order_bookings(order.pk).exists()


def test_a_blocked_order_books_nothing_until_a_manager_overrides_the_block(manager, scheduler, chairs):
    order = make_order(manager)
    RiskFlagFactory(patient=order.patient, kind="prior_severe_ig_reaction")

    with pytest.raises(Conflict) as blocked:
        cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)
    assert blocked.value.code == "order_blocked"
    assert blocked.value.extra["checks"][0]["code"] == "contraindicated_prior_reaction"
    assert not Booking.objects.exists()

    services.block_override_record(
        order=order, code="contraindicated_prior_reaction", reason="Desensitised; premedicated", by=manager
    )
    bookings = cycles.cycle_book(
        order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler
    )

    assert [local(b) for b in bookings] == [("Tue 2027-03-02 09:00", "R1")]


def test_the_authorization_hook_can_refuse_a_cycle_and_nothing_is_booked(
    manager, scheduler, chairs, monkeypatch
):
    order = make_order(manager)
    seen = {}

    def refuse(*, order, plan, start):
        seen.update(order=order.pk, units=plan.billing_units, start=start)
        raise Conflict("authorization_required", "No approved authorization covers this cycle.")

    monkeypatch.setattr(cycles, "authorization_check", refuse)

    with pytest.raises(Conflict) as refused:
        cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)

    assert refused.value.code == "authorization_required"
    assert seen == {"order": order.pk, "units": 140, "start": at("2027-03-02")}
    assert not Booking.objects.exists()


def test_an_order_books_no_more_cycles_than_it_has_nor_before_it_starts(manager, scheduler, chairs):
    order = make_order(manager, cycles=1, start_date=date(2027, 3, 2))

    with pytest.raises(Conflict) as early:
        cycles.cycle_book(
            order=order, chair=chairs["R1"], start=at("2027-03-01", "10:00"), created_by=scheduler
        )
    cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)
    with pytest.raises(Conflict) as complete:
        cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-23"), created_by=scheduler)

    assert (early.value.code, complete.value.code) == ("before_order_start", "order_complete")


def test_a_cancelled_cycle_gives_its_number_back(manager, scheduler, chairs):
    order = make_order(manager, cycles=2)
    [first] = cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)
    cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-23"), created_by=scheduler)
    booking_cancel(booking=first, reason="Patient has a cold", by=scheduler)

    [again] = cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-04"), created_by=scheduler)

    assert _day(again) == (order.pk, 1, 1)


def test_a_series_keeps_weekday_and_local_time_across_dst_reports_a_closure_and_skips_booked_cycles_on_rerun(
    manager, scheduler, chairs
):
    # Every 21 days from Tuesday 2 March 09:00 EST: 23 March, 13 April and 4 May, 09:00 EDT (after the
    # 14 March change) -> 14:00 UTC first, 13:00 UTC after. The clinic is closed 10-16 April, so the
    # third cycle has no day within 3 days of its own: not placed, for the closure.
    order = make_order(manager)
    ClosureFactory(
        site=chairs["R1"].site, starts_on=date(2027, 4, 10), ends_on=date(2027, 4, 16), reason="Move"
    )

    outcomes = series.series_book(
        order=order, first_start=at("2027-03-02"), cycles=4, chair=chairs["R1"], created_by=scheduler
    )

    assert [o.status for o in outcomes] == ["booked", "booked", "not_placed", "booked"]
    booked = [o.bookings[0] for o in outcomes if o.bookings]
    assert [local(b) for b in booked] == [
        ("Tue 2027-03-02 09:00", "R1"),
        ("Tue 2027-03-23 09:00", "R1"),
        ("Tue 2027-05-04 09:00", "R1"),
    ]
    assert [b.start.astimezone(UTC).strftime("%H:%M") for b in booked] == ["14:00", "13:00", "13:00"]
    assert [o.cycle for o in outcomes] == [1, 2, None, 3]
    closed = outcomes[2]
    assert closed.target == at("2027-04-13")
    assert closed.code == "outside_hours"
    assert "closed on 2027-04-13 (Move)" in closed.detail

    again = series.series_book(
        order=order, first_start=at("2027-03-02"), cycles=4, chair=chairs["R1"], created_by=scheduler
    )

    assert [o.status for o in again] == ["already_booked", "already_booked", "not_placed", "already_booked"]
    assert [o.cycle for o in again] == [1, 2, None, 3]
    assert Booking.objects.count() == 3


def test_a_series_moves_a_taken_time_to_another_chair_then_to_the_nearest_open_day(
    manager, scheduler, chairs
):
    # Cycle 2 (23 March): R1 is taken, R2 is free at 09:00. Cycle 3 (13 April) is a closure; the nearest
    # days are Monday 12 and Wednesday 14 April (one day away each, the earlier first), same time.
    order = make_order(manager)
    occupy(chairs["R1"], at("2027-03-23", "08:00"))
    ClosureFactory(site=chairs["R1"].site, starts_on=date(2027, 4, 13), ends_on=date(2027, 4, 13))

    outcomes = series.series_book(
        order=order, first_start=at("2027-03-02"), cycles=3, chair=chairs["R1"], created_by=scheduler
    )

    assert [(o.status, o.moved, o.code) for o in outcomes] == [
        ("booked", False, ""),
        ("booked", True, "chair_conflict"),
        ("booked", True, "outside_hours"),
    ]
    assert [local(o.bookings[0]) for o in outcomes] == [
        ("Tue 2027-03-02 09:00", "R1"),
        ("Tue 2027-03-23 09:00", "R2"),
        ("Mon 2027-04-12 09:00", "R1"),
    ]


def test_a_series_without_nurses_reports_the_capacity_and_stops_at_the_orders_cycles(
    manager, scheduler, chairs
):
    # Nurses are rostered until the end of June: 13 July has none, nor any day within 3 days of it.
    ongoing, two_cycles = make_order(manager), make_order(manager, cycles=2)

    rostered = series.series_book(
        order=ongoing, first_start=at("2027-06-01"), cycles=3, chair=chairs["R1"], created_by=scheduler
    )
    limited = series.series_book(
        order=two_cycles, first_start=at("2027-03-02"), cycles=3, chair=chairs["R1"], created_by=scheduler
    )

    assert [(o.status, o.code) for o in rostered] == [
        ("booked", ""),
        ("booked", ""),
        ("not_placed", "nurse_capacity"),
    ]
    assert "the nurses on shift can look after 0 patients" in rostered[2].detail
    assert [(o.status, o.code) for o in limited] == [
        ("booked", ""),
        ("booked", ""),
        ("not_placed", "order_complete"),
    ]


def test_a_series_is_refused_whole_for_a_held_order(manager, scheduler, chairs):
    order = make_order(manager)
    services.order_set_status(order=order, status="on_hold")

    with pytest.raises(Conflict) as held:
        series.series_book(order=order, first_start=at("2027-03-02"), cycles=2, created_by=scheduler)

    assert held.value.code == "order_not_active"


def test_a_series_without_a_chair_takes_the_first_free_chair_at_that_time(manager, scheduler, chairs):
    order = make_order(manager)
    occupy(chairs["B1"], at("2027-03-02", "08:00"), minutes=180)

    outcomes = series.series_book(order=order, first_start=at("2027-03-02"), cycles=2, created_by=scheduler)

    assert [local(o.bookings[0]) for o in outcomes] == [
        ("Tue 2027-03-02 09:00", "R1"),
        ("Tue 2027-03-23 09:00", "R1"),
    ]


def test_a_booking_cannot_be_a_cycle_day_of_another_patients_order(manager, scheduler, chairs):
    order = make_order(manager)
    strangers = BookingFactory(chair=chairs["R1"], start=at("2027-03-02"), end=at("2027-03-02", "13:00"))

    with pytest.raises(ValidationError) as refused:
        cycles.order_session_link(order=order, booking=strangers)
    assert refused.value.error_dict["booking"][0].code == "booking_not_patients"
    # The database holds it too, whoever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        CycleDay.objects.create(order=order, booking=strangers, cycle=1, day=1)
