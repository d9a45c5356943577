"""Booking a cycle needs coverage and an approved authorization with units left; usage follows."""

from datetime import date
from decimal import Decimal as D

import pytest

from clinic.errors import Conflict
from infusions import cycles
from infusions.authorizations import infusion_usage_report
from insurance.models import AuthorizationUsage, PriorAuthorization
from insurance.selectors import authorization_list
from scheduling.models import Booking
from scheduling.services import booking_cancel, booking_reschedule, booking_set_status
from tests.infusions.calendar import at, make_order
from tests.insurance.factories import CoverageFactory, PayerFactory, make_authorization

pytestmark = pytest.mark.usefixtures("calendar_now")


@pytest.fixture
def calendar_now():
    import time_machine

    from tests.infusions.calendar import NOW

    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def chairs(db):
    from tests.infusions.calendar import make_clinic

    return make_clinic()[1]


def _covered(order, **auth):
    coverage = CoverageFactory(patient=order.patient, payer=PayerFactory(code="acme-health"))
    if auth.pop("none", False):
        return coverage, None
    return coverage, make_authorization(coverage, **{"status": "approved", **auth})


def _book(order, chairs, day="2027-03-02", by=None):
    return cycles.cycle_book(order=order, chair=chairs["R1"], start=at(day), created_by=by)


def _remaining(auth):
    return authorization_list().get(pk=auth.pk).remaining_units


def test_a_patient_without_an_approved_authorization_gets_409_naming_what_is_missing(
    manager, scheduler, chairs
):
    order = make_order(manager)
    coverage, _ = _covered(order, none=True)
    make_authorization(coverage, status="submitted")

    with pytest.raises(Conflict) as refused:
        _book(order, chairs, by=scheduler)

    assert refused.value.code == "authorization_required"
    assert "No approved authorization for J1569 covers 2027-03-02" in refused.value.detail
    assert "is submitted (decision due" in refused.value.detail
    assert refused.value.extra["missing"]["code"] == "authorization"
    assert not Booking.objects.exists()


def test_a_coverage_that_ended_is_named_as_missing(manager, scheduler, chairs):
    order = make_order(manager)
    CoverageFactory(patient=order.patient, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))

    with pytest.raises(Conflict) as refused:
        _book(order, chairs, by=scheduler)

    assert refused.value.extra["missing"]["code"] == "coverage"


def test_an_approved_authorization_allows_the_cycle_and_reserves_its_units(manager, scheduler, chairs):
    order = make_order(manager)
    _, auth = _covered(order, units=560)

    bookings = _book(order, chairs, by=scheduler)

    assert len(bookings) == 1
    assert _remaining(auth) == 560 - 140
    usage = AuthorizationUsage.objects.get()
    assert (usage.booking_id, usage.status, usage.units) == (bookings[0].pk, "reserved", 140)
    assert PriorAuthorization.objects.get(pk=auth.pk).order_id == order.pk


def test_units_that_do_not_cover_the_cycle_get_409_with_what_is_left(manager, scheduler, chairs):
    order = make_order(manager)
    _, auth = _covered(order, units=200)
    _book(order, chairs, by=scheduler)

    with pytest.raises(Conflict) as refused:
        _book(order, chairs, day="2027-03-23", by=scheduler)

    assert refused.value.code == "authorization_required"
    assert refused.value.extra["missing"] == {
        "code": "units",
        "detail": f"Authorization PA-{auth.pk} has 60 units left after reservations; this cycle needs 140.",
        "authorization": auth.pk,
        "remaining_units": 60,
    }


def test_an_authorization_that_ends_before_the_cycle_does_not_cover_it(manager, scheduler, chairs):
    order = make_order(manager)
    _covered(order, valid_from=date(2027, 3, 1), valid_to=date(2027, 3, 10))

    with pytest.raises(Conflict) as refused:
        _book(order, chairs, day="2027-03-16", by=scheduler)

    assert "is valid 2027-03-01 to 2027-03-10" in refused.value.detail


def test_moving_a_cycle_to_a_day_its_authorization_does_not_cover_is_refused_and_nothing_moves(
    manager, scheduler, chairs
):
    order = make_order(manager)
    _, auth = _covered(order, valid_from=date(2027, 3, 1), valid_to=date(2027, 3, 10))
    booking = _book(order, chairs, day="2027-03-02", by=scheduler)[0]

    with pytest.raises(Conflict) as refused:
        booking_reschedule(booking=booking, start=at("2027-03-16"), by=scheduler)

    assert refused.value.code == "authorization_required"
    assert f"PA-{auth.pk} is valid 2027-03-01 to 2027-03-10; 2027-03-16 is outside it" in refused.value.detail
    assert Booking.objects.get(pk=booking.pk).start == at("2027-03-02")
    assert AuthorizationUsage.objects.get().service_date == date(2027, 3, 2)


def test_moving_a_cycle_within_its_authorization_moves_the_reservation(manager, scheduler, chairs):
    order = make_order(manager)
    _, auth = _covered(order, valid_from=date(2027, 3, 1), valid_to=date(2027, 3, 10))
    booking = _book(order, chairs, day="2027-03-02", by=scheduler)[0]

    booking_reschedule(booking=booking, start=at("2027-03-09"), by=scheduler)

    usage = AuthorizationUsage.objects.get()
    assert (usage.status, usage.service_date) == ("reserved", date(2027, 3, 9))
    assert _remaining(auth) == 560 - 140


def test_cancelling_a_booked_cycle_releases_its_units(manager, scheduler, chairs):
    order = make_order(manager)
    _, auth = _covered(order, units=560)
    booking = _book(order, chairs, by=scheduler)[0]

    booking_cancel(booking=booking, reason="Patient has flu", by=scheduler)

    assert _remaining(auth) == 560
    assert AuthorizationUsage.objects.get().status == "released"
    _book(order, chairs, day="2027-03-03", by=scheduler)  # the same cycle number books again
    assert _remaining(auth) == 420


def test_a_completed_infusion_uses_the_units_given(manager, scheduler, chairs, calendar_now):
    order = make_order(manager)
    _, auth = _covered(order, units=560)
    booking = _book(order, chairs, by=scheduler)[0]

    usage = infusion_usage_report(
        order=order, booking=booking, grams_given=D("65"), given_at=at("2027-03-02", "13:00")
    )

    assert (usage.status, usage.units, usage.service_date) == ("used", 130, date(2027, 3, 2))
    fresh = authorization_list().get(pk=auth.pk)
    assert (fresh.units_used, fresh.units_reserved, fresh.remaining_units) == (130, 0, 430)
    # Reported again (a corrected amount): updated, never counted twice.
    infusion_usage_report(
        order=order, booking=booking, grams_given=D("70"), given_at=at("2027-03-02", "13:00")
    )
    assert _remaining(auth) == 420


def test_a_booking_marked_completed_uses_its_reserved_units(manager, scheduler, chairs, calendar_now):
    order = make_order(manager)
    _, auth = _covered(order, units=560)
    booking = _book(order, chairs, by=scheduler)[0]
    calendar_now.move_to(at("2027-03-02", "09:05"))

    for status in ("checked_in", "in_progress", "completed"):
        booking_set_status(booking=booking, status=status, by=scheduler)

    fresh = authorization_list().get(pk=auth.pk)
    assert (fresh.units_used, fresh.units_reserved) == (140, 0)


def test_a_manager_override_lets_one_cycle_be_booked_without_an_authorization(
    api, manager, scheduler, chairs
):
    order = make_order(manager)
    _covered(order, none=True)
    url = f"/api/v1/orders/{order.pk}/authorization-override/"

    refused = api.as_user(scheduler).post(url, {"reason": "Urgent"}, format="json")
    empty = api.as_user(manager).post(url, {"reason": " "}, format="json")
    granted = api.as_user(manager).post(
        url, {"reason": "Relapse; payer called, decision Monday"}, format="json"
    )

    assert refused.status_code == 403 and refused.json()["code"] == "override_not_allowed"
    assert empty.status_code == 400 and empty.json()["code"] == "reason_required"
    assert granted.status_code == 201
    book = f"/api/v1/orders/{order.pk}/book/"
    first = api.as_user(scheduler).post(
        book, {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat()}
    )
    second = api.as_user(scheduler).post(
        book, {"chair": chairs["R1"].pk, "start": at("2027-03-23").isoformat()}
    )
    assert first.status_code == 201
    assert second.status_code == 409 and second.json()["code"] == "authorization_required"


def test_self_pay_patients_and_payers_without_the_requirement_are_not_checked(manager, scheduler, chairs):
    self_pay = make_order(manager)
    relaxed = make_order(manager)
    CoverageFactory(patient=relaxed.patient, payer=PayerFactory(code="relaxed", requires_authorization=False))

    assert _book(self_pay, chairs, by=scheduler)
    assert cycles.cycle_book(order=relaxed, chair=chairs["R2"], start=at("2027-03-02"), created_by=scheduler)
    assert not AuthorizationUsage.objects.exists()


def test_the_api_answers_409_authorization_required(api, manager, scheduler, chairs):
    order = make_order(manager)
    _covered(order, none=True)

    response = api.as_user(scheduler).post(
        f"/api/v1/orders/{order.pk}/book/", {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat()}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "authorization_required"
    assert response.json()["missing"]["code"] == "authorization"
