"""The patient's offer page, from the link in the offer message: `/w/<token>`.

GET shows the offered time (first name, date, time with its zone, site and address, until when it is
held) and two large buttons; POST `answer=accept` or `answer=decline` answers it and shows the result
on the same page. Plain forms: it works without JavaScript. The link is selfservice's (purpose
"offer"): its `link_view` counts the request against the per-address limit, answers the one neutral
page for a wrong, expired or revoked token, and speaks the patient's language. Every showing and
answer is audited as "patient via link".
"""

from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.audit import record_access
from selfservice import tokens
from selfservice.access import link_view, neutral_page
from selfservice.models import LinkPurpose
from selfservice.pages import page
from waitlist import links, services
from waitlist.booking import later_booking
from waitlist.models import OfferStatus
from waitlist.notices import when_texts

VIA = "patient via link"
ANSWERS = {"accept": services.offer_accept, "decline": services.offer_decline}


@require_http_methods(["GET", "POST"])
@link_view(purpose=LinkPurpose.OFFER)
def offer_page(request, link, token):
    now = timezone.now()
    offer = links.offer_of(link)
    if offer is None:
        return neutral_page(request)
    patient = offer.entry.patient
    answer = None
    if request.method == "POST":
        choice = request.POST.get("answer", "")
        if choice in ANSWERS:
            answer = ANSWERS[choice](offer=offer, now=now)
            offer = answer.offer
        record_access(request, [offer, patient], via=VIA, detail=f"offer {choice or 'no answer'}")
    else:
        tokens.link_opened(link, now=now)
        record_access(request, [offer, patient], via=VIA, detail="offer shown")
    site = offer.slot.site
    is_open = offer.status == OfferStatus.OFFERED and now < offer.expires_at
    moving = later_booking(offer.entry, offer.slot) if is_open else None
    context = {
        "token": token,
        "offer": offer,
        "first_name": patient.given_name,
        "visit": {
            **when_texts(offer),
            "site_name": site.name,
            "address_lines": [line.strip() for line in site.address.splitlines() if line.strip()],
        },
        "moving": when_texts(offer, moment=moving.start) if moving else None,
        "answer": answer,
        "open": is_open,
        "next_path": links.offer_path(answer.next_offer, now=now) if answer and answer.next_offer else "",
        "phone": site.phone,
    }
    return page(request, "waitlist/offer.html", context)
