"""The rules a booking must keep, checked before it is written: times, chair, grid, opening hours,
closures, chair and patient overlaps, nurse capacity and the start limit.

`scheduling.services` calls these; they raise ValidationError (400) for bad input and
`clinic.errors.Conflict` (409) when the calendar refuses the time.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.errors import Conflict
from patients.models import Patient
from scheduling.limits import DEFAULT_LONGEST, longest_session
from scheduling.models import (
    INACTIVE_STATUSES,
    MAX_SESSION,
    Booking,
    Chair,
    Closure,
    NurseShift,
    OpeningHours,
    Site,
)


def invalid(field: str, code: str, message: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _hhmm(moment: datetime, zone) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def resolve_end(start: datetime, end: datetime | None, duration_minutes: int | None) -> datetime:
    if end is None and duration_minutes is None:
        raise invalid("end", "required", "Give an end time or a duration.")
    if end is None:
        end = start + timedelta(minutes=int(duration_minutes))
    return end


def validate_times(start: datetime, end: datetime, *, now: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise invalid("start", "naive_time", "Times need a time zone (an offset or Z).")
    if end <= start:
        raise invalid("end", "end_before_start", "The booking must end after it starts.")
    if end - start > DEFAULT_LONGEST:
        # Only a long session pays for asking what the clinic's longest protocol is.
        longest = longest_session()
        if end - start > longest:
            hours = f"{longest.total_seconds() / 3600:g}"
            raise invalid(
                "end",
                "too_long",
                "A session cannot be longer than %(hours)s hours (the clinic's longest protocol, with "
                "preparation and observation).",
                hours=hours,
            )
    if start < now:
        raise invalid("start", "in_past", "A booking cannot start in the past.")


def validate_chair(chair: Chair, site: Site | None) -> None:
    if site is not None and chair.site_id != site.pk:
        raise invalid(
            "chair",
            "chair_other_site",
            "%(chair)s belongs to %(other)s, not %(site)s.",
            chair=chair.label,
            other=chair.site.name,
            site=site.name,
        )
    if not chair.is_active:
        raise invalid("chair", "chair_inactive", "%(chair)s is out of service.", chair=chair.label)


def check_grid_and_hours(site: Site, start: datetime, end: datetime) -> None:
    """Refuse times off the site's grid, outside its opening hours, or on a closed day (409)."""
    zone = site.zone
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    for moment in (local_start, local_end):
        if moment.minute % site.grid_minutes or moment.second or moment.microsecond:
            raise Conflict(
                "off_grid",
                f"{moment:%H:%M:%S} is not on the site's {site.grid_minutes}-minute grid.",
                field="start" if moment is local_start else "end",
                conflict={"grid_minutes": site.grid_minutes, "time": moment.isoformat()},
            )
    day = local_start.date()
    closure = Closure.objects.filter(site=site, starts_on__lte=day, ends_on__gte=day).first()
    if closure is not None:
        raise Conflict(
            "outside_hours",
            f"{site.name} is closed on {day:%Y-%m-%d} ({closure.reason}).",
            field="start",
            conflict={"date": day.isoformat(), "closure": closure.reason},
        )
    hours = OpeningHours.objects.filter(site=site, weekday=day.weekday()).first()
    inside = (
        hours is not None
        and local_end.date() == day
        and hours.opens <= local_start.time()
        and local_end.time() <= hours.closes
    )
    if not inside:
        opening = f"{hours.opens:%H:%M}-{hours.closes:%H:%M}" if hours else "closed"
        raise Conflict(
            "outside_hours",
            f"{site.name} is open {opening} on {day:%A}s; "
            f"{local_start:%H:%M}-{local_end:%H:%M} on {day:%Y-%m-%d} is outside.",
            field="start",
            conflict={
                "date": day.isoformat(),
                "opens": f"{hours.opens:%H:%M}" if hours else None,
                "closes": f"{hours.closes:%H:%M}" if hours else None,
            },
        )


def _conflict_for(other: Booking, *, code: str, zone) -> Conflict:
    when = f"{other.start.astimezone(zone):%Y-%m-%d} {_hhmm(other.start, zone)}-{_hhmm(other.end, zone)}"
    if code == "chair_conflict":
        detail = f"{other.chair.label} is booked {when} (booking #{other.pk})."
    else:
        where = f"{other.chair.label} at {other.site.name}"
        detail = f"The patient is booked {when} in {where} (booking #{other.pk})."
    return Conflict(
        code,
        detail,
        field="chair" if code == "chair_conflict" else "patient",
        conflict={
            "booking": other.pk,
            "chair": other.chair_id,
            "start": other.start.isoformat(),
            "end": other.end.isoformat(),
        },
    )


def _overlapping(start: datetime, end: datetime):
    # The lower bound on start lets the (site, start) and (patient, start) indexes do the work.
    return (
        Booking.objects.filter(start__lt=end, end__gt=start, start__gt=start - MAX_SESSION)
        .exclude(status__in=INACTIVE_STATUSES)
        .select_related("chair", "site")
    )


@dataclass(frozen=True)
class NurseRefusal:
    code: str
    at: datetime
    count: int
    limit: int


def nurse_refusal(
    *,
    site: Site,
    start: datetime,
    end: datetime,
    others: list[tuple[datetime, datetime]],
    shifts: list[tuple[datetime, datetime]],
) -> NurseRefusal | None:
    """Would one more patient from start to end exceed nurse capacity or the start limit?

    A nurse counts for a grid slot when the shift covers all of it. Capacity in a slot is nurses x
    patients per nurse; starts in the first slot may be at most nurses x starts per nurse per slot.
    """
    step = timedelta(minutes=site.grid_minutes)
    slot = start
    while slot < end:
        slot_end = slot + step
        nurses = sum(1 for s, e in shifts if s <= slot and e >= slot_end)
        capacity = nurses * site.patients_per_nurse
        load = sum(1 for s, e in others if s < slot_end and e > slot)
        if load + 1 > capacity:
            return NurseRefusal("nurse_capacity", slot, load, capacity)
        slot = slot_end
    first_end = start + step
    nurses = sum(1 for s, e in shifts if s <= start and e >= first_end)
    limit = nurses * site.starts_per_nurse_per_slot
    starts = sum(1 for s, _ in others if start <= s < first_end)
    if starts + 1 > limit:
        return NurseRefusal("start_limit", start, starts, limit)
    return None


def check_calendar(
    *, site: Site, chair: Chair, patient: Patient, start: datetime, end: datetime, exclude: int | None
) -> None:
    """Under the site-day lock: refuse chair and patient overlaps, then nurse capacity and starts."""
    zone = site.zone
    rows = _overlapping(start, end).filter(site=site) | _overlapping(start, end).filter(patient=patient)
    # Plain tuples: a busy day has ~100 overlapping rows, and building model instances for all of them
    # was most of a booking's cost. Only a refused booking loads the one it clashes with.
    others = [
        r
        for r in rows.values_list("pk", "chair_id", "patient_id", "site_id", "start", "end")
        if r[0] != exclude
    ]
    for code, column, wanted in (("chair_conflict", 1, chair.pk), ("patient_conflict", 2, patient.pk)):
        clash = next((r for r in others if r[column] == wanted), None)
        if clash is not None:
            raise _conflict_for(_overlapping(start, end).get(pk=clash[0]), code=code, zone=zone)
    shifts = list(
        NurseShift.objects.filter(site=site, start__lt=end, end__gt=start).values_list("start", "end")
    )
    refusal = nurse_refusal(
        site=site,
        start=start,
        end=end,
        others=[(s, e) for _, _, _, site_id, s, e in others if site_id == site.pk],
        shifts=shifts,
    )
    if refusal is None:
        return
    at = _hhmm(refusal.at, zone)
    if refusal.code == "nurse_capacity":
        detail = (
            f"At {at} the nurses on shift can look after {refusal.limit} patients "
            f"and {refusal.count} are booked."
        )
        extra = {"time": refusal.at.isoformat(), "booked": refusal.count, "capacity": refusal.limit}
    else:
        detail = (
            f"{refusal.count} infusion(s) already start at {at}; "
            f"the nurses on shift may start {refusal.limit} per {site.grid_minutes} minutes."
        )
        extra = {"time": refusal.at.isoformat(), "starts": refusal.count, "limit": refusal.limit}
    raise Conflict(refusal.code, detail, field="start", conflict=extra)


def save_or_conflict(booking: Booking, **save_kwargs) -> None:
    """Save; if an exclusion constraint refuses it (a race the lock does not cover), name the booking."""
    try:
        with transaction.atomic():
            booking.save(**save_kwargs)
    except IntegrityError as exc:
        name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        codes = {
            "booking_chair_no_overlap": "chair_conflict",
            "booking_patient_no_overlap": "patient_conflict",
        }
        if name not in codes:
            raise
        code = codes[name]
        # The savepoint is rolled back, so the transaction can still read who holds the time.
        rows = _overlapping(booking.start, booking.end).exclude(pk=booking.pk)
        rows = (
            rows.filter(chair=booking.chair)
            if code == "chair_conflict"
            else rows.filter(patient=booking.patient)
        )
        other = rows.first()
        if other is None:  # the other booking is not committed yet; it will be by the time they look
            raise Conflict(code, "The chair or patient was booked for this time a moment ago.") from exc
        raise _conflict_for(other, code=code, zone=booking.site.zone) from exc
