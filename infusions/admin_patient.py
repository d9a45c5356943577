"""The patient page's orders panel (registered in `patients.admin_panels` by infusions/admin.py):
each order with its plan in one line, its booked cycles and when the next is due, and the buttons that
book it; then the patient's next bookings. Everything in the site's local time, labelled."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from infusions import admin_booking, cycles, selectors, slot_search
from infusions.models import InfusionPolicy, OrderStatus
from infusions.planning import order_plan
from scheduling.models import INACTIVE_STATUSES, Booking, Site


def orders_panel(request, patient) -> str:
    if request is None or not request.user.has_perm("infusions.view_treatmentorder"):
        return ""
    orders = list(selectors.order_list().filter(patient=patient).order_by("status", "-start_date", "-pk"))
    now = timezone.now()
    upcoming = list(
        Booking.objects.filter(patient=patient, end__gte=now)
        .exclude(status__in=INACTIVE_STATUSES)
        .select_related("site", "chair", "cycle_day")
        .order_by("start")[:6]
    )
    site = upcoming[0].site if upcoming else Site.objects.order_by("pk").first()
    zone = site.zone if site else timezone.get_default_timezone()
    today = now.astimezone(zone).date()
    policy = InfusionPolicy.current()
    may_book = admin_booking.may_book(request.user)
    rows = []
    for order in orders:
        result = order_plan(order, policy=policy, now=now)
        plan = result.plan
        active = order.status == OrderStatus.ACTIVE
        due, _ = slot_search.cycle_due(order, zone=zone, today=today) if active else (None, None)
        booked = cycles.live_cycle_days(order.pk, zone)
        rows.append(
            {
                "order": order,
                "url": reverse("admin:infusions_treatmentorder_change", args=[order.pk]),
                "plan": (
                    f"{plan.total_grams.normalize():f} g over {plan.days} day(s), "
                    f"{plan.chair_minutes // 60} h {plan.chair_minutes % 60:02d} min in the chair"
                    if plan
                    else f"no plan: {result.error.message}"
                ),
                "protocol": result.protocol_used,
                "active": active,
                "due": due,
                "booked": len([n for _, n in booked if n]),
                "links": admin_booking.book_links(order) if active and may_book else [],
            }
        )
    bookings = [
        {
            "when": admin_booking.when(b.start, b.end, b.site.zone),
            "where": f"{b.chair.name}, {b.site.name}",
            "what": _cycle_words(b),
            "status": b.get_status_display(),
            "url": reverse("admin:scheduling_booking_change", args=[b.pk]),
        }
        for b in upcoming
    ]
    return render_to_string("admin/infusions/_patient_orders.html", {"rows": rows, "bookings": bookings})


def _cycle_words(booking: Booking) -> str:
    day = getattr(booking, "cycle_day", None)
    if day is None:
        return "Not an order's cycle"
    if day.cycle is None:
        return f"Order {day.order_id}"
    return f"Order {day.order_id}, cycle {day.cycle}, day {day.day}"
