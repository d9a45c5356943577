"""The patient's visit page and its three actions. Plain HTML forms (POST, CSRF), no JavaScript needed.

Confirm is done at once (it can be changed by a call); "I can't come" and a move ask first, on a page of
their own. Each view audits what the patient saw or did ("patient via link").
"""

from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.audit import record_access
from clinic.errors import Conflict
from selfservice import hooks, moves, services, texts, tokens
from selfservice.access import link_view, neutral_page
from selfservice.pages import page

AUDIT_VIA = "patient via link"


def _audit(request, link, detail: str) -> None:
    record_access(request, [link.booking, link.patient], via=AUDIT_VIA, detail=detail)


def _context(link, **extra) -> dict:
    booking = link.booking
    return {"visit": texts.visit_texts(booking), "booking": booking, **extra}


@require_http_methods(["GET"])
@link_view()
def visit(request, link, token):
    tokens.link_opened(link)
    _audit(request, link, "view")
    panels = hooks.visit_panels(request, link, token)  # what apps above add (selfservice/hooks.py)
    return page(request, "selfservice/visit.html", _context(link, token=token, panels=panels))


@require_http_methods(["POST"])
@link_view()
def confirm(request, link, token):
    try:
        services.visit_confirm(link=link)
    except services.LinkGone:
        return neutral_page(request)
    except Conflict:
        return page(request, "selfservice/closed.html", _context(link), status=409)
    _audit(request, link, "confirm")
    return redirect("selfservice:visit", token=token)


@require_http_methods(["GET", "POST"])
@link_view()
def cancel(request, link, token):
    if request.method == "GET":
        _audit(request, link, "cancel_asked")
        return page(request, "selfservice/cancel_ask.html", _context(link, token=token))
    try:
        booking = services.visit_cancel(link=link)
    except services.LinkGone:
        return neutral_page(request)
    except Conflict:
        return page(request, "selfservice/closed.html", _context(link), status=409)
    _audit(request, link, "cancel")
    return page(request, "selfservice/cancelled.html", {"visit": texts.visit_texts(booking)})


@require_http_methods(["GET"])
@link_view()
def move(request, link, token, *, message: str = "", status: int = 200):
    offers = moves.move_offers(link.booking)
    _audit(request, link, "move_offers")
    context = _context(
        link,
        token=token,
        days=texts.offer_days(link.booking, offers),
        reason=texts.no_offer_reason(offers.reason),
        message=message,
    )
    return page(request, "selfservice/move.html", context, status=status)


def _chosen_or_list(request, link, token):
    key = request.POST.get("slot", "")
    offer = moves.move_offers(link.booking).find(key)
    if offer is None:
        return None, _relist(request, link, token)
    return offer, None


def _relist(request, link, token):
    offers = moves.move_offers(link.booking)
    context = _context(
        link,
        token=token,
        days=texts.offer_days(link.booking, offers),
        reason=texts.no_offer_reason(offers.reason),
        message=_("Sorry, that time has just been taken. Please choose another."),
    )
    return page(request, "selfservice/move.html", context, status=409)


@require_http_methods(["POST"])
@link_view()
def move_ask(request, link, token):
    offer, answer = _chosen_or_list(request, link, token)
    if answer is not None:
        return answer
    _audit(request, link, "move_asked")
    context = _context(link, token=token, offer=offer, new=texts.offer_texts(link.booking, offer))
    return page(request, "selfservice/move_ask.html", context)


@require_http_methods(["POST"])
@link_view()
def move_do(request, link, token):
    try:
        booking = services.visit_move(link=link, key=request.POST.get("slot", ""))
    except services.SlotGone:
        return _relist(request, link, token)
    except services.LinkGone:
        return neutral_page(request)
    except Conflict:
        return page(request, "selfservice/closed.html", _context(link), status=409)
    _audit(request, link, "move")
    return page(request, "selfservice/moved.html", {"visit": texts.visit_texts(booking)})


def method_not_allowed(request, *args, **kwargs):
    return HttpResponseNotAllowed(["GET", "POST"])
