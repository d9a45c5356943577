"""The offer's link: selfservice's patient link token with purpose "offer" (its `ref` is the offer).

One token mechanism for every link a patient gets (selfservice.tokens): random, stored hashed, expiring
with the offer; a wrong, expired or revoked token shows selfservice's one neutral page.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from selfservice import tokens
from selfservice.models import LinkPurpose, LinkToken
from waitlist.models import Offer


def offer_link(offer: Offer, *, now: datetime) -> str:
    """A new link to the offer's page, valid until the offer expires (the full URL a message carries)."""
    token = tokens.link_issue(
        patient_id=offer.entry.patient_id,
        expires_at=offer.expires_at,
        purpose=LinkPurpose.OFFER,
        ref=offer.pk,
        now=now,
    )
    return settings.PATIENT_LINK_BASE_URL + reverse("waitlist:offer", args=[token])


def offer_path(offer: Offer, *, now: datetime) -> str:
    """The same link as a path, for a page that sends the patient on to another offer."""
    token = tokens.link_issue(
        patient_id=offer.entry.patient_id,
        expires_at=offer.expires_at,
        purpose=LinkPurpose.OFFER,
        ref=offer.pk,
        now=now,
    )
    return reverse("waitlist:offer", args=[token])


def offer_for_token(token: str, *, now: datetime) -> tuple[LinkToken, Offer] | tuple[None, None]:
    """The live link and its offer (with slot, site, chair, patient), or (None, None)."""
    link = tokens.link_resolve(token, purpose=LinkPurpose.OFFER, now=now)
    if link is None or link.ref is None:
        return None, None
    offer = (
        Offer.objects.select_related("slot__site", "slot__chair", "entry__patient", "booking")
        .filter(pk=link.ref, entry__patient_id=link.patient_id)
        .first()
    )
    return (link, offer) if offer is not None else (None, None)
