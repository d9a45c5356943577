"""Booking a series of an order's cycles: the next K cycles at the order's interval, on the same
weekday and local time where possible, with one outcome per cycle (`booked`, `already_booked`,
`not_placed` with the calendar's or the checks' code). Each cycle is booked by `cycles.cycle_book`, in
its own transaction.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.errors import Conflict
from infusions import selectors, services
from infusions.cycles import (
    cycle_book,
    invalid,
    order_bookings,
    same_kind_chairs,
    session_minutes,
)
from infusions.models import TreatmentOrder
from infusions.planning import OrderPlan
from scheduling.availability import Slot, find_slots
from scheduling.models import Booking, Chair, Site

MAX_SERIES = 26  # a year of fortnightly cycles
NEAREST_DAYS = 3  # a series looks this many days either side of a cycle's day when its time is taken
NEAREST_TRIES = 20  # candidate slots tried per cycle before giving up (each is a full booking attempt)
# The calendar's refusals that another chair, time or day may get round. Others (the order is blocked,
# not active, complete, not authorized) stop the cycle at once.
CALENDAR_CODES = frozenset(
    {"chair_conflict", "patient_conflict", "nurse_capacity", "start_limit", "outside_hours", "off_grid"}
)

BOOKED, ALREADY_BOOKED, NOT_PLACED = "booked", "already_booked", "not_placed"


@dataclass
class CycleOutcome:
    """What became of one cycle of a series: `booked` (perhaps `moved` from its target time),
    `already_booked` (the order has a cycle near that day), or `not_placed` with `code` and `detail`."""

    index: int  # 1 = the series' first cycle
    target: datetime  # the aware start the interval gives
    status: str
    cycle: int | None = None
    bookings: list[Booking] = field(default_factory=list)
    moved: bool = False
    code: str = ""
    detail: str = ""


def validation_code(exc: ValidationError) -> tuple[str, str]:
    """The first error's code and every message, for reporting a ValidationError as an outcome."""
    errors = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    first = next(iter(errors))[0]
    return first.code or "invalid", " ".join(exc.messages)


def _slot_at(order: TreatmentOrder, start: datetime, minutes: int) -> Chair:
    """The first chair (in find_slots' order) free at exactly `start` at any site, for a series
    given no chair."""
    around = start.date()
    slots = find_slots(
        duration_minutes=minutes,
        date_from=around - timedelta(days=1),
        date_to=around + timedelta(days=1),
        patient_id=order.patient_id,
        limit=10_000,
    )
    slot = next((s for s in slots if s.start == start), None)
    if slot is None:
        raise Conflict(
            "no_chair_free",
            f"No chair is free at {start.isoformat()} for this order's session; choose a chair.",
            field="chair",
        )
    return slot.chair


def _existing_cycles(order_id: int, zone) -> list[tuple[date, int | None, list[Booking]]]:
    """The order's booked cycles as (first local day, cycle number, bookings), earliest first."""
    groups: dict[object, list[Booking]] = {}
    for booking in order_bookings(order_id):
        cycle = booking.cycle_day.cycle
        key = cycle if cycle is not None else ("booking", booking.pk)
        groups.setdefault(key, []).append(booking)
    found = [
        (rows[0].start.astimezone(zone).date(), key if isinstance(key, int) else None, rows)
        for key, rows in groups.items()
    ]
    return sorted(found, key=lambda g: g[0])


def _attempt(
    order, chair, start, created_by, note, early_reason=""
) -> tuple[list[Booking] | None, Exception | None]:
    try:
        booked = cycle_book(
            order=order,
            chair=chair,
            start=start,
            created_by=created_by,
            note=note,
            early_reason=early_reason,
        )
        return booked, None
    except (Conflict, ValidationError) as exc:
        return None, exc


def _place(
    *, order, chair, target, minutes, created_by, note, window, index, early_reason=""
) -> CycleOutcome:
    """Book one cycle of a series: at its time in its chair, else another chair of the kind at that
    time, else the nearest slot within `window` days (nearest day first, then nearest time of day)."""
    outcome = CycleOutcome(index=index, target=target, status=NOT_PLACED)
    bookings, first_error = _attempt(order, chair, target, created_by, note, early_reason)
    tries = []
    if isinstance(first_error, Conflict) and first_error.code in CALENDAR_CODES:
        if first_error.code == "chair_conflict":
            tries += [(other, target) for other in same_kind_chairs(chair)]
        zone = chair.site.zone
        local = target.astimezone(zone)
        slots = find_slots(
            duration_minutes=minutes,
            date_from=local.date() - timedelta(days=window),
            date_to=local.date() + timedelta(days=window),
            sites=Site.objects.filter(pk=chair.site_id),
            chair_kind=chair.kind,
            patient_id=order.patient_id,
            limit=10_000,
        )

        def distance(slot: Slot) -> tuple[int, float]:
            there = slot.start.astimezone(zone)
            minutes_apart = abs((there.hour * 60 + there.minute) - (local.hour * 60 + local.minute))
            return abs((there.date() - local.date()).days), minutes_apart

        nearest = sorted((s for s in slots if s.start != target), key=distance)
        tries += [(s.chair, s.start) for s in nearest[:NEAREST_TRIES]]
    for other_chair, start in tries:
        if bookings is not None:
            break
        bookings, _ = _attempt(order, other_chair, start, created_by, note, early_reason)
        outcome.moved = bookings is not None
    if bookings is not None:
        outcome.status, outcome.bookings = BOOKED, bookings
        outcome.cycle = bookings[0].cycle_day.cycle
        if outcome.moved:
            outcome.code, outcome.detail = first_error.code, f"Moved: {first_error.detail}"
        return outcome
    if isinstance(first_error, Conflict):
        outcome.code, outcome.detail = first_error.code, first_error.detail
    else:
        outcome.code, outcome.detail = validation_code(first_error)
    return outcome


def series_book(
    *,
    order: TreatmentOrder,
    first_start: datetime,
    cycles: int,
    created_by,
    chair: Chair | None = None,
    note: str = "",
    early_reason: str = "",
) -> list[CycleOutcome]:
    """Book the order's next `cycles` cycles from `first_start`, one outcome per cycle, in order.

    Cycle i is planned at first_start + i x the order's interval, at the same local wall-clock time in
    the chair's site (so it stays 09:00 across a DST change). When that time is refused, another chair
    of the same kind at the same time, then the nearest slot within 3 days, is tried. A cycle the
    order already has within that window is reported `already_booked` and left alone (so running a
    series again books only what is missing). Each cycle books in its own transaction: one failure
    undoes nothing else. Without `chair`, the first chair free at `first_start` (any site) is used.
    `early_reason` lets a cycle be booked nearer another than the order's interval allows (it is
    recorded); without it such a cycle is `not_placed` with `interval_too_soon`.

    Raises (before any cycle) ValidationError `cycles_invalid`, `naive_time`, `interval_required`, and
    Conflict `order_not_active` / `order_blocked` (a series is refused whole when no cycle may be
    booked), `no_chair_free`. Per-cycle refusals are outcomes, not exceptions.
    """
    if not 1 <= cycles <= MAX_SERIES:
        raise invalid("cycles", "cycles_invalid", f"Book 1 to {MAX_SERIES} cycles at once.")
    if timezone.is_naive(first_start):
        raise invalid("first_start", "naive_time", "Times need a time zone (an offset or Z).")
    plan: OrderPlan = services.order_cycle_check(order=order)
    fresh = selectors.order_list().get(pk=order.pk)
    interval = fresh.interval_days
    if cycles > 1 and not interval:
        raise invalid(
            "cycles", "interval_required", "This order has no interval between cycles: book one cycle."
        )
    if chair is None:
        chair = _slot_at(fresh, first_start, plan.plan.chair_minutes)
    zone = chair.site.zone
    minutes = session_minutes(plan.plan, chair.site)
    # Half the interval at most, so one booked cycle never answers for two.
    window = min(NEAREST_DAYS, (interval - 1) // 2) if interval else NEAREST_DAYS
    existing = _existing_cycles(fresh.pk, zone)
    claimed: set[int] = set()
    first_local = first_start.astimezone(zone)
    outcomes = []
    for i in range(cycles):
        day = first_local.date() + timedelta(days=i * (interval or 0))
        target = datetime.combine(day, first_local.time(), tzinfo=zone)
        match = next(
            (
                n
                for n, (on, _, _) in enumerate(existing)
                if n not in claimed and abs((on - day).days) <= window
            ),
            None,
        )
        if match is not None:
            claimed.add(match)
            _, number, rows = existing[match]
            outcomes.append(
                CycleOutcome(index=i + 1, target=target, status=ALREADY_BOOKED, cycle=number, bookings=rows)
            )
            continue
        outcomes.append(
            _place(
                order=fresh,
                chair=chair,
                target=target,
                minutes=minutes,
                created_by=created_by,
                note=note,
                window=window,
                index=i + 1,
                early_reason=early_reason,
            )
        )
    return outcomes
