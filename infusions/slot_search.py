"""The desk's slot finder for an order's next cycle: the slots it fits, one best start per chair and
day, ranked, and, when nothing (or not everything) fits, why.

The slots are `cycles.order_slots` (the calendar's own availability with the plan's chair minutes), the
reasons are the same services' answers: the safety checks (`services.order_cycle_check`), the
authorization hook (`cycles.authorization_check`), the interval rule (`infusions.interval`), and what
the calendar holds (opening hours, closures, chairs, nurse shifts). Nothing here books or decides a
rule of its own.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet

from clinic.errors import Conflict
from infusions import cycles, interval, services
from infusions.models import InfusionPolicy, TreatmentOrder
from infusions.series import validation_code
from scheduling.availability import Slot
from scheduling.models import Chair, NurseShift, Site

WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# Enough of the calendar's ranked slots to leave, after keeping one per chair and day, a full page.
SCAN_LIMIT = 5000


@dataclass(frozen=True)
class Reason:
    """Why no slot (or no bookable slot) fits: a stable `code` and a sentence for the desk."""

    code: str
    detail: str
    blocks: bool = True  # False: a warning (the slots shown may still be booked)


@dataclass(frozen=True)
class Choice:
    rank: int
    slot: Slot
    early: bool  # nearer another cycle than the interval allows: booking it needs a reason

    @property
    def load_percent(self) -> int:
        """The nurses' load at the busiest moment of the session, this patient included."""
        return int(self.slot.peak_load * 100 + 0.5)  # half up: 1 of 8 patients reads 13%


@dataclass
class SlotSearch:
    choices: list[Choice]
    reasons: list[Reason] = field(default_factory=list)
    chair_minutes: int = 0
    due: date | None = None  # the latest live cycle + the interval
    earliest: date | None = None  # the first day without a reason (the interval less the tolerance)

    @property
    def blocked(self) -> bool:
        return any(r.blocks for r in self.reasons)


def cycle_due(order: TreatmentOrder, *, zone, today: date) -> tuple[date, date | None]:
    """When the order's next cycle is due, and the earliest day it may start without a reason.

    Due: the latest live cycle's first day + the interval; with no cycle booked, the order's start date
    (or today, when that has passed)."""
    booked = [day for day, _ in cycles.live_cycle_days(order.pk, zone)]
    tolerance = InfusionPolicy.current().early_cycle_tolerance_days
    earliest = interval.earliest_day(booked, interval_days=order.interval_days, tolerance_days=tolerance)
    if booked and order.interval_days:
        due = max(booked) + timedelta(days=order.interval_days)
    else:
        due = order.start_date
    return max(due, today), earliest


def one_per_chair_and_day(slots: list[Slot]) -> list[Slot]:
    """Keep each chair's best start of each day (the calendar's ranking decides which is best)."""
    seen: set[tuple[int, date]] = set()
    kept = []
    for slot in slots:
        key = (slot.chair.pk, slot.local_start.date())
        if key not in seen:
            seen.add(key)
            kept.append(slot)
    return kept


def _span(first: date, last: date) -> str:
    return f"{first:%a %d %b}" if first == last else f"{first:%a %d %b} to {last:%a %d %b %Y}"


def _calendar_reasons(
    *,
    sites: list[Site],
    date_from: date,
    date_to: date,
    weekdays: set[int] | None,
    chair_type: str | None,
    minutes: int,
) -> list[Reason]:
    """What in the calendar leaves no slot: closed days, no chair of the kind, a session longer than the
    day, no nurse on shift. Called only when no slot fits."""
    reasons = []
    days = [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
    asked = [d for d in days if weekdays is None or d.weekday() in weekdays]
    if not asked:
        return [Reason("closed", "None of the weekdays you chose falls in the date range.")]
    last_shifts = dict(
        NurseShift.objects.filter(site__in=sites).values_list("site").annotate(last=Max("end"))
    )
    for site in sites:
        zone = site.zone
        hours = {h.weekday: h for h in site.opening_hours.all()}
        closures = list(site.closures.filter(starts_on__lte=date_to, ends_on__gte=date_from))
        open_days = [
            d
            for d in asked
            if d.weekday() in hours and not any(c.starts_on <= d <= c.ends_on for c in closures)
        ]
        if not open_days:
            weekly = ", ".join(WEEKDAY_NAMES[w] for w in sorted(hours)) or "no day"
            closed = "; ".join(f"closed {_span(c.starts_on, c.ends_on)} ({c.reason})" for c in closures)
            reasons.append(
                Reason(
                    "closed",
                    f"{site.name} is closed on every day you asked for ({_span(asked[0], asked[-1])}): "
                    f"it opens {weekly}" + (f"; {closed}" if closed else "") + ".",
                )
            )
            continue
        chairs = Chair.objects.filter(site=site, is_active=True)
        if chair_type:
            chairs = chairs.filter(kind=chair_type)
        if not chairs.exists():
            kind = f"{chair_type} " if chair_type else ""
            reasons.append(Reason("no_chair", f"{site.name} has no {kind}chair in service."))
            continue
        longest = max(
            (
                datetime.combine(date_from, h.closes) - datetime.combine(date_from, h.opens)
                for h in hours.values()
            ),
            default=timedelta(0),
        )
        if timedelta(minutes=minutes) > longest:
            reasons.append(
                Reason(
                    "too_long",
                    f"The cycle needs {minutes // 60} h {minutes % 60:02d} min in the chair; "
                    f"{site.name}'s longest open day is {int(longest.total_seconds() // 3600)} h.",
                )
            )
            continue
        last = last_shifts.get(site.pk)
        if last is None:
            reasons.append(Reason("no_nurse_shifts", f"No nurse shifts are rostered at {site.name}."))
            continue
        last_day = last.astimezone(zone).date()
        if last_day < open_days[0]:
            reasons.append(
                Reason(
                    "no_nurse_shifts",
                    f"Nurse shifts at {site.name} end on {last_day:%a %d %b %Y}: nobody is rostered "
                    f"from {open_days[0]:%a %d %b %Y}, so no day you asked for can be booked. "
                    "Roster nurses first.",
                )
            )
            continue
        begin = datetime.combine(open_days[0], time.min, tzinfo=zone)
        end = datetime.combine(open_days[-1] + timedelta(days=1), time.min, tzinfo=zone)
        if not NurseShift.objects.filter(site=site, start__lt=end, end__gt=begin).exists():
            reasons.append(
                Reason("no_nurse_shifts", f"No nurse is rostered at {site.name} on the days you asked for.")
            )
            continue
        reasons.append(
            Reason(
                "fully_booked",
                f"At {site.name} every time that fits {minutes // 60} h {minutes % 60:02d} min is taken "
                "(chairs, the patient's own bookings, or nurse capacity and staggered starts) on the days "
                "you asked for. Widen the dates, weekdays, part of day or chair type.",
            )
        )
    return reasons


def order_slot_search(
    *,
    order: TreatmentOrder,
    sites: QuerySet[Site],
    date_from: date,
    date_to: date,
    weekdays: set[int] | None = None,
    part_of_day: str | None = None,
    chair_type: str | None = None,
    limit: int = 12,
    today: date,
) -> SlotSearch:
    """Search the slots `order`'s next cycle fits, one best start per chair and day, first `limit` in
    the calendar's ranking, with the reasons nothing or not everything may be booked.

    `order` comes from `selectors.order_list()`; `sites` is what the caller may see. Never raises for
    the order's state: a blocked, inactive or unplannable order is a reason.
    """
    reasons: list[Reason] = []
    site_list = list(sites.prefetch_related("opening_hours"))
    zone = site_list[0].zone if site_list else None
    due, earliest = cycle_due(order, zone=zone, today=today) if zone else (None, None)
    try:
        result = services.order_cycle_check(order=order, on=date_from)
    except Conflict as exc:
        reasons.append(Reason(exc.code, exc.detail, blocks=True))
        if exc.code == "order_not_active":
            return SlotSearch([], reasons, due=due, earliest=earliest)
        result = None
    except ValidationError as exc:
        code, detail = validation_code(exc)
        return SlotSearch([], [Reason(code, detail)], due=due, earliest=earliest)
    if not site_list:
        return SlotSearch(
            [], [Reason("no_site", "You may not book at any site.")], due=due, earliest=earliest
        )

    try:
        slots = cycles.order_slots(
            order=order,
            sites=sites,
            date_from=date_from,
            date_to=date_to,
            weekdays=weekdays,
            part_of_day=part_of_day,
            chair_type=chair_type,
            limit=SCAN_LIMIT,
            every_chair=True,
        )
    except ValidationError as exc:
        code, detail = validation_code(exc)
        return SlotSearch([], [Reason(code, detail)], due=due, earliest=earliest)
    best = one_per_chair_and_day(slots)[:limit]
    plan = result.plan if result else None
    minutes = cycles.session_minutes(plan, site_list[0]) if plan else 0
    if plan is not None:
        start = best[0].start if best else datetime.combine(date_from, time(12), tzinfo=zone)
        try:
            cycles.authorization_check(order=order, plan=plan, start=start)
        except Conflict as exc:
            reasons.append(Reason(exc.code, exc.detail))
    tolerance = InfusionPolicy.current().early_cycle_tolerance_days
    booked = cycles.live_cycle_days(order.pk, zone)
    choices = [
        Choice(
            rank=n,
            slot=slot,
            early=interval.too_soon(
                slot.local_start.date(), booked, interval_days=order.interval_days, tolerance_days=tolerance
            )
            is not None,
        )
        for n, slot in enumerate(best, start=1)
    ]
    if earliest is not None and earliest > date_from:
        reasons.append(
            Reason(
                "interval_too_soon",
                f"This order is given every {order.interval_days} days: without a reason its next cycle "
                f"starts on {earliest:%a %d %b %Y} at the earliest (the clinic accepts {tolerance} days "
                "early). Earlier slots are marked and need a reason.",
                blocks=earliest > date_to,
            )
        )
    if not choices:
        reasons += _calendar_reasons(
            sites=site_list,
            date_from=date_from,
            date_to=date_to,
            weekdays=weekdays,
            chair_type=chair_type,
            minutes=minutes or (plan.chair_minutes if plan else 0),
        )
    return SlotSearch(choices, reasons, chair_minutes=minutes, due=due, earliest=earliest)
