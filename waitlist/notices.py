"""The offer message: registered with clinic.notifications (settings.NOTIFICATION_MODULES).

Rendered at send time from the offer as it is then: nothing goes out for an offer that was taken,
declined, expired or withdrawn meanwhile. Opt-outs, channel and quiet hours apply
(`patients.reminders.patient_message`). The text names the patient's first name, the date, time and
site, and the link, in the patient's language: nothing clinical (no diagnosis, drug, MRN or birth date).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from clinic.notifications import registry
from patients.reminders import patient_message
from scheduling.reminders import local_texts
from waitlist import services
from waitlist.models import Offer, OfferStatus, SlotStatus
from waitlist.services import OFFER_KIND


def load_offers(ids: list[int]) -> dict[int, Offer]:
    return Offer.objects.select_related("slot__site", "entry__patient").in_bulk(ids)


def _read(row) -> Offer | None:
    return load_offers([row.record_id]).get(row.record_id)


def when_texts(offer: Offer, *, moment=None) -> dict[str, str]:
    """The offered date, time and zone (or `moment`'s), and the time the offer closes, in the site's
    zone and the active language (`scheduling.reminders.local_texts`: "mardi 3 mars 2027", "09:00")."""
    site = offer.slot.site
    return {
        **local_texts(moment or offer.slot.start, site),
        "expires_text": local_texts(offer.expires_at, site)["time_text"],
    }


def offer_message_texts(offer: Offer, *, link: str, channel: str) -> tuple[str, str]:
    """(subject, body) of the offer's message in the patient's language."""
    site, patient = offer.slot.site, offer.entry.patient
    context = {
        "channel": channel,
        "first_name": patient.given_name,
        "site_name": site.name,
        "address_line": ", ".join(line.strip() for line in site.address.splitlines() if line.strip()),
        "link": link,
        "clinic_name": settings.CLINIC_NAME,
    }
    with translation.override(patient.preferred_language or "en"):
        context |= when_texts(offer)
        body = render_to_string("waitlist/offer_message.txt", context).strip()
        subject = render_to_string("waitlist/offer_message_subject.txt", context).strip()
    return subject, body


def render_offer(row, now) -> registry.Outcome:
    offer = registry.preloaded(row, _read)
    if offer is None:
        return registry.Skip("offer_deleted")
    if offer.status != OfferStatus.OFFERED:
        return registry.Skip(f"offer_{offer.status}")
    if offer.slot.status != SlotStatus.OPEN:
        return registry.Skip("slot_taken")
    if now >= offer.expires_at:
        return registry.Skip("offer_expired")
    site, patient = offer.slot.site, offer.entry.patient
    # Decide first (opt-out, channel, quiet hours): a link is minted only for a message that goes now.
    outcome = patient_message(patient=patient, channel=row.channel, zone=site.zone, now=now, body="")
    if not isinstance(outcome, registry.Message):
        return outcome
    from waitlist.links import offer_link

    subject, body = offer_message_texts(offer, link=offer_link(offer, now=now), channel=row.channel)
    return registry.Message(to=outcome.to, subject=subject, body=body)


registry.register_kind(
    OFFER_KIND, label="Waitlist: an earlier chair time offered", render=render_offer, load=load_offers
)
registry.register_planner("waitlist_offers_expire", services.offers_expire)
