"""Finding bookable slots: the first N (site, chair, start) that satisfy every booking rule.

The sites are read with their opening hours, closures and chairs; then the calendar (the nurse shifts
and the active bookings) in windows of days, one query each, until enough slots are found; the grid of
each open day is walked in Python. The rules are those `scheduling.services.booking_create` enforces:
the grid, opening hours and closures, a free chair, a patient-free time, nurse capacity over the whole
session and the start limit in its first slot.

Ranking: earlier days first; within a day, `scheduling.ranking.slot_rank` (the weekly template, then
the nurse load at a site that flattens the peak, then the earliest start).
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.db.models import BigIntegerField, F, Func, IntegerField, Prefetch, Value
from django.utils import timezone

from scheduling.models import (
    INACTIVE_STATUSES,
    MAX_SESSION,
    Booking,
    Chair,
    Closure,
    NurseShift,
    Site,
)
from scheduling.optimiser.template import duration_band, template_has_room
from scheduling.ranking import slot_rank

NOON = time(12, 0)
MAX_RANGE_DAYS = 92


@dataclass(frozen=True)
class Slot:
    site: Site
    chair: Chair
    start: datetime
    end: datetime
    # Booked patients over nurse capacity at the busiest moment of the session, this booking included.
    peak_load: float

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.site.zone)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.site.zone)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# Reading thousands of timestamps through the ORM costs more than the whole walk of the grid, so
# availability reads times as whole epoch seconds.
def _epoch(field: str):
    return Func(
        F(field), template="EXTRACT(EPOCH FROM %(expressions)s)::bigint", output_field=BigIntegerField()
    )


def _raw_rows(queryset) -> list[tuple]:
    """Run a values_list queryset without the ORM's per-value converters: its values are plain integers
    already, and converting tens of thousands of them costs more than the query."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class DayGrid:
    """One site's open day cut into grid slots, with what is booked and who is on shift in each.

    Times are epoch seconds: `first` is the start of the first slot, each slot `step` seconds long.
    """

    first: int
    step: int
    load: list[int]  # active bookings overlapping each slot
    starts: list[int]  # bookings starting in each slot
    nurses: list[int]  # nurses whose shift covers the whole slot
    chair_busy: dict[int, list[bool]]

    @property
    def count(self) -> int:
        return len(self.load)

    def slot_start(self, index: int) -> datetime:
        return datetime.fromtimestamp(self.first + index * self.step, UTC)


def day_grid(
    *,
    site: Site,
    day: date,
    opens: time,
    closes: time,
    chair_ids: list[int],
    bookings: list[tuple[int, int, int]],
    shifts: list[tuple[int, int]],
) -> DayGrid:
    """Build a DayGrid from plain values: bookings as (chair_id, start, end), shifts as (start, end), in
    epoch seconds."""
    zone = site.zone
    step = site.grid_minutes * 60
    first = epoch(datetime.combine(day, opens, tzinfo=zone))
    count = (epoch(datetime.combine(day, closes, tzinfo=zone)) - first) // step
    load = [0] * count
    starts = [0] * count
    nurses = [0] * count
    chair_busy = {chair_id: [False] * count for chair_id in chair_ids}
    for chair_id, start, end in bookings:
        lo = max(0, (start - first) // step)
        hi = min(count, -(-(end - first) // step))  # ceiling: a part-slot booking holds the slot
        if lo >= hi:
            continue
        if start >= first and (start - first) % step == 0:
            starts[lo] += 1
        busy = chair_busy.get(chair_id)
        for i in range(lo, hi):
            load[i] += 1
            if busy is not None:
                busy[i] = True
    for start, end in shifts:
        # A nurse counts for the slots her shift covers entirely.
        lo = max(0, -(-(start - first) // step))
        hi = min(count, (end - first) // step)
        for i in range(lo, hi):
            nurses[i] += 1
    return DayGrid(first, step, load, starts, nurses, chair_busy)


def _runs(flags: list[bool]) -> list[int]:
    """For each index, how many consecutive True values start there."""
    out = [0] * (len(flags) + 1)
    for i in range(len(flags) - 1, -1, -1):
        out[i] = out[i + 1] + 1 if flags[i] else 0
    return out


def day_candidates(
    grid: DayGrid,
    *,
    site: Site,
    chairs: list[Chair],
    need: int,
    not_before: int,
    part_of_day: str | None,
    every_chair: bool = False,
) -> list[Slot]:
    """Every bookable start of one day (one slot per start: the first free chair in name order; with
    `every_chair`, one per free chair)."""
    ppn, spn = site.patients_per_nurse, site.starts_per_nurse_per_slot
    room = _runs([load < nurses * ppn for load, nurses in zip(grid.load, grid.nurses, strict=True)])
    free = {chair.pk: _runs([not busy for busy in grid.chair_busy[chair.pk]]) for chair in chairs}
    zone = site.zone
    found = []
    for i in range(grid.count - need + 1):
        if grid.first + i * grid.step < not_before or room[i] < need:
            continue
        if grid.starts[i] + 1 > grid.nurses[i] * spn:
            continue
        start = grid.slot_start(i)
        if part_of_day:
            morning = start.astimezone(zone).time() < NOON
            if morning != (part_of_day == "morning"):
                continue
        fitting = [c for c in chairs if free[c.pk][i] >= need]
        if not fitting:
            continue
        peak = max((grid.load[j] + 1) / (grid.nurses[j] * ppn) for j in range(i, i + need))
        for chair in fitting if every_chair else fitting[:1]:
            found.append(Slot(site, chair, start, grid.slot_start(i + need), peak))
    return found


FIRST_WINDOW_DAYS = 3  # most searches stop within the first days; later windows double


def _windows(date_from: date, date_to: date):
    """Consecutive (first, last) local dates covering the range: 3 days, then 6, 12, 24, ..."""
    first, size = date_from, FIRST_WINDOW_DAYS
    while first <= date_to:
        last = min(date_to, first + timedelta(days=size - 1))
        yield first, last
        first, size = last + timedelta(days=1), size * 2


def _midnights(zone, first: date, days: int) -> list[int]:
    """The epoch seconds of each local midnight from `first`, one more than `days` (DST-aware: a day
    is 23 or 25 hours long when the clocks change). A row's local day is then a bisection, with no
    datetime object built per row."""
    return [
        epoch(datetime.combine(first + timedelta(days=n), time.min, tzinfo=zone)) for n in range(days + 1)
    ]


BOOKING, SHIFT, PATIENT = 0, 1, 2


def _window_rows(site_ids: list[int], first: date, last: date, patient_id: int | None) -> list[tuple]:
    """One query for a window of days: (kind, site, chair, start, end) of the active bookings and nurse
    shifts of the sites and, with a patient, that patient's active bookings anywhere. Times are epoch
    seconds; no ORDER BY (the grid does not need one)."""
    # UTC bounds wide enough for every time zone on earth.
    range_start = datetime.combine(first - timedelta(days=1), time.min, tzinfo=UTC)
    range_end = datetime.combine(last + timedelta(days=2), time.min, tzinfo=UTC)
    active = (
        Booking.objects.filter(start__lt=range_end, end__gt=range_start, start__gt=range_start - MAX_SESSION)
        .exclude(status__in=INACTIVE_STATUSES)
        .order_by()
        .annotate(s=_epoch("start"), e=_epoch("end"))
    )
    kind = Value(BOOKING, output_field=IntegerField())
    parts = [active.filter(site_id__in=site_ids).values_list(kind, "site_id", "chair_id", "s", "e")]
    shifts = (
        NurseShift.objects.filter(site_id__in=site_ids, start__lt=range_end, end__gt=range_start)
        .order_by()
        .annotate(s=_epoch("start"), e=_epoch("end"))
    )
    none = Value(0, output_field=BigIntegerField())
    parts.append(shifts.values_list(Value(SHIFT, output_field=IntegerField()), "site_id", none, "s", "e"))
    if patient_id is not None:
        mine = active.filter(patient_id=patient_id)
        parts.append(mine.values_list(Value(PATIENT, output_field=IntegerField()), "site_id", none, "s", "e"))
    return _raw_rows(parts[0].union(*parts[1:], all=True))


def find_slots(
    *,
    duration_minutes: int,
    date_from: date,
    date_to: date,
    sites=None,
    weekdays: set[int] | None = None,
    part_of_day: str | None = None,
    chair_kind: str | None = None,
    patient_id: int | None = None,
    limit: int = 10,
    now: datetime | None = None,
    every_chair: bool = False,
) -> list[Slot]:
    """Return up to `limit` bookable slots between the local dates `date_from` and `date_to` (inclusive).

    `sites` is a Site queryset to search (all sites when None). `weekdays` are 0 (Monday) to 6;
    `part_of_day` is "morning" (local start before 12:00) or "afternoon"; `chair_kind` a ChairKind;
    with `patient_id`, times the patient is already booked are left out. Each start is offered in the
    first free chair in name order, or, with `every_chair`, in each free chair (for a desk that shows
    every chair's best start).

    The calendar is read in windows of days (3, then 6, 12, ...) and the search stops at the window
    in which `limit` slots are found, so its cost grows with the days actually searched, not the
    range asked. Queries: four for the sites (with hours, closures, chairs), then one per window read,
    whatever the number of bookings.
    """
    now = now or timezone.now()
    sites = Site.objects.all() if sites is None else sites
    chairs = Chair.objects.filter(is_active=True).order_by("name", "pk")
    if chair_kind:
        chairs = chairs.filter(kind=chair_kind)
    site_list = list(
        sites.prefetch_related(
            "opening_hours",
            Prefetch("closures", Closure.objects.filter(ends_on__gte=date_from, starts_on__lte=date_to)),
            Prefetch("chairs", chairs, to_attr="bookable_chairs"),
        )
    )
    if not site_list:
        return []
    site_ids = [site.pk for site in site_list]
    need_delta = timedelta(minutes=duration_minutes)
    results: list[Slot] = []
    for first, last in _windows(date_from, date_to):
        days = (last - first).days + 1
        midnights = {site.pk: _midnights(site.zone, first, days) for site in site_list}
        bookings: dict[tuple[int, int], list] = defaultdict(list)
        shifts: dict[tuple[int, int], list] = defaultdict(list)
        patient_busy: list[tuple[int, int]] = []
        for kind, site_id, chair_id, start, end in _window_rows(site_ids, first, last, patient_id):
            if kind == PATIENT:
                patient_busy.append((start, end))
                continue
            bounds = midnights.get(site_id)
            if bounds is None:
                continue
            if kind == BOOKING:
                n = bisect_right(bounds, start) - 1
                if 0 <= n < days:
                    bookings[(site_id, n)].append((chair_id, start, end))
            else:  # a shift counts on every local day it covers
                lo = max(0, bisect_right(bounds, start) - 1)
                hi = min(days - 1, bisect_right(bounds, end - 1) - 1)
                for n in range(lo, hi + 1):
                    shifts[(site_id, n)].append((start, end))
        for n in range(days):
            day = first + timedelta(days=n)
            todays: list[Slot] = []
            if weekdays is None or day.weekday() in weekdays:
                for site in site_list:
                    todays.extend(
                        _site_day(
                            site,
                            day,
                            need_delta,
                            bookings.get((site.pk, n), []),
                            shifts.get((site.pk, n), []),
                            now,
                            part_of_day,
                            every_chair,
                        )
                    )
            todays = _day_ranked(todays, n, bookings, patient_busy)
            results.extend(todays[: limit - len(results)])
            if len(results) >= limit:
                return results
    return results


def _day_ranked(
    todays: list[Slot], n: int, bookings: dict, patient_busy: list[tuple[int, int]]
) -> list[Slot]:
    """Day `n`'s slots without the times the patient is booked elsewhere, best first (`slot_rank`);
    `bookings[(site_id, n)]` are each site's bookings that day, for the template's free starts."""
    if patient_busy:
        todays = [
            s for s in todays if not any(b < epoch(s.end) and e > epoch(s.start) for b, e in patient_busy)
        ]
    return sorted(
        todays,
        key=lambda s: slot_rank(
            in_template=_in_template(s, bookings.get((s.site.pk, n), [])),
            flatten_peak=s.site.flatten_peak,
            peak_load=s.peak_load,
            start=s.start,
            site_name=s.site.name,
        ),
    )


def _in_template(slot: Slot, day_bookings: list) -> bool:
    """Whether the slot books into its site's weekly template (a start the template has for its weekday
    and duration band, not yet taken by that day's bookings `(chair_id, start, end)` in epoch seconds)."""
    template = slot.site.booking_template
    if not template:
        return False
    local = slot.local_start
    minutes = int((slot.end - slot.start).total_seconds() // 60)
    band, at = duration_band(minutes), epoch(slot.start)
    taken = sum(
        1 for _, start, end in day_bookings if start == at and duration_band((end - start) // 60) == band
    )
    return template_has_room(
        template, weekday=local.weekday(), minutes=minutes, start=f"{local:%H:%M}", booked=taken
    )


def _site_day(site, day, need_delta, bookings, shifts, now, part_of_day, every_chair=False) -> list[Slot]:
    step = timedelta(minutes=site.grid_minutes)
    if need_delta % step:
        return []
    if any(c.starts_on <= day <= c.ends_on for c in site.closures.all()):
        return []
    hours = next((h for h in site.opening_hours.all() if h.weekday == day.weekday()), None)
    if hours is None or not site.bookable_chairs:
        return []
    grid = day_grid(
        site=site,
        day=day,
        opens=hours.opens,
        closes=hours.closes,
        chair_ids=[c.pk for c in site.bookable_chairs],
        bookings=bookings,
        shifts=shifts,
    )
    return day_candidates(
        grid,
        site=site,
        chairs=site.bookable_chairs,
        need=need_delta // step,
        not_before=epoch(now),
        part_of_day=part_of_day,
        every_chair=every_chair,
    )
