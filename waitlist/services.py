"""Writes of the waitlist: entries (opt in, withdraw), offers of freed chair time, and the answers.

How a freed slot is filled (and why):
- **A small batch at once** (settings.WAITLIST_OFFER_BATCH, default 3), the first to accept wins. Offers
  to waitlists are accepted rarely (about one in ten at large systems), so one patient at a time with a
  two-hour answer window would often still be asking when the chair time begins; a batch of three
  fills it within one window most of the time, and only two patients hear "it has just been taken".
  Each decline or expiry tops the batch up with the next patient in the fair order.
- **The fair order**: the day the wanted cycle is due (earliest first), then waiting since.
- **Who fits** is decided by booking for real in a rolled-back savepoint (`waitlist.booking.entry_fit`):
  the plan's chair minutes, the chair's kind, the interval and tolerance, the authorization's dates and
  units, the calendar's rules, the order's safety checks. The entry's own wishes (window, weekdays,
  part of day, kind of chair) are `entry_wants`.
- **First to accept wins in the database**: `UPDATE freed slot SET taken_offer = ... WHERE status = 'open'`
  in the transaction that books; PostgreSQL lets one such update through, the others see the slot taken.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from clinic.errors import Conflict
from clinic.notifications.services import notification_schedule, notifications_cancel
from infusions.models import OrderStatus, TreatmentOrder
from patients.reminders import patient_due
from scheduling.models import Booking
from waitlist.booking import entry_book, entry_fit
from waitlist.candidates import entry_wants, reachable, slot_candidates
from waitlist.models import (
    EntryStatus,
    FreedSlot,
    Offer,
    OfferStatus,
    PartOfDay,
    SlotStatus,
    Via,
    WaitlistEntry,
)

OFFER_KIND = "waitlist_offer"
# An offer closes this long before the chair time starts, so whoever takes it can still come.
CLOSES_BEFORE_START = timedelta(minutes=60)
# An offer that would leave the patient less than this to answer (quiet hours, a near start) is not made.
SHORTEST_ANSWER_WINDOW = timedelta(minutes=15)


def _invalid(field: str, code: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


# --- Entries -------------------------------------------------------------------------------------------


def entry_create(
    *,
    order: TreatmentOrder,
    earliest: date,
    latest: date | None = None,
    part_of_day: str = "",
    weekdays: list[int] | None = None,
    chair_kind: str = "",
    via: str = Via.STAFF,
    by=None,
) -> WaitlistEntry:
    """Put the order's next cycle on the waitlist and return the entry; open freed times are offered to
    it once the transaction commits.

    Raises ValidationError `order_not_active`, `split_not_offered` (a cycle over several days needs
    several freed days: booked at the desk), `window_reversed`, `weekday_invalid`; Conflict
    `already_waitlisted`.
    """
    if order.status != OrderStatus.ACTIVE:
        raise _invalid("order", "order_not_active", "Only an active order can wait for an earlier time.")
    if order.split_days > 1:
        raise _invalid(
            "order",
            "split_not_offered",
            "A cycle given over several days cannot be offered a single freed time; book it at the desk.",
        )
    if latest is not None and latest < earliest:
        raise _invalid("latest", "window_reversed", "The last useful day is before the first.")
    days = sorted(set(weekdays or []))
    if any(d not in range(7) for d in days):
        raise _invalid("weekdays", "weekday_invalid", "Weekdays are 0 (Monday) to 6 (Sunday).")
    if part_of_day not in PartOfDay.values:
        raise _invalid("part_of_day", "part_of_day_invalid", "Choose morning, afternoon or any time.")
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                order=order,
                patient_id=order.patient_id,
                earliest=earliest,
                latest=latest,
                part_of_day=part_of_day,
                weekdays=days,
                chair_kind=chair_kind,
                via=via,
                created_by=by if by is not None and by.is_authenticated else None,
            )
    except IntegrityError as exc:
        raise Conflict("already_waitlisted", "This order is already on the waitlist.", field="order") from exc
    from waitlist.tasks import waitlist_entry_offer

    transaction.on_commit(lambda: waitlist_entry_offer.delay(entry.pk))
    return entry


def _close_offers(offers, *, status: str, detail: str, now: datetime) -> int:
    """Close still-open offers and cancel their messages not yet sent; return how many."""
    ids = list(offers.filter(status=OfferStatus.OFFERED).values_list("pk", flat=True))
    if not ids:
        return 0
    closed = Offer.objects.filter(pk__in=ids, status=OfferStatus.OFFERED).update(
        status=status, answer_detail=detail
    )
    for offer in Offer.objects.filter(pk__in=ids):
        notifications_cancel(record=offer, reason=f"offer {status}")
    return closed


def entry_withdraw(*, entry: WaitlistEntry, reason: str = "withdrawn", now: datetime | None = None) -> bool:
    """Take an active entry off the waitlist (its open offers close); False when it was not active."""
    now = now or timezone.now()
    with transaction.atomic():
        done = WaitlistEntry.objects.filter(pk=entry.pk, status=EntryStatus.ACTIVE).update(
            status=EntryStatus.WITHDRAWN, closed_at=now, closed_reason=reason[:200]
        )
        if done:
            _close_offers(entry.offers.all(), status=OfferStatus.WITHDRAWN, detail=reason[:300], now=now)
    return bool(done)


# --- Who is offered what ---------------------------------------------------------------------------------


def _offer_make(slot: FreedSlot, entry: WaitlistEntry, *, rank: int, now: datetime) -> Offer | None:
    """Offer the slot to the entry through the outbox (after the patient's quiet hours), or None when
    no useful answer window is left before the slot."""
    send_at = max(now, patient_due(patient=entry.patient, at=now, zone=slot.site.zone))
    expires_at = min(
        send_at + timedelta(minutes=settings.WAITLIST_OFFER_MINUTES), slot.start - CLOSES_BEFORE_START
    )
    if expires_at - send_at < SHORTEST_ANSWER_WINDOW:
        return None
    offer = Offer.objects.create(
        slot=slot, entry=entry, rank=rank, offered_at=now, send_at=send_at, expires_at=expires_at
    )
    notification_schedule(
        kind=OFFER_KIND,
        channel=entry.patient.reminder_channel,
        recipient=entry.patient,
        record=offer,
        due_at=send_at,
    )
    return offer


def _open_slot_locked(slot_id: int, now: datetime) -> FreedSlot | None:
    slot = (
        FreedSlot.objects.select_for_update(of=("self",))
        .select_related("site", "chair")
        .filter(pk=slot_id)
        .first()
    )
    if slot is None or slot.status != SlotStatus.OPEN:
        return None
    if slot.start - CLOSES_BEFORE_START - SHORTEST_ANSWER_WINDOW <= now:
        FreedSlot.objects.filter(pk=slot.pk, status=SlotStatus.OPEN).update(status=SlotStatus.LAPSED)
        _close_offers(slot.offers.all(), status=OfferStatus.EXPIRED, detail="the time came unfilled", now=now)
        return None
    return slot


def slot_offer(*, slot_id: int, now: datetime | None = None) -> list[Offer]:
    """Offer an open freed slot to the next patients in the fair order who fit it, until
    WAITLIST_OFFER_BATCH offers are open, and return the new offers. Under the slot's row lock, so two
    workers topping up the same slot take turns."""
    now = now or timezone.now()
    made: list[Offer] = []
    with transaction.atomic():
        slot = _open_slot_locked(slot_id, now)
        if slot is None:
            return made
        offers = slot.offers.all()
        need = (
            settings.WAITLIST_OFFER_BATCH
            - offers.filter(status=OfferStatus.OFFERED, expires_at__gt=now).count()
        )
        if need <= 0:
            return made
        rank = (offers.aggregate(last=Max("rank"))["last"] or 0) + 1
        already = set(offers.values_list("entry_id", flat=True))
        for entry in slot_candidates(slot, exclude_entries=already):
            if len(made) >= need:
                break
            if entry_fit(entry=entry, slot=slot) is not None:
                continue
            offer = _offer_make(slot, entry, rank=rank, now=now)
            if offer is not None:
                made.append(offer)
                rank += 1
    return made


def entry_offer_next(*, entry: WaitlistEntry, now: datetime | None = None) -> Offer | None:
    """Offer the entry the soonest other open freed slot it wants and fits (one it was not offered
    before), beyond the slot's batch: it was just told its time was taken. Returns the offer or None."""
    now = now or timezone.now()
    entry = WaitlistEntry.objects.select_related("order", "patient").get(pk=entry.pk)
    if entry.status != EntryStatus.ACTIVE or not reachable(entry):
        return None
    slots = (
        FreedSlot.objects.filter(status=SlotStatus.OPEN, start__gt=now + CLOSES_BEFORE_START)
        .exclude(offers__entry=entry)
        .select_related("site", "chair")
        .order_by("start", "pk")
    )
    for candidate in slots[:20]:
        if not entry_wants(entry, candidate):
            continue
        with transaction.atomic():
            slot = _open_slot_locked(candidate.pk, now)
            if slot is None or entry_fit(entry=entry, slot=slot) is not None:
                continue
            rank = (slot.offers.aggregate(last=Max("rank"))["last"] or 0) + 1
            offer = _offer_make(slot, entry, rank=rank, now=now)
            if offer is not None:
                return offer
    return None


# --- The patient's answer --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the patient is told: `outcome` is booked, taken, expired, declined, unavailable or closed."""

    outcome: str
    offer: Offer
    booking: Booking | None = None
    next_offer: Offer | None = None
    detail: str = ""


class _Lost(Exception):
    pass


class _EntryClosed(Exception):
    pass


def _offer_read(offer_id: int) -> Offer:
    return Offer.objects.select_related(
        "slot__site", "slot__chair", "entry__patient", "entry__order", "booking"
    ).get(pk=offer_id)


def offer_accept(*, offer: Offer, now: datetime | None = None) -> Answer:
    """Book the offered time for the patient if nobody took it first, and say what happened.

    The slot is claimed by a conditional UPDATE in the same transaction as the booking (a cycle booked,
    or the order's later booking moved earlier): the first committed acceptance wins, a later one sees
    the slot taken, and a booking the calendar refuses rolls the claim back. A loser is offered the
    soonest other open time it fits (`next_offer`)."""
    now = now or timezone.now()
    offer = _offer_read(offer.pk)
    if offer.status == OfferStatus.ACCEPTED:
        return Answer("booked", offer, booking=offer.booking)
    if offer.status == OfferStatus.TAKEN:  # closed when another patient accepted first
        return Answer("taken", offer, next_offer=entry_offer_next(entry=offer.entry, now=now))
    if offer.status != OfferStatus.OFFERED:
        return Answer("closed", offer)
    if now >= offer.expires_at:
        Offer.objects.filter(pk=offer.pk, status=OfferStatus.OFFERED).update(status=OfferStatus.EXPIRED)
        transaction.on_commit(lambda: _top_up(offer.slot_id))
        return Answer("expired", _offer_read(offer.pk))
    entry, slot = offer.entry, offer.slot
    try:
        with transaction.atomic():
            won = FreedSlot.objects.filter(pk=slot.pk, status=SlotStatus.OPEN).update(
                status=SlotStatus.TAKEN, taken_offer=offer, taken_at=now
            )
            if not won:
                raise _Lost
            # Also a lock on the entry: the same patient accepting two times at once books one.
            if not WaitlistEntry.objects.filter(pk=entry.pk, status=EntryStatus.ACTIVE).update(
                status=EntryStatus.BOOKED, closed_at=now, closed_reason=f"accepted offer {offer.pk}"
            ):
                raise _EntryClosed
            booking = entry_book(entry=entry, slot=slot)
            Offer.objects.filter(pk=offer.pk).update(
                status=OfferStatus.ACCEPTED, answered_at=now, booking=booking
            )
    except _Lost:
        if FreedSlot.objects.filter(pk=slot.pk, taken_offer=offer).exists():  # our own second click
            return Answer("booked", _offer_read(offer.pk), booking=_offer_read(offer.pk).booking)
        Offer.objects.filter(pk=offer.pk, status=OfferStatus.OFFERED).update(
            status=OfferStatus.TAKEN, answered_at=now, answer_detail="accepted after another patient"
        )
        return Answer("taken", _offer_read(offer.pk), next_offer=entry_offer_next(entry=entry, now=now))
    except _EntryClosed:
        Offer.objects.filter(pk=offer.pk, status=OfferStatus.OFFERED).update(
            status=OfferStatus.WITHDRAWN, answered_at=now, answer_detail="the waitlist entry was closed"
        )
        return Answer("closed", _offer_read(offer.pk))
    except (Conflict, ValidationError) as exc:
        code = exc.code if isinstance(exc, Conflict) else "invalid"
        Offer.objects.filter(pk=offer.pk, status=OfferStatus.OFFERED).update(
            status=OfferStatus.UNAVAILABLE, answered_at=now, answer_detail=f"refused by the calendar: {code}"
        )
        transaction.on_commit(lambda: _top_up(slot.pk))
        return Answer("unavailable", _offer_read(offer.pk), next_offer=entry_offer_next(entry=entry, now=now))
    # The winner is in; the other offers of the slot, and this patient's offers of other times, close.
    _close_offers(
        slot.offers.exclude(pk=offer.pk), status=OfferStatus.TAKEN, detail="taken by another patient", now=now
    )
    _close_offers(
        Offer.objects.filter(entry=entry).exclude(pk=offer.pk),
        status=OfferStatus.WITHDRAWN,
        detail="the patient took another time",
        now=now,
    )
    return Answer("booked", _offer_read(offer.pk), booking=booking)


def offer_decline(*, offer: Offer, now: datetime | None = None) -> Answer:
    """The patient says no: the offer closes and the slot goes to the next patient. The entry stays."""
    now = now or timezone.now()
    done = Offer.objects.filter(pk=offer.pk, status=OfferStatus.OFFERED).update(
        status=OfferStatus.DECLINED, answered_at=now
    )
    if done:
        transaction.on_commit(lambda: _top_up(offer.slot_id))
        return Answer("declined", _offer_read(offer.pk))
    current = _offer_read(offer.pk)
    if current.status == OfferStatus.ACCEPTED:
        return Answer("booked", current, booking=current.booking)
    return Answer("closed", current)


def _top_up(slot_id: int) -> None:
    from waitlist.tasks import waitlist_slot_offer

    waitlist_slot_offer.delay(slot_id)


def offers_expire(now: datetime) -> int:
    """The planner (every few minutes): offers past their time expire and their slots go to the next
    patients; slots about to start lapse; entries past their last useful day expire. Returns how many
    offers expired."""
    expired = list(
        Offer.objects.filter(status=OfferStatus.OFFERED, expires_at__lte=now).values_list("pk", "slot_id")
    )
    Offer.objects.filter(pk__in=[pk for pk, _ in expired], status=OfferStatus.OFFERED).update(
        status=OfferStatus.EXPIRED
    )
    for entry in WaitlistEntry.objects.filter(
        status=EntryStatus.ACTIVE, latest__lt=now.date() - timedelta(days=1)
    ):
        entry_withdraw(entry=entry, reason="past the last useful day", now=now)
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.EXPIRED)
    for slot_id in sorted({slot_id for _, slot_id in expired}):
        slot_offer(slot_id=slot_id, now=now)
    for slot_id in FreedSlot.objects.filter(
        status=SlotStatus.OPEN, start__lte=now + CLOSES_BEFORE_START + SHORTEST_ANSWER_WINDOW
    ).values_list("pk", flat=True):
        slot_offer(slot_id=slot_id, now=now)  # lapses it
    return len(expired)
