"""Booking a waitlisted order into freed chair time, through the calendar's and infusions' own services.

Two ways, both atomic:
- the order's next cycle is already booked later: that booking moves earlier
  (`scheduling.services.booking_reschedule`: the calendar's rules and the authorization's dates through
  its hooks; the interval to the order's other cycles through `infusions.interval`);
- otherwise the next cycle is booked (`infusions.cycles.cycle_book`: safety checks, authorization and
  units, interval, calendar).

Whether an entry *fits* a slot is the same call made in a savepoint that is rolled back
(`entry_fit`), as the desk's slot finder previews a cycle: no rule is copied here.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.errors import Conflict
from infusions import cycles, interval, selectors
from infusions.models import InfusionPolicy
from scheduling.models import Booking, BookingStatus
from scheduling.services import booking_reschedule
from waitlist.models import FreedSlot, WaitlistEntry

NOTE = "Booked from the waitlist: an earlier time the patient accepted."


class _DryRun(Exception):
    pass


def later_booking(entry: WaitlistEntry, slot: FreedSlot) -> Booking | None:
    """The order's next booked cycle after the slot, which accepting would move earlier."""
    return (
        cycles.order_bookings(entry.order_id)
        .filter(status=BookingStatus.BOOKED, start__gt=slot.start)
        .order_by("start", "pk")
        .first()
    )


def _interval_keeps(order, moving: Booking, slot: FreedSlot) -> None:
    zone = slot.site.zone
    others = [(day, n) for day, n in cycles.live_cycle_days(order.pk, zone) if n != moving.cycle_day.cycle]
    found = interval.too_soon(
        slot.start.astimezone(zone).date(),
        others,
        interval_days=order.interval_days,
        tolerance_days=InfusionPolicy.current().early_cycle_tolerance_days,
    )
    if found is not None:
        raise Conflict("interval_too_soon", found.sentence(), field="start")


def entry_book(*, entry: WaitlistEntry, slot: FreedSlot) -> Booking:
    """Book the entry's order into the slot's chair at its start and return the (first) booking.

    Raises what the services raise: Conflict (409: the calendar's codes, `authorization_required`,
    `interval_too_soon`, `order_blocked`, ...) or ValidationError (400: `in_past`, `weight_required`).
    """
    order = selectors.order_list().get(pk=entry.order_id)
    with transaction.atomic():
        moving = later_booking(entry, slot)
        if moving is not None:
            _interval_keeps(order, moving, slot)
            return booking_reschedule(booking=moving, start=slot.start, chair=slot.chair, reason=NOTE)
        return cycles.cycle_book(order=order, chair=slot.chair, start=slot.start, created_by=None, note=NOTE)[
            0
        ]


def entry_fit(*, entry: WaitlistEntry, slot: FreedSlot) -> str | None:
    """None when booking the entry into the slot would succeed now, else the refusal's code.

    Books for real in a savepoint and rolls it back (with the outbox rows and tasks it queued)."""
    try:
        with transaction.atomic():
            entry_book(entry=entry, slot=slot)
            raise _DryRun
    except _DryRun:
        return None
    except Conflict as exc:
        return exc.code
    except ValidationError as exc:
        codes = (
            [e.code for errors in exc.error_dict.values() for e in errors]
            if hasattr(exc, "error_dict")
            else []
        )
        return (codes or [getattr(exc, "code", None) or "invalid"])[0]
