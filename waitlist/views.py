"""The patient's offer page, from the link in the offer message: `/w/<token>/`.

GET shows the offered time (first name, date, time with its zone, site and address, until when it is
held) and two large buttons; POST `answer=accept` or `answer=decline` answers it and shows the result
on the same page. Plain forms: it works without JavaScript. Every showing and answer is audited as
"patient via link"; a wrong, expired or revoked token gets selfservice's neutral page, and requests
are rate-limited per address (selfservice.throttle).
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from clinic.audit import record_access
from selfservice import throttle, tokens
from waitlist import links, services
from waitlist.booking import later_booking
from waitlist.models import OfferStatus
from waitlist.notices import when_texts

VIA = "patient via link"


def _neutral(request, status: int = 404) -> HttpResponse:
    return render(request, "waitlist/offer_unusable.html", status=status)


def _language(patient) -> str:
    return getattr(patient, "preferred_language", "") or "en"


@require_http_methods(["GET", "POST"])
def offer_page(request, token: str):
    if throttle.over_limit(request):
        response = _neutral(request, status=429)
        response["Retry-After"] = str(throttle.retry_after())
        return response
    now = timezone.now()
    link, offer = links.offer_for_token(token, now=now)
    if offer is None:
        return _neutral(request)
    patient = offer.entry.patient
    with translation.override(_language(patient)), timezone.override(offer.slot.site.zone):
        answer = None
        if request.method == "POST":
            choice = request.POST.get("answer")
            if choice == "accept":
                answer = services.offer_accept(offer=offer, now=now)
            elif choice == "decline":
                answer = services.offer_decline(offer=offer, now=now)
            record_access(
                request,
                [answer.offer if answer else offer, patient],
                via=VIA,
                detail=f"offer {choice or 'no answer'}",
            )
            offer = answer.offer if answer else offer
        else:
            tokens.link_opened(link, now=now)
            record_access(request, [offer, patient], via=VIA, detail="offer shown")
        moving = later_booking(offer.entry, offer.slot) if offer.status == OfferStatus.OFFERED else None
        context = {
            "offer": offer,
            "first_name": patient.given_name,
            "site": offer.slot.site,
            "address_lines": [line.strip() for line in offer.slot.site.address.splitlines() if line.strip()],
            "when": when_texts(offer),
            "answer": answer,
            "open": offer.status == OfferStatus.OFFERED and now < offer.expires_at,
            "moving": moving,
            "next_path": links.offer_path(answer.next_offer, now=now) if answer and answer.next_offer else "",
            "language": _language(patient),
        }
        return render(request, "waitlist/offer.html", context)
