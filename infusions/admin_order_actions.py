"""The order page's changes of status: put on hold, make active again and discontinue, each an action
page (`clinic.admin_actions`) that calls the service the API's action calls (`services.order_set_status`,
`services.order_discontinue`); and replace, which opens order entry prefilled from the order and saves
through `services.order_replace`, linking old and new.

Each page says, before anything is done, what happens to the order's bookings: which are cancelled
(their authorization units released) and which are kept. The services decide it; these pages only read
`services.order_future_bookings`, the list the services act on.
"""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic.admin_actions import ActionPage
from infusions import admin_booking, cycles, services
from infusions.models import OrderStatus, TreatmentOrder
from insurance import selectors as insurance
from scheduling.models import Booking, BookingStatus

REPLACES = "replaces"  # the add form's query parameter: the order being replaced


REASON_INPUT = forms.TextInput(attrs={"size": 70})


class HoldForm(forms.Form):
    reason = forms.CharField(
        max_length=300, widget=REASON_INPUT, help_text="Why; shown on the order page while it is on hold."
    )
    cancel_bookings = forms.BooleanField(
        required=False,
        label="Also cancel its bookings to come",
        help_text="Leave unticked to keep the patient's chairs for when the hold ends.",
    )


class ResumeForm(forms.Form):
    pass


class DiscontinueForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=REASON_INPUT,
        help_text="Why; shown on the order page and kept in the order's history.",
    )


ORDER_ACTIONS = {
    "hold": ActionPage(
        HoldForm,
        "Put order on hold",
        "Put on hold",
        run=lambda request, order, data: _cancelling(
            order,
            lambda: services.order_set_status(
                order=order,
                status=OrderStatus.ON_HOLD,
                reason=data["reason"],
                cancel_bookings=data["cancel_bookings"],
                by=request.user,
            ),
        ),
        done=lambda n: (
            f"Order on hold; {_bookings(n)} to come cancelled."
            if n
            else "Order on hold; its bookings are kept."
        ),
    ),
    "resume": ActionPage(
        ResumeForm,
        "Make order active again",
        "Make active",
        run=lambda request, order, data: services.order_set_status(
            order=order, status=OrderStatus.ACTIVE, by=request.user
        ),
    ),
    "discontinue": ActionPage(
        DiscontinueForm,
        "Discontinue order",
        "Discontinue",
        run=lambda request, order, data: _cancelling(
            order, lambda: services.order_discontinue(order=order, reason=data["reason"], by=request.user)
        ),
        done=lambda n: f"Order discontinued; {_bookings(n)} to come cancelled and their units released.",
    ),
}


def _cancelling(order: TreatmentOrder, change) -> int:
    """Run `change` and return how many of the order's bookings to come it cancelled, for the message."""
    to_come = list(services.order_future_bookings(order).values_list("pk", flat=True))
    change()
    return Booking.objects.filter(pk__in=to_come, status=BookingStatus.CANCELLED).count()


def _bookings(n: int) -> str:
    return "no booking" if n == 0 else f"{n} booking{'s' if n != 1 else ''}"


def actions_for(order: TreatmentOrder) -> list[tuple[str, str]]:
    """The status changes an order allows now, as (action, label)."""
    if order.status == OrderStatus.ACTIVE:
        return [("hold", "Put on hold"), ("discontinue", "Discontinue")]
    if order.status == OrderStatus.ON_HOLD:
        return [("resume", "Make active again"), ("discontinue", "Discontinue")]
    return []


def replace_url(order: TreatmentOrder) -> str:
    return f"{reverse('admin:infusions_treatmentorder_add')}?{REPLACES}={order.pk}"


def bookings_context(order: TreatmentOrder) -> dict:
    """The order's bookings as the page lists them: `to_come` (what discontinuing cancels, with the
    units each releases) and `kept` (sessions checked in or running: the patient is in the chair)."""
    now = timezone.now()
    to_come = list(services.order_future_bookings(order, now=now))
    units = insurance.reserved_units([b.pk for b in to_come])
    to_come_ids = {b.pk for b in to_come}
    kept = [b for b in cycles.order_bookings(order.pk) if b.pk not in to_come_ids and b.end > now]
    return {
        "to_come": [_row(b, units.get(b.pk)) for b in to_come],
        "kept": [_row(b, None) for b in kept if b.status != BookingStatus.BOOKED],
        "units_released": sum(units.values()),
    }


def _row(booking, units: int | None) -> dict:
    day = booking.cycle_day
    return {
        "what": f"Cycle {day.cycle}, day {day.day}" if day.cycle else "Session",
        "when": admin_booking.when(booking.start, booking.end, booking.site.zone),
        "where": f"{booking.chair.name}, {booking.site.name}",
        "status": booking.get_status_display(),
        "units": units,
        "url": reverse("admin:scheduling_booking_change", args=[booking.pk]),
    }


def status_line(order: TreatmentOrder) -> str:
    """The order page's first line: its status with the reason and the links between old and new."""
    parts = [format_html("<strong>{}</strong>", order.get_status_display())]
    if order.status == OrderStatus.ON_HOLD and order.hold_reason:
        parts.append(format_html("on hold because: {}", order.hold_reason))
    if order.status == OrderStatus.DISCONTINUED:
        when = timezone.localtime(order.discontinued_at)
        moment = f"{when:%a %d %b %Y %H:%M %Z}"
        parts.append(format_html("on {}: {}", moment, order.discontinued_reason))
    if order.replaces_id:
        url = reverse("admin:infusions_treatmentorder_change", args=[order.replaces_id])
        parts.append(format_html('replaces <a href="{}">order {}</a>', url, order.replaces_id))
    replacement = getattr(order, "replacement_id", None)
    if replacement:
        url = reverse("admin:infusions_treatmentorder_change", args=[replacement])
        parts.append(format_html('replaced by <a href="{}">order {}</a>', url, replacement))
    return format_html('<p class="order-status">{}</p>', format_html_join(" · ", "{}", ((p,) for p in parts)))


def status_actions(order: TreatmentOrder, page_url, *, may_replace: bool) -> list[tuple[str, str]]:
    """(url, label) of the status changes the order allows now, and Replace, for the page's tools."""
    actions = actions_for(order)
    links = [(page_url(order, action), label) for action, label in actions]
    if actions and may_replace:
        links.append((replace_url(order), "Replace"))
    return links
