from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.errors import Conflict
from scheduling import rules
from scheduling.models import Booking, BookingEvent, BookingStatus
from scheduling.services import (
    booking_cancel,
    booking_create,
    booking_mark_no_show,
    booking_reschedule,
    booking_set_status,
)
from tests.factories import PatientFactory, SiteFactory
from tests.scheduling.conftest import at
from tests.scheduling.factories import BookingFactory, ChairFactory, ClosureFactory, NurseShiftFactory

pytestmark = pytest.mark.django_db


def _book(chair, start="10:00", hours=4, patient=None, **kwargs):
    return booking_create(
        patient=patient or PatientFactory(),
        chair=chair,
        start=at(start) if isinstance(start, str) else start,
        duration_minutes=int(hours * 60),
        **kwargs,
    )


def _code(excinfo):
    exc = excinfo.value
    if isinstance(exc, Conflict):
        return exc.code
    return next(iter(exc.error_dict.values()))[0].code


def test_it_books_a_patient_into_a_chair_and_records_the_event(clinic, chairs, scheduler):
    booking = _book(chairs[0], created_by=scheduler, note="Port access")

    assert booking.status == "booked"
    assert booking.end - booking.start == timedelta(hours=4)
    assert booking.site == clinic
    event = BookingEvent.objects.get(booking=booking)
    assert (event.kind, event.by, event.to_start, event.to_chair) == (
        "created",
        scheduler,
        at("10:00"),
        chairs[0],
    )


def test_it_refuses_the_same_chair_at_an_overlapping_time_and_names_the_booking(clinic, chairs):
    first = _book(chairs[0], "10:00")

    with pytest.raises(Conflict) as excinfo:
        _book(chairs[0], "13:00", hours=3)

    assert excinfo.value.code == "chair_conflict"
    assert f"booking #{first.pk}" in excinfo.value.detail
    assert "10:00-14:00" in excinfo.value.detail
    assert excinfo.value.extra["conflict"]["booking"] == first.pk


def test_back_to_back_bookings_of_one_chair_are_fine(clinic, chairs):
    _book(chairs[0], "08:00", hours=2)

    assert _book(chairs[0], "10:00", hours=2).start == at("10:00")


def test_it_refuses_one_patient_in_two_chairs_at_once(clinic, chairs):
    patient = PatientFactory()
    first = _book(chairs[0], "10:00", patient=patient)

    with pytest.raises(Conflict) as excinfo:
        _book(chairs[1], "11:00", patient=patient)

    assert excinfo.value.code == "patient_conflict"
    assert excinfo.value.extra["conflict"]["booking"] == first.pk


def test_cancelled_and_no_show_bookings_free_the_chair(clinic, chairs, scheduler):
    first = _book(chairs[0], "10:00")
    booking_cancel(booking=first, reason="Patient has a cold", by=scheduler)

    again = _book(chairs[0], "10:00")

    assert again.pk != first.pk


@pytest.mark.parametrize(
    ("start", "hours", "code"),
    [
        ("10:07", 4, "off_grid"),
        ("10:00", 4.1, "off_grid"),
        ("06:00", 4, "outside_hours"),
        ("16:00", 4, "outside_hours"),
    ],
)
def test_it_refuses_times_off_the_grid_or_outside_opening_hours(clinic, chairs, start, hours, code):
    with pytest.raises(Conflict) as excinfo:
        _book(chairs[0], start, hours=hours)

    assert excinfo.value.code == code


def test_it_refuses_a_closed_day_and_says_why(clinic, chairs):
    ClosureFactory(site=clinic, starts_on=at("00:00").date(), ends_on=at("00:00").date(), reason="Inventory")

    with pytest.raises(Conflict) as excinfo:
        _book(chairs[0])

    assert excinfo.value.code == "outside_hours"
    assert "Inventory" in excinfo.value.detail


def test_a_weekday_without_opening_hours_is_closed(clinic, chairs):
    clinic.opening_hours.filter(weekday=at("10:00").weekday()).delete()

    with pytest.raises(Conflict) as excinfo:
        _book(chairs[0])

    assert excinfo.value.code == "outside_hours"


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (at("10:00"), at("09:00"), "end_before_start"),
        (at("10:00"), at("10:00"), "end_before_start"),
        (at("07:00"), at("17:15"), "too_long"),
        (at("10:00") - timedelta(days=2), at("14:00") - timedelta(days=2), "in_past"),
    ],
)
def test_it_refuses_impossible_times_as_bad_input(clinic, chairs, start, end, code):
    with pytest.raises(ValidationError) as excinfo:
        booking_create(patient=PatientFactory(), chair=chairs[0], start=start, end=end)

    assert _code(excinfo) == code


def test_it_refuses_a_chair_of_another_site_and_an_inactive_chair(clinic, chairs):
    other = ChairFactory(site=SiteFactory(name="Elsewhere"))
    with pytest.raises(ValidationError) as excinfo:
        _book(other, site=clinic)
    assert _code(excinfo) == "chair_other_site"

    chairs[0].is_active = False
    chairs[0].save()
    with pytest.raises(ValidationError) as excinfo:
        _book(chairs[0])
    assert _code(excinfo) == "chair_inactive"


def test_nurse_capacity_is_nurses_times_patients_per_nurse(clinic, chairs):
    clinic.patients_per_nurse = 2  # two nurses on shift: four patients at once
    clinic.save()
    for chair, start in zip(chairs[:4], ("10:00", "10:00", "10:15", "10:15"), strict=True):
        _book(chair, start)

    with pytest.raises(Conflict) as excinfo:
        _book(chairs[4], "12:00")

    assert excinfo.value.code == "nurse_capacity"
    assert excinfo.value.extra["conflict"]["capacity"] == 4
    assert _book(chairs[4], "14:00").start == at("14:00")  # the first four have gone home


def test_without_a_nurse_on_shift_nothing_can_be_booked(clinic, chairs):
    clinic.nurse_shifts.all().delete()
    NurseShiftFactory(site=clinic, start=at("07:00"), end=at("12:00"))

    with pytest.raises(Conflict) as excinfo:
        _book(chairs[0], "10:00")  # runs past the end of the only shift

    assert excinfo.value.code == "nurse_capacity"


def test_starts_are_limited_per_nurse_per_slot(clinic, chairs):
    _book(chairs[0], "10:00")
    _book(chairs[1], "10:00")  # two nurses, one start each per 15 minutes

    with pytest.raises(Conflict) as excinfo:
        _book(chairs[2], "10:00")

    assert excinfo.value.code == "start_limit"
    assert _book(chairs[2], "10:15").start == at("10:15")


def test_reschedule_moves_the_booking_keeps_its_length_and_keeps_history(clinic, chairs, scheduler):
    booking = _book(chairs[0], "10:00")
    _book(chairs[1], "12:00")

    moved = booking_reschedule(
        booking=booking, start=at("11:00"), chair=chairs[2], by=scheduler, reason="Late"
    )

    assert (moved.start, moved.end, moved.chair) == (at("11:00"), at("15:00"), chairs[2])
    event = booking.events.get(kind="rescheduled")
    assert (event.from_start, event.to_start, event.from_chair, event.to_chair) == (
        at("10:00"),
        at("11:00"),
        chairs[0],
        chairs[2],
    )


def test_a_bookings_history_cannot_be_changed_or_deleted_in_the_database(clinic, chairs, scheduler):
    from django.db import DatabaseError

    booking = _book(chairs[0], "10:00", created_by=scheduler)
    event = booking.events.get()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        BookingEvent.objects.filter(pk=event.pk).update(reason="tidied up")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        BookingEvent.objects.filter(pk=event.pk).update(by=None, to_start=at("11:00"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        BookingEvent.objects.filter(pk=event.pk).delete()

    assert BookingEvent.objects.get(pk=event.pk).to_start == at("10:00")


def test_the_history_survives_deleting_the_user_who_made_it(clinic, chairs, scheduler):
    booking = _book(chairs[0], "10:00", created_by=scheduler)

    scheduler.delete()

    event = booking.events.get()
    assert (event.by, event.kind, event.to_start) == (None, "created", at("10:00"))


def test_reschedule_into_its_own_time_is_not_a_conflict_with_itself(clinic, chairs, scheduler):
    booking = _book(chairs[0], "10:00")

    assert booking_reschedule(booking=booking, start=at("10:30"), by=scheduler).start == at("10:30")


def test_reschedule_refuses_an_occupied_chair(clinic, chairs, scheduler):
    booking = _book(chairs[0], "10:00")
    _book(chairs[1], "12:00")

    with pytest.raises(Conflict) as excinfo:
        booking_reschedule(booking=booking, start=at("10:00"), chair=chairs[1], by=scheduler)

    assert excinfo.value.code == "chair_conflict"
    booking.refresh_from_db()
    assert booking.chair == chairs[0]


def test_cancel_needs_a_reason_and_frees_capacity_at_once(clinic, chairs, scheduler):
    clinic.patients_per_nurse = 1  # two patients at once
    clinic.save()
    first = _book(chairs[0], "10:00")
    _book(chairs[1], "10:15")
    with pytest.raises(Conflict):
        _book(chairs[2], "11:00")

    with pytest.raises(ValidationError) as excinfo:
        booking_cancel(booking=first, reason="  ", by=scheduler)
    assert _code(excinfo) == "reason_required"
    booking_cancel(booking=first, reason="Feeling unwell", by=scheduler)

    assert _book(chairs[2], "11:00").start == at("11:00")
    first.refresh_from_db()
    assert (first.status, first.cancel_reason) == ("cancelled", "Feeling unwell")
    assert first.events.get(kind="cancelled").reason == "Feeling unwell"


def test_a_no_show_is_marked_only_after_the_start(clinic, chairs, scheduler, now):
    booking = _book(chairs[0], "10:00")
    with pytest.raises(ValidationError) as excinfo:
        booking_mark_no_show(booking=booking, by=scheduler)
    assert _code(excinfo) == "not_started"

    now.move_to(at("10:30"))
    booking_mark_no_show(booking=booking, by=scheduler)

    booking.refresh_from_db()
    assert booking.status == "no_show"
    assert booking.events.filter(kind="no_show").count() == 1


def test_status_moves_forward_only(clinic, chairs, scheduler):
    booking = _book(chairs[0], "10:00")

    for status in ("checked_in", "in_progress", "completed"):
        booking = booking_set_status(booking=booking, status=status, by=scheduler)
    with pytest.raises(Conflict) as excinfo:
        booking_set_status(booking=booking, status="booked", by=scheduler)

    assert excinfo.value.code == "status_invalid"
    assert [e.to_status for e in booking.events.filter(kind="status")] == [
        "checked_in",
        "in_progress",
        "completed",
    ]


def test_a_cancelled_booking_cannot_be_rescheduled_or_cancelled_again(clinic, chairs, scheduler):
    booking = booking_cancel(booking=_book(chairs[0]), reason="Moved away", by=scheduler)

    for call in (
        lambda: booking_reschedule(booking=booking, start=at("11:00"), by=scheduler),
        lambda: booking_cancel(booking=booking, reason="again", by=scheduler),
    ):
        with pytest.raises(Conflict) as excinfo:
            call()
        assert excinfo.value.code == "status_invalid"


def test_the_database_refuses_overlaps_even_without_the_service(clinic, chairs):
    booking = BookingFactory(chair=chairs[0], start=at("10:00"), end=at("14:00"))

    with pytest.raises(IntegrityError, match="booking_chair_no_overlap"), transaction.atomic():
        BookingFactory(chair=chairs[0], start=at("12:00"), end=at("13:00"))
    with pytest.raises(IntegrityError, match="booking_patient_no_overlap"), transaction.atomic():
        BookingFactory(chair=chairs[1], patient=booking.patient, start=at("12:00"), end=at("13:00"))
    BookingFactory(chair=chairs[0], start=at("12:00"), end=at("13:00"), status=BookingStatus.CANCELLED)


def test_a_constraint_violation_the_checks_missed_becomes_a_named_conflict(clinic, chairs, monkeypatch):
    # As when another transaction commits between our check and our insert.
    first = _book(chairs[0], "10:00")
    monkeypatch.setattr(rules, "check_calendar", lambda **kwargs: None)

    with pytest.raises(Conflict) as excinfo:
        _book(chairs[0], "11:00")

    assert excinfo.value.code == "chair_conflict"
    assert excinfo.value.extra["conflict"]["booking"] == first.pk
    assert Booking.objects.count() == 1


def test_a_conflict_names_the_chair_once_whatever_the_clinic_calls_it():
    from scheduling.models import Chair

    assert Chair(name="R1").label == "Chair R1"
    assert Chair(name="Chair 01").label == "Chair 01"
    assert Chair(name="Bed 3").label == "Bed 3"
