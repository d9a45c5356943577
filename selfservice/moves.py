"""Which other times a patient may move their visit to, from the same rules the desk uses.

- the calendar: `scheduling.availability.find_slots` (opening hours, closures, chairs of the visit's
  kind, the patient's own bookings, nurse capacity and staggered starts, the weekly template's
  ranking), for the visit's own length at its own site;
- the order's interval: `infusions.interval.too_soon` against the order's other live cycles
  (`infusions.cycles.live_cycle_days`), with the infusion policy's tolerance and no reason given (a
  patient cannot give one: an early cycle is the desk's decision);
- the prior authorization: the days its reservation may move to (`insurance.services.usage_move_window`,
  the rule `usage_move` enforces); the units are already reserved, so they are enough by construction.

`booking_reschedule` checks the calendar and the authorization again when the patient chooses, inside
its transaction, and `visit_move` checks the interval there too: what is offered is what may be booked,
and what is booked is checked at the moment it is.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from clinic.errors import Conflict
from infusions import cycles, interval
from infusions.models import CycleDay, InfusionPolicy, OrderStatus
from insurance.services import usage_move_window
from scheduling.availability import Slot, find_slots
from scheduling.models import Booking, BookingStatus, Site

# Enough of the calendar's ranked starts to fill the days shown after the filters below.
SCAN_LIMIT = 400
TIMES_PER_DAY = 4
DAYS_SHOWN = 6
SPREAD = timedelta(minutes=90)


@dataclass(frozen=True)
class Offer:
    """A time the visit may move to: a chair of its site from `start` (the visit keeps its length)."""

    chair_id: int
    start: datetime

    @property
    def key(self) -> str:
        """What the page's form sends back: the chair and the start (UTC epoch seconds)."""
        return f"{self.chair_id}-{int(self.start.timestamp())}"


@dataclass
class DayOffers:
    day: date
    offers: list[Offer] = field(default_factory=list)


@dataclass
class MoveOffers:
    days: list[DayOffers]
    # Why no time can be offered (a stable code the page words), "" when times are listed.
    reason: str = ""

    def find(self, key: str) -> Offer | None:
        return next((o for d in self.days for o in d.offers if o.key == key), None)


def cycle_day_of(booking: Booking) -> CycleDay | None:
    return CycleDay.objects.select_related("order").filter(booking_id=booking.pk).first()


def other_cycles(cycle_day: CycleDay, zone) -> list[tuple[date, int | None]]:
    """The order's other live cycles (first local day, number): the neighbours a moved cycle keeps its
    distance from."""
    return [
        (day, number)
        for day, number in cycles.live_cycle_days(cycle_day.order_id, zone)
        if number is None or number != cycle_day.cycle
    ]


def interval_refusal(
    booking: Booking,
    day: date,
    cycle_day: CycleDay | None,
    neighbours: list[tuple[date, int | None]] | None = None,
    tolerance_days: int | None = None,
) -> Conflict | None:
    """The interval rule for the visit moved to local `day`: None when it keeps its distance."""
    if cycle_day is None or cycle_day.cycle is None:
        return None
    order = cycle_day.order
    if neighbours is None:
        neighbours = other_cycles(cycle_day, booking.site.zone)
    found = interval.too_soon(
        day,
        neighbours,
        interval_days=order.interval_days,
        tolerance_days=(
            InfusionPolicy.current().early_cycle_tolerance_days if tolerance_days is None else tolerance_days
        ),
    )
    return None if found is None else Conflict("interval_too_soon", found.sentence())


def move_offers(booking: Booking, *, now: datetime | None = None) -> MoveOffers:
    """The times `booking` may move to: from now to SELFSERVICE_MOVE_DAYS_AFTER days after its own day,
    at most TIMES_PER_DAY a day (the calendar's best ones, shown in time order) for DAYS_SHOWN days."""
    now = now or timezone.now()
    if booking.status != BookingStatus.BOOKED or booking.start <= now:
        return MoveOffers([], "not_booked")
    site = booking.site
    zone = site.zone
    cycle_day = cycle_day_of(booking)
    if cycle_day is not None:
        if cycle_day.order.status != OrderStatus.ACTIVE:
            return MoveOffers([], "order_not_active")
        if cycle_day.cycle is not None and cycle_day.order.split_days > 1:
            # One day of a course given over several days: its days move together, at the desk.
            return MoveOffers([], "split_course")
    first = now.astimezone(zone).date()
    last = booking.start.astimezone(zone).date() + timedelta(days=settings.SELFSERVICE_MOVE_DAYS_AFTER)
    window = usage_move_window(booking_id=booking.pk)
    if window is None:
        return MoveOffers([], "authorization")
    if window[0] is not None:
        first = max(first, window[0])
    if window[1] is not None:
        last = min(last, window[1])
    if first > last:
        return MoveOffers([], "authorization")
    slots: list[Slot] = find_slots(
        duration_minutes=booking.duration_minutes,
        date_from=first,
        date_to=last,
        sites=Site.objects.filter(pk=site.pk),
        chair_kind=booking.chair.kind,
        patient_id=booking.patient_id,
        limit=SCAN_LIMIT,
        now=now,
    )
    neighbours = other_cycles(cycle_day, zone) if cycle_day is not None else []
    tolerance = InfusionPolicy.current().early_cycle_tolerance_days
    by_day: dict[date, list[Offer]] = {}
    allowed: dict[date, bool] = {}
    for slot in slots:
        day = slot.start.astimezone(zone).date()
        if slot.start == booking.start:
            continue
        if day not in allowed:
            allowed[day] = interval_refusal(booking, day, cycle_day, neighbours, tolerance) is None
        if allowed[day]:
            by_day.setdefault(day, []).append(Offer(chair_id=slot.chair.pk, start=slot.start))
    days = [DayOffers(day, spread(offers)) for day, offers in sorted(by_day.items())][:DAYS_SHOWN]
    return MoveOffers(days, "" if days else "no_time")


def spread(offers: list[Offer]) -> list[Offer]:
    """Up to TIMES_PER_DAY of a day's free starts, at least SPREAD apart (a morning and an afternoon
    rather than 8:00, 8:15, 8:30, 8:45), in time order."""
    chosen: list[Offer] = []
    for offer in sorted(offers, key=lambda o: o.start):
        if not chosen or offer.start - chosen[-1].start >= SPREAD:
            chosen.append(offer)
        if len(chosen) == TIMES_PER_DAY:
            break
    return chosen
