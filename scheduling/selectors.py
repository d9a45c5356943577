"""Reads of the chair calendar. Each returns rows whose query count does not grow with their number."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet

from scheduling.availability import day_grid, epoch
from scheduling.models import INACTIVE_STATUSES, MAX_SESSION, Booking, Chair, NurseShift, Site


def booking_list() -> QuerySet[Booking]:
    return Booking.objects.select_related("site", "chair", "patient")


def day_bounds(site: Site, day: date) -> tuple[datetime, datetime]:
    """The aware start and end of a local day at a site (23 or 25 hours long across DST changes)."""
    zone = site.zone
    return (
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


def bookings_between(site: Site, start: datetime, end: datetime) -> QuerySet[Booking]:
    """Every booking of a site (cancelled ones too) that overlaps [start, end)."""
    return booking_list().filter(site=site, start__lt=end, end__gt=start, start__gt=start - MAX_SESSION)


@dataclass
class BoardRow:
    chair: Chair
    bookings: list = field(default_factory=list)


@dataclass
class DayBoard:
    site: Site
    day: date
    opens: time | None
    closes: time | None
    closure: str
    slots: list[datetime]  # local slot starts
    rows: list[BoardRow]
    load: list[int]  # booked patients per slot
    capacity: list[int]  # nurses x patients per nurse per slot
    open_chair_minutes: int
    booked_chair_minutes: int

    @property
    def utilisation(self) -> float:
        return self.booked_chair_minutes / self.open_chair_minutes if self.open_chair_minutes else 0.0


def _week_data(site: Site, first: date, days: int):
    start, _ = day_bounds(site, first)
    _, end = day_bounds(site, first + timedelta(days=days - 1))
    bookings = list(bookings_between(site, start, end).order_by("start"))
    shifts = list(
        NurseShift.objects.filter(site=site, start__lt=end, end__gt=start).values_list("start", "end")
    )
    return bookings, shifts


def site_days(site: Site, first: date, days: int = 1) -> list[DayBoard]:
    """The board of `days` local days from `first`: chairs with their bookings, nurse load per slot.

    Four queries (opening hours, closures, chairs, bookings) plus one for shifts, however many bookings.
    """
    hours = {h.weekday: h for h in site.opening_hours.all()}
    last = first + timedelta(days=days - 1)
    closures = list(site.closures.filter(starts_on__lte=last, ends_on__gte=first))
    chairs = list(site.chairs.order_by("name", "pk"))
    bookings, shifts = _week_data(site, first, days)
    zone = site.zone
    boards = []
    for n in range(days):
        day = first + timedelta(days=n)
        todays = [b for b in bookings if b.start.astimezone(zone).date() == day]
        closure = next((c.reason for c in closures if c.starts_on <= day <= c.ends_on), "")
        opening = hours.get(day.weekday())
        rows = [BoardRow(chair) for chair in chairs]
        by_chair = {row.chair.pk: row for row in rows}
        for booking in todays:
            by_chair[booking.chair_id].bookings.append(booking)
        slots, load, capacity = [], [], []
        open_minutes = 0
        if opening and not closure:
            active = [
                (b.chair_id, epoch(b.start), epoch(b.end))
                for b in todays
                if b.status not in INACTIVE_STATUSES
            ]
            grid = day_grid(
                site=site,
                day=day,
                opens=opening.opens,
                closes=opening.closes,
                chair_ids=[c.pk for c in chairs],
                bookings=active,
                shifts=[(epoch(start), epoch(end)) for start, end in shifts],
            )
            slots = [grid.slot_start(i).astimezone(zone) for i in range(grid.count)]
            load = grid.load
            capacity = [n * site.patients_per_nurse for n in grid.nurses]
            open_minutes = grid.count * site.grid_minutes * sum(1 for c in chairs if c.is_active)
        booked = sum(
            int((b.end - b.start).total_seconds() // 60) for b in todays if b.status not in INACTIVE_STATUSES
        )
        boards.append(
            DayBoard(
                site=site,
                day=day,
                opens=opening.opens if opening else None,
                closes=opening.closes if opening else None,
                closure=closure,
                slots=slots,
                rows=rows,
                load=load,
                capacity=capacity,
                open_chair_minutes=open_minutes,
                booked_chair_minutes=booked,
            )
        )
    return boards
