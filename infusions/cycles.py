"""Booking an order's cycles into the chair calendar: one cycle, and the slots an order fits (a series
of cycles is `infusions.series`).

A cycle is one dose of an order; an order split over N days (`split_days`) gives a cycle of N bookings,
one per open day, at the same local time. Each booking is linked to its order, cycle and day by a
`CycleDay` row, and only this module writes them: the calendar cannot say which order a booking is for.
Cycle numbers count the order's cycles that hold a live booking (booked, in the chair or completed): a
new cycle takes the lowest number not held, so a cancelled cycle's number is given again, and
`TreatmentOrder.cycles` is never exceeded.

Every cycle runs the order's safety checks again (`services.order_cycle_check`), then
`authorization_check` (the insurance hook), then the order's interval (`interval_check`: a cycle nearer
another than the interval less the clinic's tolerance needs a reason), then
`scheduling.services.booking_create` for each day, then `authorization_reserve` (the cycle's units,
against the authorization that allows it).
"""

import math
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from clinic.errors import Conflict
from infusions import interval, services
from infusions import plan as arithmetic
from infusions.models import CycleDay, InfusionPolicy, TreatmentOrder
from infusions.planning import require_plan
from insurance.services import CycleGrant, cycle_authorize
from scheduling.availability import Slot, find_slots
from scheduling.models import INACTIVE_STATUSES, Booking, Chair, Site
from scheduling.services import booking_create

SPLIT_SEARCH_DAYS = 14  # the next open day of a split cycle must fall within this many days


def order_bookings(order_id: int) -> QuerySet[Booking]:
    """The order's live bookings, each with its `cycle_day` (cancelled and no-show ones hold no cycle)."""
    return (
        Booking.objects.filter(cycle_day__order_id=order_id)
        .exclude(status__in=INACTIVE_STATUSES)
        .select_related("site", "chair", "patient", "cycle_day")
        .order_by("start", "pk")
    )


def authorization_check(*, order: TreatmentOrder, plan: arithmetic.Plan, start: datetime) -> None:
    """The prior-authorization check before a cycle is booked (the insurance hook). Returns None.

    Raises `Conflict("authorization_required")` (409) naming what is missing (coverage, an approved
    authorization for the product's HCPCS code valid on the start's date, or enough units left after
    reservations for `plan.billing_units x plan.days`), unless a manager's override for the order is
    unused. Patients with no coverage on file (self-pay) and payers that do not require authorization
    are not checked. `cycle_book` calls it inside the cycle's transaction, after the safety checks and
    before any booking, so a refused cycle fails before the calendar is asked; `series_book` reports
    its code per cycle as `not_placed`. The units are reserved by `authorization_reserve` once the
    cycle's days are booked and their dates known.
    """
    sessions = [(None, start.date(), plan.billing_units)] * plan.days
    cycle_authorize(
        patient_id=order.patient_id,
        order_id=order.pk,
        cycle=None,
        hcpcs_code=order.product.hcpcs_code,
        sessions=sessions,
        reserve=False,
    )


def authorization_reserve(
    *, order: TreatmentOrder, plan: arithmetic.Plan, bookings: list[Booking]
) -> CycleGrant:
    """Reserve the booked cycle's units and return what allowed it (`insurance.services.CycleGrant`).

    Each day is a session reserving `plan.billing_units` (the plan is one day's), keyed by its
    booking's id, so cancelling that booking releases them
    (`infusions.authorizations.booking_status_changed`). Every day must fall in the authorization's
    valid dates, else Conflict `authorization_required` and, in the cycle's transaction, nothing is
    booked.
    """
    sessions = [(b.pk, b.start.astimezone(b.site.zone).date(), plan.billing_units) for b in bookings]
    return cycle_authorize(
        patient_id=order.patient_id,
        order_id=order.pk,
        cycle=bookings[0].cycle_day.cycle,
        hcpcs_code=order.product.hcpcs_code,
        sessions=sessions,
        reserve=True,
    )


def invalid(field_name: str, code: str, message: str) -> ValidationError:
    return ValidationError({field_name: ValidationError(message, code=code)})


def session_minutes(plan: arithmetic.Plan, site: Site) -> int:
    """The plan's chair minutes, rounded up to the site's grid (the policy's grid may be finer)."""
    grid = site.grid_minutes
    return math.ceil(plan.chair_minutes / grid) * grid


def _cycle_numbers(order_id: int) -> set[int]:
    live = CycleDay.objects.filter(order_id=order_id, released_at__isnull=True, cycle__isnull=False)
    return set(live.values_list("cycle", flat=True))


def live_cycle_days(order_id: int, zone) -> list[tuple[date, int | None]]:
    """The first local day and number of each of the order's live cycles (sessions outside the
    numbered cycles count each on their own day)."""
    firsts: dict[object, tuple[date, int | None]] = {}
    for booking in order_bookings(order_id):
        number = booking.cycle_day.cycle
        key = number if number is not None else ("booking", booking.pk)
        day = booking.start.astimezone(zone).date()
        if key not in firsts or day < firsts[key][0]:
            firsts[key] = (day, number)
    return sorted(firsts.values(), key=lambda item: item[0])


def interval_check(*, order: TreatmentOrder, day: date, zone, early_reason: str = "") -> str:
    """Whether a cycle of `order` may start on local `day` given its interval; returns the reason
    to record ("" when the cycle is not early).

    Raises Conflict `interval_too_soon` (409) when the day is nearer another live cycle of the order
    than its interval less the policy's `early_cycle_tolerance_days`, and no `early_reason` is given;
    its `interval` extra says which cycle, how many days apart and the earliest day without a reason.
    """
    found = interval.too_soon(
        day,
        live_cycle_days(order.pk, zone),
        interval_days=order.interval_days,
        tolerance_days=InfusionPolicy.current().early_cycle_tolerance_days,
    )
    if found is None:
        return ""
    reason = (early_reason or "").strip()
    if not reason:
        raise Conflict(
            "interval_too_soon",
            found.sentence(),
            field="early_reason",
            interval={
                "day": found.day.isoformat(),
                "neighbour": found.neighbour.isoformat(),
                "neighbour_cycle": found.neighbour_cycle,
                "days_apart": found.days_apart,
                "allowed": found.allowed,
                "interval_days": found.interval_days,
                "tolerance_days": found.tolerance_days,
                "earliest": found.earliest.isoformat() if found.earliest else None,
            },
        )
    return reason


def _open_days(site: Site, first: date, count: int) -> list[date]:
    """`first` and the next `count - 1` days the site is open (no closure, opening hours that weekday)."""
    if count == 1:
        return [first]
    last = first + timedelta(days=SPLIT_SEARCH_DAYS)
    weekdays = {h.weekday for h in site.opening_hours.all()}
    closures = list(site.closures.filter(starts_on__lte=last, ends_on__gte=first))
    days, day = [first], first
    while len(days) < count:
        day += timedelta(days=1)
        if day > last:
            raise Conflict(
                "outside_hours",
                f"{site.name} has no {count - len(days)} more open day(s) within {SPLIT_SEARCH_DAYS} days "
                f"of {first:%Y-%m-%d} for day {len(days) + 1} of {count}.",
                field="start",
                day={"number": len(days) + 1, "of": count, "date": None},
            )
        if day.weekday() in weekdays and not any(c.starts_on <= day <= c.ends_on for c in closures):
            days.append(day)
    return days


def _book_day(*, chairs: list[Chair], **kwargs) -> Booking:
    """Book the first chair that is free; a refusal other than a taken chair ends the search."""
    first_error = None
    for chair in chairs:
        try:
            return booking_create(chair=chair, **kwargs)
        except Conflict as exc:
            first_error = first_error or exc
            if exc.code != "chair_conflict":
                break
    raise first_error


def same_kind_chairs(chair: Chair) -> list[Chair]:
    """The other active chairs of the chair's site and kind, in name order."""
    others = Chair.objects.filter(site_id=chair.site_id, kind=chair.kind, is_active=True)
    return list(others.exclude(pk=chair.pk).select_related("site").order_by("name", "pk"))


def cycle_book(
    *,
    order: TreatmentOrder,
    chair: Chair,
    start: datetime,
    created_by,
    note: str = "",
    early_reason: str = "",
) -> list[Booking]:
    """Book the order's next cycle in `chair` from `start` and return its bookings, one per day.

    The session lasts the plan's chair minutes. An order split over N days books N open days (closed
    weekdays and closures are skipped) at the same local time, in the same chair where it is free,
    else another chair of the same kind. One transaction: if any day cannot be booked, none is, and
    the error's detail and `day` say which day.

    A cycle nearer another of the order's than its interval allows (`interval_check`) is booked only
    with `early_reason`, recorded on each of its days (`CycleDay.early_reason`).

    Raises Conflict (409): `order_not_active`, `order_blocked` (the safety checks), `order_complete`
    (every cycle of the order is booked), `before_order_start`, what `authorization_check` raises,
    `interval_too_soon` (early without a reason), and
    the calendar's codes (`chair_conflict`, `patient_conflict`, `nurse_capacity`, `start_limit`,
    `outside_hours`, `off_grid`); ValidationError (400) as `booking_create` and `order_cycle_check`.
    """
    if timezone.is_naive(start):
        raise invalid("start", "naive_time", "Times need a time zone (an offset or Z).")
    with transaction.atomic():
        # The order's row lock serialises cycle numbering: two desks booking the same order take turns.
        locked = TreatmentOrder.objects.select_for_update().get(pk=order.pk)
        site = chair.site
        local = start.astimezone(site.zone)
        plan = services.order_cycle_check(order=locked, on=local.date()).plan
        authorization_check(order=locked, plan=plan, start=start)
        if local.date() < locked.start_date:
            raise Conflict(
                "before_order_start",
                f"The order starts on {locked.start_date:%Y-%m-%d}; {local:%Y-%m-%d} is before it.",
                field="start",
            )
        taken = _cycle_numbers(locked.pk)
        number = next(n for n in range(1, len(taken) + 2) if n not in taken)
        if locked.cycles is not None and number > locked.cycles:
            raise Conflict(
                "order_complete",
                f"All {locked.cycles} cycle(s) of this order are booked.",
                field="cycles",
                cycles=locked.cycles,
            )
        early = interval_check(order=locked, day=local.date(), zone=site.zone, early_reason=early_reason)
        minutes = session_minutes(plan, site)
        days = _open_days(site, local.date(), plan.days)
        fallback: list[Chair] | None = None
        bookings: list[Booking] = []
        for n, day in enumerate(days, start=1):
            day_start = datetime.combine(day, local.time(), tzinfo=site.zone)
            chairs = [chair]
            if n > 1:
                fallback = same_kind_chairs(chair) if fallback is None else fallback
                chairs += fallback
            try:
                booking = _book_day(
                    chairs=chairs,
                    patient=locked.patient,
                    start=day_start,
                    duration_minutes=minutes,
                    created_by=created_by,
                    note=note,
                )
            except Conflict as exc:
                if len(days) == 1:
                    raise
                raise Conflict(
                    exc.code,
                    f"Day {n} of {len(days)} ({day:%a %Y-%m-%d}): {exc.detail}",
                    field=exc.field,
                    **{**exc.extra, "day": {"number": n, "of": len(days), "date": day.isoformat()}},
                ) from exc
            # The order's lock makes the number ours; the unique constraint holds it under any race.
            CycleDay.objects.create(order=locked, cycle=number, day=n, booking=booking, early_reason=early)
            bookings.append(booking)
        authorization_reserve(order=locked, plan=plan, bookings=bookings)
    return bookings


def order_session_link(*, order: TreatmentOrder, booking: Booking) -> CycleDay:
    """Link a booking made outside cycle booking to `order`, as a session outside its numbered cycles,
    and return the link. Only the demo does this: its chairside sessions began earlier today, which
    the calendar's services rightly refuse to book.

    Raises ValidationError `booking_not_patients` when the booking is another patient's.
    """
    if booking.patient_id != order.patient_id:
        raise invalid("booking", "booking_not_patients", "This booking is another patient's.")
    return CycleDay.objects.create(order=order, booking=booking)


def order_slots(
    *,
    order: TreatmentOrder,
    date_from: date,
    date_to: date,
    site: Site | None = None,
    sites: QuerySet[Site] | None = None,
    weekdays: set[int] | None = None,
    part_of_day: str | None = None,
    chair_type: str | None = None,
    limit: int = 10,
    every_chair: bool = False,
) -> list[Slot]:
    """The first `limit` slots the order's cycle fits: its plan's chair minutes, avoiding the patient's
    own bookings (`scheduling.availability.find_slots`, same ranking and fixed query count; with
    `every_chair`, each start in each free chair).

    `order` comes from `selectors.order_list()` (its plan reads the patient's facts from there). `sites`
    limits the search (what the caller may see; all sites when None), `site` narrows it to one.
    Checks are not run: a scheduler may look for a time while a manager reviews a block; booking the
    slot runs them. Raises ValidationError when the order cannot be planned (e.g. weight_required).
    """
    result = require_plan(order, policy=InfusionPolicy.current(), now=timezone.now())
    sites = Site.objects.all() if sites is None else sites
    if site is not None:
        sites = sites.filter(pk=site.pk)
    return find_slots(
        duration_minutes=result.plan.chair_minutes,
        date_from=date_from,
        date_to=date_to,
        sites=sites,
        weekdays=weekdays,
        part_of_day=part_of_day,
        chair_kind=chair_type,
        patient_id=order.patient_id,
        limit=limit,
        every_chair=every_chair,
    )
