"""Celery tasks of the waitlist. Thin: they take ids and call a service; running one twice is harmless
(a slot is topped up to its batch under its row lock, an offer is made once per slot and entry)."""

from celery import shared_task

from waitlist import services
from waitlist.models import WaitlistEntry


@shared_task(name="waitlist.slot_offer")
def waitlist_slot_offer(slot_id: int) -> int:
    """Offer a freed slot to the next waitlisted patients who fit it; return how many offers were made."""
    return len(services.slot_offer(slot_id=slot_id))


@shared_task(name="waitlist.entry_offer")
def waitlist_entry_offer(entry_id: int) -> int:
    """Offer a new entry the soonest open freed time it fits, if any; return 1 or 0."""
    entry = WaitlistEntry.objects.filter(pk=entry_id).first()
    return int(entry is not None and services.entry_offer_next(entry=entry) is not None)
