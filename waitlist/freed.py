"""Chair time freed by the calendar: scheduling tells us through its own hooks, and we record it.

- `booking_status_changed`: the receiver of `scheduling.services.booking_status_changed`; a booked
  session cancelled frees its chair from its start to its end.
- `booking_moved`: registered with `scheduling.hooks` as a reschedule check that never refuses; the
  booking's old time (its RESCHEDULED event, written just before the checks run) is free.

Both run inside the calendar's transaction: the freed slot is a row of that transaction (gone if the
change is rolled back), and the offers are made by a task once it commits, never in the desk's request.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scheduling.models import Booking, BookingEvent, BookingEventKind, BookingStatus, Chair
from waitlist.models import FreedSlot


def slot_free(
    *, booking: Booking, chair: Chair, start: datetime, end: datetime, freed_by: str
) -> FreedSlot | None:
    """Record `chair` free from `start` to `end` and offer it once the transaction commits; return the
    slot, or None when it starts too soon to be offered (WAITLIST_MIN_NOTICE_MINUTES)."""
    now = timezone.now()
    if start < now + timedelta(minutes=settings.WAITLIST_MIN_NOTICE_MINUTES):
        return None
    slot = FreedSlot.objects.create(
        site_id=booking.site_id,
        chair=chair,
        start=start,
        end=end,
        freed_booking=booking,
        freed_by=freed_by,
        freed_at=now,
    )
    from waitlist.tasks import waitlist_slot_offer

    transaction.on_commit(lambda: waitlist_slot_offer.delay(slot.pk))
    return slot


def booking_status_changed(sender, *, booking: Booking, from_status: str, to_status: str, **kwargs) -> None:
    if to_status == BookingStatus.CANCELLED and from_status == BookingStatus.BOOKED:
        slot_free(
            booking=booking, chair=booking.chair, start=booking.start, end=booking.end, freed_by="cancelled"
        )


def booking_moved(*, booking: Booking, from_start: datetime) -> None:
    """The reschedule check: never refuses; frees the old time when the booking left it."""
    event = (
        BookingEvent.objects.filter(booking=booking, kind=BookingEventKind.RESCHEDULED)
        .select_related("from_chair")
        .order_by("-at", "-pk")
        .first()
    )
    if event is None or event.from_start is None or event.from_end is None or event.from_chair is None:
        return
    same_place = event.from_chair_id == booking.chair_id
    if same_place and booking.start < event.from_end and event.from_start < booking.end:
        # Moved within its own time (an overlap): only a sliver is free, too small to offer.
        return
    slot_free(
        booking=booking, chair=event.from_chair, start=event.from_start, end=event.from_end, freed_by="moved"
    )
