"""The waitlist on the patient's visit page (selfservice's `register_visit_panel` hook): "Tell me if an
earlier time frees up", or, once asked, "You are on the waiting list".

The button posts to `/w/<visit token>/earlier`, checked by the same link as the visit page
(`selfservice.access.link_view`, purpose "visit"), which puts the visit's order on the waitlist from
today until the day before the visit, through `services.entry_create` (via "patient via link").
"""

from datetime import timedelta

from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.audit import record_access
from clinic.errors import Conflict
from infusions.models import CycleDay, OrderStatus
from scheduling.models import BookingStatus
from selfservice.access import link_view
from waitlist import services
from waitlist.models import EntryStatus, Via, WaitlistEntry

VIA = "patient via link"


def _order_of(booking):
    day = CycleDay.objects.filter(booking_id=booking.pk).select_related("order").first()
    return day.order if day is not None else None


def _window(booking):
    zone = booking.site.zone
    today = timezone.now().astimezone(zone).date()
    return today, booking.start.astimezone(zone).date() - timedelta(days=1)


def visit_state(booking) -> str:
    """ "waiting" (the order is on the waitlist), "can_join", or "" (nothing earlier can be offered: not
    an order's single-day cycle, not booked, or the visit is tomorrow)."""
    order = _order_of(booking)
    if booking.status != BookingStatus.BOOKED or order is None:
        return ""
    if WaitlistEntry.objects.filter(order=order, status=EntryStatus.ACTIVE).exists():
        return "waiting"
    first, last = _window(booking)
    if order.status != OrderStatus.ACTIVE or order.split_days > 1 or last < first:
        return ""
    return "can_join"


def visit_panel(request, link, token: str) -> str:
    state = visit_state(link.booking)
    if not state:
        return ""
    return render_to_string("waitlist/_visit_earlier.html", {"state": state, "token": token}, request=request)


@require_http_methods(["POST"])
@link_view()
def visit_join(request, link, token):
    booking = link.booking
    if visit_state(booking) == "can_join":
        first, last = _window(booking)
        try:
            entry = services.entry_create(
                order=_order_of(booking), earliest=first, latest=last, via=Via.PATIENT
            )
        except Conflict:
            entry = None  # a second click: already waiting
        if entry is not None:
            record_access(request, [entry, booking.patient], via=VIA, detail="waitlist join")
    return redirect("selfservice:visit", token=token)
