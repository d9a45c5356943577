"""What a patient does from their visit link: confirm, say they can't come, or move the visit.

Each goes through the calendar's own service (`scheduling.services`), so the rules, the history
(`BookingEvent`, whose reason says "Patient via link"), the released units and the reminders are the
same as when staff do it. The views audit each action ("patient via link", `clinic.audit`).
"""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from clinic.errors import Conflict
from clinic.notifications.services import notification_schedule
from clinic.roles import Role
from scheduling.models import Booking
from scheduling.services import booking_cancel, booking_confirm, booking_reschedule
from selfservice import moves, notices
from selfservice.models import LinkToken

VIA = "Patient via link"


class SlotGone(Exception):
    """The time the patient chose is no longer offered (taken meanwhile, or never offered)."""


class LinkGone(Exception):
    """The link was revoked or expired while the request was on its way (another tab moved the visit)."""


def _booking(link: LinkToken) -> Booking:
    """The link's booking, once the link is locked and still live: of two requests with one link (two
    tabs, a double tap), the second waits for the first and finds the link revoked if it moved or
    cancelled the visit. Call inside a transaction."""
    live = LinkToken.objects.select_for_update().filter(
        pk=link.pk, revoked_at__isnull=True, used_at__isnull=True, expires_at__gt=timezone.now()
    )
    if link.booking is None or not live.exists():
        raise LinkGone(link.pk)
    return link.booking


def visit_confirm(*, link: LinkToken) -> bool:
    """Confirm the link's visit; True when this request confirmed it (False: it already was).
    Raises Conflict `status_invalid` when the booking is no longer booked, LinkGone."""
    with transaction.atomic():
        return booking_confirm(booking=_booking(link), reason=f"{VIA}: confirmed")


def visit_cancel(*, link: LinkToken) -> Booking:
    """Cancel the link's visit ("I can't come") and tell the clinic; return the booking.

    `booking_cancel` frees the chair, releases the cycle's reserved units (infusions' receiver) and
    cancels the reminders; the booking's links are revoked by selfservice's receiver. The clinic's
    managers get a notice through the outbox. Raises Conflict `status_invalid`, LinkGone.
    """
    with transaction.atomic():
        booking = _booking(link)
        cancelled = booking_cancel(booking=booking, reason=f"{VIA}: can't come")
        notification_schedule(
            kind=notices.CANCELLED_BY_PATIENT,
            channel="email",
            recipient=Group.objects.get(name=Role.MANAGER),
            record=cancelled,
            due_at=timezone.now(),
        )
    return cancelled


def visit_move(*, link: LinkToken, key: str) -> Booking:
    """Move the link's visit to the offered time `key` (`moves.Offer.key`) and return the booking.

    Atomic: `booking_reschedule` moves it in one transaction (the old time is freed only as the new one
    is booked, and the authorization's reservation moves with it); the interval is checked again in it.
    The patient chose the new time, so it counts as confirmed; the old link is revoked (selfservice's
    reschedule hook) and a notice with a new link for the new time is queued.

    Raises SlotGone when `key` is not offered any more, Conflict when the calendar or a hook refuses,
    LinkGone.
    """
    try:
        with transaction.atomic():
            booking = _booking(link)
            offer = moves.move_offers(booking).find(key)
            if offer is None:
                raise SlotGone(key)
            cycle_day = moves.cycle_day_of(booking)
            moved = booking_reschedule(
                booking=booking,
                start=offer.start,
                chair=booking.site.chairs.get(pk=offer.chair_id),
                reason=f"{VIA}: chose another time",
            )
            refusal = moves.interval_refusal(moved, offer.start.astimezone(moved.site.zone).date(), cycle_day)
            if refusal is not None:
                raise refusal
            booking_confirm(booking=moved, reason=f"{VIA}: chose this time")
            notification_schedule(
                kind=notices.MOVED_BY_PATIENT,
                channel=moved.patient.reminder_channel,
                recipient=moved.patient,
                record=moved,
                record_key=str(int(offer.start.timestamp())),
                due_at=timezone.now(),
            )
    except Conflict as exc:
        if exc.code in ("chair_conflict", "patient_conflict", "nurse_capacity", "start_limit"):
            raise SlotGone(key) from exc
        raise
    return moved
