"""The order's interval is a rule: a cycle booked nearer another than the interval less the clinic's
tolerance needs a reason, in the service, so the API and the admin refuse it alike."""

from datetime import date

import pytest

from clinic.errors import Conflict
from infusions import cycles, interval, series
from infusions.models import CycleDay, InfusionPolicy
from tests.infusions.calendar import at, make_order


def test_a_day_inside_the_interval_less_the_tolerance_is_too_soon():
    booked = [(date(2027, 3, 2), 1)]

    found = interval.too_soon(date(2027, 3, 3), booked, interval_days=28, tolerance_days=3)

    assert (found.days_apart, found.allowed, found.earliest) == (1, 25, date(2027, 3, 27))
    assert "1 day after cycle 1 (Tue 02 Mar 2027)" in found.sentence()
    assert "The earliest day without a reason is Sat 27 Mar 2027." in found.sentence()


def test_the_tolerance_lets_a_cycle_come_three_days_early_and_no_more():
    booked = [(date(2027, 3, 2), 1)]

    assert interval.too_soon(date(2027, 3, 27), booked, interval_days=28, tolerance_days=3) is None
    assert interval.too_soon(date(2027, 3, 26), booked, interval_days=28, tolerance_days=3) is not None


def test_a_cycle_booked_into_a_gap_keeps_its_distance_from_the_next_one_too():
    booked = [(date(2027, 3, 2), 1), (date(2027, 3, 30), 3)]

    found = interval.too_soon(date(2027, 3, 22), booked, interval_days=28, tolerance_days=3)

    assert (found.neighbour_cycle, found.days_apart, found.earliest) == (3, 8, None)
    assert "before cycle 3" in found.sentence()


def test_an_order_without_an_interval_has_no_rule():
    assert (
        interval.too_soon(date(2027, 3, 3), [(date(2027, 3, 2), 1)], interval_days=None, tolerance_days=3)
        is None
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("calendar_now")
def test_booking_cycle_2_the_day_after_cycle_1_is_refused_with_interval_too_soon(manager, scheduler, chairs):
    order = make_order(manager, interval_days=28)
    cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)

    with pytest.raises(Conflict) as refused:
        cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-03"), created_by=scheduler)

    assert refused.value.code == "interval_too_soon"
    assert refused.value.extra["interval"]["earliest"] == "2027-03-27"
    assert CycleDay.objects.filter(order=order).count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("calendar_now")
def test_with_a_reason_the_early_cycle_is_booked_and_the_reason_recorded(manager, scheduler, chairs):
    order = make_order(manager, interval_days=28)
    cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)

    [booking] = cycles.cycle_book(
        order=order,
        chair=chairs["R1"],
        start=at("2027-03-16"),
        created_by=scheduler,
        early_reason="Travelling abroad from 25 March; Dr. Test agreed",
    )

    assert (booking.cycle_day.cycle, booking.cycle_day.early_reason) == (
        2,
        "Travelling abroad from 25 March; Dr. Test agreed",
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("calendar_now")
def test_the_clinic_sets_its_tolerance_in_the_policy(manager, scheduler, chairs):
    policy = InfusionPolicy.current()
    policy.early_cycle_tolerance_days = 7
    policy.save()
    order = make_order(manager, interval_days=28)
    cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)

    [booking] = cycles.cycle_book(
        order=order, chair=chairs["R1"], start=at("2027-03-23"), created_by=scheduler
    )

    assert booking.cycle_day.early_reason == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("calendar_now")
def test_a_series_reports_its_too_early_first_cycle_and_books_the_rest(manager, scheduler, chairs):
    order = make_order(manager, interval_days=21)
    cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)

    outcomes = series.series_book(
        order=order, first_start=at("2027-03-09"), cycles=2, chair=chairs["R1"], created_by=scheduler
    )

    assert [(o.status, o.code) for o in outcomes] == [
        ("not_placed", "interval_too_soon"),
        ("booked", ""),
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("calendar_now")
def test_the_api_answers_409_interval_too_soon_and_books_with_a_reason(api, manager, scheduler, chairs):
    order = make_order(manager, interval_days=28)
    client = api.as_user(scheduler)
    url = f"/api/v1/orders/{order.pk}/book/"
    assert (
        client.post(url, {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat()}).status_code == 201
    )

    early = client.post(url, {"chair": chairs["R1"].pk, "start": at("2027-03-03").isoformat()})
    reasoned = client.post(
        url,
        {"chair": chairs["R1"].pk, "start": at("2027-03-03").isoformat(), "early_reason": "Loading course"},
    )

    assert early.status_code == 409
    assert early.json()["code"] == "interval_too_soon"
    assert "needs a reason" in early.json()["detail"]
    assert early.json()["fields"]["early_reason"][0]["code"] == "interval_too_soon"
    assert reasoned.status_code == 201, reasoned.json()
    assert reasoned.json()["cycle"] == 2
