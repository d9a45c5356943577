"""The patient's link tokens: one mechanism for every link sent to a patient (the visit page; the
waitlist's offers reuse it with their own purpose).

- A token is `secrets.token_urlsafe(32)`: 256 random bits, 43 URL-safe characters. The URL carries it
  and nothing else (`/v/<token>`).
- Only its SHA-256 is stored. The token is random and long, so no salt or slow hash is needed: the
  hash cannot be turned back into a working link, and a leaked database opens no page.
- A link is bound to one patient, one booking (for a visit) and one purpose, and expires at a given
  time (a visit's link when the visit starts). It is revoked when its booking moves or changes state
  (the hooks below), and a single-use link once used. A wrong, expired, revoked or used token resolves
  to None: the view shows one neutral page for all of them, so a guesser learns nothing.
"""

import hashlib
import secrets
import threading
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Booking, BookingStatus
from selfservice.models import LinkPurpose, LinkToken

TOKEN_BYTES = 32
# The shape of a token in a URL; anything else is answered with the neutral page without a query.
TOKEN_PATTERN = r"[A-Za-z0-9_-]{40,50}"  # noqa: S105 - a pattern, not a secret


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def link_issue(
    *,
    patient_id: int,
    expires_at: datetime,
    purpose: str = LinkPurpose.VISIT,
    booking: Booking | None = None,
    ref: int | None = None,
    now: datetime | None = None,
) -> str:
    """Store a new link (its hash) and return the plain token, which is not kept anywhere.

    Raises ValueError when the link would already be expired."""
    now = now or timezone.now()
    if expires_at <= now:
        raise ValueError("A link must expire after it is made.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    LinkToken.objects.create(
        token_hash=token_hash(token),
        purpose=purpose,
        patient_id=patient_id,
        booking=booking,
        ref=ref,
        created_at=now,
        expires_at=expires_at,
    )
    return token


def link_url(token: str) -> str:
    """The full URL a message carries."""
    return settings.PATIENT_LINK_BASE_URL + reverse("selfservice:visit", args=[token])


def link_resolve(token: str, *, purpose: str, now: datetime | None = None) -> LinkToken | None:
    """The live link for `token` and `purpose`, with its booking, site and patient; None for a token
    that is wrong, of another purpose, expired, revoked or used."""
    now = now or timezone.now()
    link = (
        LinkToken.objects.select_related("booking__site", "booking__chair", "patient")
        .filter(token_hash=token_hash(token), purpose=purpose)
        .first()
    )
    if link is None or link.revoked_at is not None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


def link_opened(link: LinkToken, *, now: datetime | None = None) -> None:
    LinkToken.objects.filter(pk=link.pk).update(last_opened_at=now or timezone.now())


def link_use(link: LinkToken, *, now: datetime | None = None) -> bool:
    """Use a single-use link; True for the one request that did (a conditional UPDATE: of two requests
    at once, one wins)."""
    now = now or timezone.now()
    return bool(
        LinkToken.objects.filter(
            pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
    )


def links_revoke(*, booking_id: int, reason: str, now: datetime | None = None) -> int:
    """Revoke every live link of a booking (any purpose); return how many."""
    return LinkToken.objects.filter(booking_id=booking_id, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now(), revoked_reason=reason[:100]
    )


# --- Hooks (registered in SelfserviceConfig.ready) -----------------------------------------------------


def links_revoke_on_move(*, booking: Booking, from_start: datetime) -> None:
    """The reschedule check of `scheduling.hooks`: a moved booking's links stop working (the new time
    gets a new link with its next message). Never refuses a move."""
    if booking.start != from_start:
        links_revoke(booking_id=booking.pk, reason="booking moved")


def links_revoke_on_status(sender, *, booking: Booking, from_status: str, to_status: str, **kwargs) -> None:
    """Receiver of `scheduling.services.booking_status_changed`: a booking no longer booked (cancelled,
    no-show, checked in ...) has nothing left to act on from a link."""
    if to_status != BookingStatus.BOOKED:
        links_revoke(booking_id=booking.pk, reason=f"booking {to_status}")


# Links minted while the dispatcher renders a batch, written in one INSERT before it sends
# (`links_flush`, registered with `clinic.notifications.registry.register_before_send`).
_pending = threading.local()


def _new_link(*, booking: Booking, now: datetime) -> tuple[str, LinkToken]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = LinkToken(
        token_hash=token_hash(token),
        purpose=LinkPurpose.VISIT,
        patient_id=booking.patient_id,
        booking=booking,
        created_at=now,
        expires_at=booking.start,
    )
    return token, link


def reminder_link(booking: Booking, now: datetime) -> str:
    """The provider of `scheduling.reminder_links`: a new visit link for the booking, valid until the
    visit starts ("" for a booking that is no longer booked or already started). Called while a message
    is rendered; the link is stored by `links_flush` before the message is sent."""
    if booking.status != BookingStatus.BOOKED or booking.start <= now:
        return ""
    token, link = _new_link(booking=booking, now=now)
    if not hasattr(_pending, "links"):
        _pending.links = []
    _pending.links.append(link)
    return link_url(token)


def links_flush() -> int:
    """Store the links minted since the last flush (one INSERT) and return how many."""
    links = getattr(_pending, "links", [])
    _pending.links = []
    if links:
        LinkToken.objects.bulk_create(links)
    return len(links)


def visit_link_now(booking: Booking, *, now: datetime | None = None) -> str:
    """A new visit link, stored at once (for staff to read out or to try the page); "" as above."""
    url = reminder_link(booking, now or timezone.now())
    links_flush()
    return url
