"""Who is offered a freed slot, in which order: the entry's own wishes (`entry_wants`), whether the
patient can be told, and the fair order (the wanted cycle's due day, then waiting since). Whether each
one fits the calendar is `waitlist.booking.entry_fit`, not decided here."""

from datetime import date, timedelta

from infusions import cycles
from infusions.models import OrderStatus
from scheduling.availability import NOON
from scheduling.models import Booking
from waitlist.booking import later_booking
from waitlist.models import EntryStatus, FreedSlot, PartOfDay, WaitlistEntry


def entry_wants(entry: WaitlistEntry, slot: FreedSlot) -> bool:
    """The entry's own wishes: the slot's local day in its window and weekdays, its part of the day
    (morning: a local start before noon, as availability says) and kind of chair."""
    local = slot.start.astimezone(slot.site.zone)
    day = local.date()
    if day < entry.earliest or (entry.latest is not None and day > entry.latest):
        return False
    if entry.weekdays and day.weekday() not in entry.weekdays:
        return False
    if entry.part_of_day and (local.time() < NOON) != (entry.part_of_day == PartOfDay.MORNING):
        return False
    return not entry.chair_kind or entry.chair_kind == slot.chair.kind


def entry_due(entry: WaitlistEntry, slot: FreedSlot) -> date:
    """The day the wanted cycle is due: the latest live cycle before it + the interval (the desk's
    `cycle_due`), or the order's start; a later booking of that cycle, which accepting moves, does not
    count."""
    order = entry.order
    moving = later_booking(entry, slot)
    days = [
        day
        for day, number in cycles.live_cycle_days(order.pk, slot.site.zone)
        if moving is None or number != moving.cycle_day.cycle
    ]
    if days and order.interval_days:
        return max(days) + timedelta(days=order.interval_days)
    return order.start_date


def reachable(entry: WaitlistEntry) -> bool:
    patient = entry.patient
    if patient.reminder_opt_out:
        return False
    return bool(patient.phone if patient.reminder_channel == "sms" else patient.email)


def slot_candidates(slot: FreedSlot, *, exclude_entries: set[int] | frozenset[int] = frozenset()) -> list:
    """Active entries that want the slot and can be told, in the fair order: the wanted cycle's due
    day, then waiting since. Whether each one fits the calendar is for `entry_fit`."""
    day = slot.start.astimezone(slot.site.zone).date()
    entries = (
        WaitlistEntry.objects.filter(
            status=EntryStatus.ACTIVE, earliest__lte=day, order__status=OrderStatus.ACTIVE
        )
        .exclude(pk__in=exclude_entries)
        .select_related("order", "patient")
    )
    if slot.freed_booking_id is not None:
        freed_patient = Booking.objects.filter(pk=slot.freed_booking_id).values("patient_id")
        entries = entries.exclude(patient_id__in=freed_patient)
    wanting = [e for e in entries if entry_wants(e, slot) and reachable(e)]
    return sorted(wanting, key=lambda e: (entry_due(e, slot), e.created_at, e.pk))
