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


def offer_path(offer: Offer, *, now: datetime) -> str:
    """A new link to the offer's page, valid until the offer expires, as a path (`/w/<token>`)."""
    token = tokens.link_issue(
        patient_id=offer.entry.patient_id,
        expires_at=offer.expires_at,
        purpose=LinkPurpose.OFFER,
        ref=offer.pk,
        now=now,
    )
    return reverse("waitlist:offer", args=[token])


def offer_link(offer: Offer, *, now: datetime) -> str:
    """The full URL a message carries."""
    return settings.PATIENT_LINK_BASE_URL + offer_path(offer, now=now)


def offer_of(link: LinkToken) -> Offer | None:
    """The link's offer (with its slot, site, chair, patient), if it is the link's patient's."""
    return (
        Offer.objects.select_related("slot__site", "slot__chair", "entry__patient", "entry__order", "booking")
        .filter(pk=link.ref, entry__patient_id=link.patient_id)
        .first()
    )
