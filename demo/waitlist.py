"""The demo's waitlist: Bruno Castellanos (MRN-100002, Privigen every 21 days, his next cycles booked
21 and 42 days on) would come earlier. Cancel a booking 18-20 days ahead on the day board, and his
waitlist entry is offered that chair (Waitlist > Offers); taking it moves his day-21 cycle earlier.
Idempotent: one active entry for his order."""

from datetime import date

from infusions.models import OrderStatus, TreatmentOrder
from waitlist import services
from waitlist.models import EntryStatus, WaitlistEntry

WAITLISTED_MRN = "MRN-100002"


def seed_waitlist(*, today: date, created_by=None) -> WaitlistEntry | None:
    order = (
        TreatmentOrder.objects.filter(patient__mrn=WAITLISTED_MRN, status=OrderStatus.ACTIVE, split_days=1)
        .order_by("-created_at")
        .first()
    )
    if order is None:
        return None
    existing = WaitlistEntry.objects.filter(order=order, status=EntryStatus.ACTIVE).first()
    if existing is not None:
        return existing
    return services.entry_create(order=order, earliest=today, by=created_by)
