"""Writes of the chair calendar: book, reschedule, cancel, no-show, status changes.

Every booking write goes through one of these functions. They raise
- `django.core.exceptions.ValidationError` (HTTP 400) for input that is wrong whatever else is booked:
  `end_before_start`, `too_long`, `in_past`, `chair_other_site`, `chair_inactive`, `reason_required`,
  `not_started`;
- `clinic.errors.Conflict` (HTTP 409) when the calendar refuses it: `chair_conflict`, `patient_conflict`,
  `nurse_capacity`, `start_limit`, `outside_hours` (closures too), `off_grid`, `status_invalid`.
"""

from datetime import datetime

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from clinic.errors import Conflict
from patients.models import Patient
from scheduling import hooks, reminders, rules
from scheduling.locks import local_days, lock_site_days
from scheduling.models import (
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingStatus,
    Chair,
    Site,
)

# Which status may follow which (cancel and no-show have their own services, with a reason).
TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.BOOKED: frozenset(
        {BookingStatus.CHECKED_IN, BookingStatus.CANCELLED, BookingStatus.NO_SHOW}
    ),
    BookingStatus.CHECKED_IN: frozenset({BookingStatus.IN_PROGRESS, BookingStatus.CANCELLED}),
    BookingStatus.IN_PROGRESS: frozenset({BookingStatus.COMPLETED}),
}
CANCELLABLE = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN)

# Sent by the status-changing services (never by save()), inside their transaction, with `booking`,
# `from_status` and `to_status`: apps above scheduling react without scheduling knowing them (infusions
# releases a cancelled cycle's number and its authorized units). Receivers follow; they do not veto
# (a move that may be refused goes through `scheduling.hooks`).
booking_status_changed = Signal()


def booking_create(
    *,
    patient: Patient,
    chair: Chair,
    start: datetime,
    end: datetime | None = None,
    duration_minutes: int | None = None,
    created_by=None,
    note: str = "",
    site: Site | None = None,
) -> Booking:
    """Book `patient` into `chair` from `start` to `end` (or for `duration_minutes`) and return the booking.

    `site`, when given, must be the chair's site. Which order's cycle a booking is, if any, is
    infusions' to record (`infusions.cycles`), never the calendar's.

    Raises ValidationError (400) or Conflict (409); see the module docstring for the codes.
    """
    end = rules.resolve_end(start, end, duration_minutes)
    rules.validate_times(start, end, now=timezone.now())
    rules.validate_chair(chair, site)
    site = chair.site
    rules.check_grid_and_hours(site, start, end)
    with transaction.atomic():
        lock_site_days(site, local_days(start, end, site.zone))
        rules.check_calendar(site=site, chair=chair, patient=patient, start=start, end=end, exclude=None)
        booking = Booking(
            site=site,
            chair=chair,
            patient=patient,
            start=start,
            end=end,
            note=note,
            created_by=created_by,
        )
        rules.save_or_conflict(booking)
        BookingEvent.objects.create(
            booking=booking,
            kind=BookingEventKind.CREATED,
            at=timezone.now(),
            by=created_by,
            to_start=start,
            to_end=end,
            to_chair=chair,
            to_status=booking.status,
        )
        reminders.booking_reminders_sync(booking=booking, fresh=True)
    return booking


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("site", "chair", "patient")
        .get(pk=booking.pk)
    )


def _status_conflict(booking: Booking, action: str) -> Conflict:
    return Conflict(
        "status_invalid",
        f"A {booking.get_status_display().lower()} booking cannot be {action}.",
        field="status",
        conflict={"booking": booking.pk, "status": booking.status},
    )


def booking_reschedule(
    *,
    booking: Booking,
    start: datetime,
    chair: Chair | None = None,
    end: datetime | None = None,
    by=None,
    reason: str = "",
) -> Booking:
    """Move a booked session to `start` (keeping its length unless `end` is given), optionally to `chair`
    of the same site, and return it. The old time is free at once.

    Raises ValidationError (400) or Conflict (409), as `booking_create`, plus `status_invalid` and what
    a registered reschedule check raises (`scheduling.hooks`; infusions: `authorization_required`).
    """
    with transaction.atomic():
        current = _locked(booking)
        if current.status != BookingStatus.BOOKED:
            raise _status_conflict(current, "rescheduled")
        new_chair = chair or current.chair
        new_end = end or start + (current.end - current.start)
        rules.validate_times(start, new_end, now=timezone.now())
        rules.validate_chair(new_chair, current.site)
        site = current.site
        rules.check_grid_and_hours(site, start, new_end)
        lock_site_days(site, local_days(start, new_end, site.zone))
        rules.check_calendar(
            site=site, chair=new_chair, patient=current.patient, start=start, end=new_end, exclude=current.pk
        )
        from_start = current.start
        event = BookingEvent(
            booking=current,
            kind=BookingEventKind.RESCHEDULED,
            at=timezone.now(),
            by=by,
            from_start=from_start,
            from_end=current.end,
            from_chair=current.chair,
            to_start=start,
            to_end=new_end,
            to_chair=new_chair,
            reason=reason,
        )
        current.start, current.end, current.chair = start, new_end, new_chair
        # The patient confirmed the old time, not this one.
        current.confirmed_at = None
        rules.save_or_conflict(current, update_fields=["start", "end", "chair", "confirmed_at", "updated_at"])
        event.save()
        # Apps above may refuse the move (a cycle day outside its authorization): see scheduling.hooks.
        hooks.reschedule_checks_run(booking=current, from_start=from_start)
        reminders.booking_reminders_sync(booking=current)
    return current


def booking_confirm(*, booking: Booking, by=None, reason: str = "") -> bool:
    """Record that the patient confirmed a booked session; True when this call confirmed it (False: it
    was already confirmed). Raises Conflict `status_invalid` for a booking that is no longer booked."""
    with transaction.atomic():
        current = _locked(booking)
        if current.status != BookingStatus.BOOKED:
            raise _status_conflict(current, "confirmed")
        if current.confirmed_at is not None:
            return False
        now = timezone.now()
        current.confirmed_at = now
        current.save(update_fields=["confirmed_at", "updated_at"])
        BookingEvent.objects.create(
            booking=current, kind=BookingEventKind.CONFIRMED, at=now, by=by, reason=reason[:300]
        )
    booking.confirmed_at = now
    return True


def _change_status(booking: Booking, *, to: str, kind: str, by, reason: str = "") -> Booking:
    booking_from = booking.status
    booking.status = to
    fields = ["status", "updated_at"]
    if to == BookingStatus.CANCELLED:
        booking.cancel_reason = reason
        fields.append("cancel_reason")
    booking.save(update_fields=fields)
    BookingEvent.objects.create(
        booking=booking,
        kind=kind,
        at=timezone.now(),
        by=by,
        from_status=booking_from,
        to_status=to,
        reason=reason,
    )
    booking_status_changed.send(sender=Booking, booking=booking, from_status=booking_from, to_status=to)
    if to in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW):
        reminders.booking_reminders_cancel(booking=booking, reason=f"booking {to}")
    elif to == BookingStatus.COMPLETED:
        reminders.booking_followup_schedule(booking=booking)
    return booking


def booking_cancel(*, booking: Booking, reason: str, by=None) -> Booking:
    """Cancel a booked or checked-in session and return it; its chair, patient and nurse time are free
    at once. Raises ValidationError `reason_required`, Conflict `status_invalid`."""
    reason = (reason or "").strip()
    if not reason:
        raise rules.invalid("reason", "reason_required", "Say why the booking is cancelled.")
    with transaction.atomic():
        current = _locked(booking)
        if current.status not in CANCELLABLE:
            raise _status_conflict(current, "cancelled")
        return _change_status(
            current, to=BookingStatus.CANCELLED, kind=BookingEventKind.CANCELLED, by=by, reason=reason
        )


def booking_mark_no_show(*, booking: Booking, by=None, reason: str = "") -> Booking:
    """Mark a booked session whose start has passed as a no-show, and return it.

    Raises ValidationError `not_started`, Conflict `status_invalid`.
    """
    with transaction.atomic():
        current = _locked(booking)
        if current.status != BookingStatus.BOOKED:
            raise _status_conflict(current, "marked a no-show")
        if timezone.now() < current.start:
            raise rules.invalid(
                "status", "not_started", "A booking becomes a no-show only after its start time."
            )
        return _change_status(
            current, to=BookingStatus.NO_SHOW, kind=BookingEventKind.NO_SHOW, by=by, reason=reason
        )


def booking_set_status(*, booking: Booking, status: str, by=None, reason: str = "") -> Booking:
    """Move a booking along booked -> checked in -> in progress -> completed (or cancel / no-show it).

    Raises Conflict `status_invalid` for a transition not in TRANSITIONS, plus what cancel and no-show raise.
    """
    if status == BookingStatus.CANCELLED:
        return booking_cancel(booking=booking, reason=reason, by=by)
    if status == BookingStatus.NO_SHOW:
        return booking_mark_no_show(booking=booking, by=by, reason=reason)
    with transaction.atomic():
        current = _locked(booking)
        if status not in TRANSITIONS.get(current.status, ()):
            label = BookingStatus(status).label.lower() if status in BookingStatus.values else status
            raise _status_conflict(current, f"set to {label}")
        return _change_status(current, to=status, kind=BookingEventKind.STATUS, by=by, reason=reason)
