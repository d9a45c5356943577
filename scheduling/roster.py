"""The nurse roster: adding, changing and removing shifts, and copying a week forward (services).

A change that takes nurses away (a shorter or removed shift) is refused when it would leave existing
bookings over nurse capacity or the start limit (`scheduling.capacity.uncovered`), and the refusal names
those bookings. It runs under the same site-day locks as booking, so a booking and a shift change of the
same day take turns. The roster page and the NurseShift admin both write through here.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction

from clinic.db import validated_save
from clinic.errors import Conflict
from scheduling.capacity import uncovered
from scheduling.locks import local_days, lock_site_days
from scheduling.models import INACTIVE_STATUSES, Booking, NurseShift, Site
from scheduling.selectors import day_bounds


def _label(booking: Booking) -> str:
    local = booking.start.astimezone(booking.site.zone)
    return f"#{booking.pk} {local:%a %d %b %H:%M %Z} in {booking.chair.name}"


def _check(site: Site, days: list[date], *, without: int | None, adding: tuple[datetime, datetime] | None):
    """Refuse, naming them, when the roster of `days` (less shift `without`, plus `adding`) leaves
    bookings over capacity. Call under the days' locks."""
    if not days:
        return
    begin, _ = day_bounds(site, min(days))
    _, finish = day_bounds(site, max(days))
    bookings = list(
        Booking.objects.filter(site=site, start__lt=finish, end__gt=begin)
        .exclude(status__in=INACTIVE_STATUSES)
        .select_related("site", "chair")
        .order_by("start", "pk")
    )
    if not bookings:
        return
    shifts = NurseShift.objects.filter(site=site, start__lt=finish, end__gt=begin)
    if without is not None:
        shifts = shifts.exclude(pk=without)
    pairs = list(shifts.values_list("start", "end"))
    if adding is not None:
        pairs.append(adding)
    over = uncovered(
        [(b.pk, b.start, b.end) for b in bookings],
        pairs,
        step=timedelta(minutes=site.grid_minutes),
        patients_per_nurse=site.patients_per_nurse,
        starts_per_nurse=site.starts_per_nurse_per_slot,
    )
    if over:
        named = [b for b in bookings if b.pk in set(over)]
        raise Conflict(
            "roster_leaves_bookings_uncovered",
            f"This change would leave {len(named)} booking(s) over nurse capacity: "
            + "; ".join(_label(b) for b in named)
            + ". Move them first, or roster another nurse.",
            field="end",
            bookings=[b.pk for b in named],
        )


def shift_save(
    *,
    site: Site,
    start: datetime,
    end: datetime,
    shift: NurseShift | None = None,
    name: str = "",
    nurse=None,
) -> NurseShift:
    """Add a shift (or change `shift`) and return it.

    Raises ValidationError (the model's rules: `end_before_start`) and Conflict
    `roster_leaves_bookings_uncovered` (409) when the change leaves bookings without nurses.
    """
    with transaction.atomic():
        days = local_days(start, end, site.zone) if end > start else []
        if shift is not None:
            shift = NurseShift.objects.select_for_update().get(pk=shift.pk)
            days += local_days(shift.start, shift.end, shift.site.zone)
        lock_site_days(site, days)
        if shift is not None:  # a new shift only adds nurses; a changed one may take some away
            _check(site, days, without=shift.pk, adding=(start, end) if end > start else None)
        target = shift or NurseShift(site=site)
        target.site, target.start, target.end = site, start, end
        target.name = name
        target.nurse = nurse
        validated_save(target)
        return target


def shift_remove(*, shift: NurseShift) -> None:
    """Remove a shift. Raises Conflict `roster_leaves_bookings_uncovered` (409), naming the bookings."""
    site = shift.site
    with transaction.atomic():
        days = local_days(shift.start, shift.end, site.zone)
        lock_site_days(site, days)
        _check(site, days, without=shift.pk, adding=None)
        NurseShift.objects.filter(pk=shift.pk).delete()


@dataclass
class CopyResult:
    created: int
    skipped: int  # already on the roster of the next week


def roster_copy_week(*, site: Site, monday: date) -> CopyResult:
    """Copy the week from `monday` (local) to the week after, at the same local times (across a DST
    change), skipping shifts the next week already has. Only adds nurses, so it refuses nothing."""
    begin, _ = day_bounds(site, monday)
    _, finish = day_bounds(site, monday + timedelta(days=6))
    zone = site.zone
    created = skipped = 0
    with transaction.atomic():
        lock_site_days(site, [monday + timedelta(days=n) for n in range(7, 14)])
        week = NurseShift.objects.filter(site=site, start__gte=begin, start__lt=finish)
        for shift in week.order_by("start", "pk"):
            start, end = shift.start.astimezone(zone), shift.end.astimezone(zone)
            to_start = datetime.combine(start.date() + timedelta(days=7), start.time(), tzinfo=zone)
            to_end = datetime.combine(end.date() + timedelta(days=7), end.time(), tzinfo=zone)
            same = NurseShift.objects.filter(
                site=site, start=to_start, end=to_end, name=shift.name, nurse_id=shift.nurse_id
            )
            if same.exists():
                skipped += 1
                continue
            validated_save(
                NurseShift(site=site, start=to_start, end=to_end, name=shift.name, nurse_id=shift.nurse_id)
            )
            created += 1
    return CopyResult(created, skipped)
