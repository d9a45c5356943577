"""Reminders that need treatment orders: "your next cycle is due" to the patient, and the staff digest's
sections on authorizations (decision overdue, expiring, units short), maintenance cycles due but not
booked, and eGFR due before the next infusion.

Registered with clinic's notification delivery through settings.NOTIFICATION_MODULES.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.notifications import registry
from clinic.notifications.digest import DigestLine, register_section
from clinic.notifications.models import Notification
from clinic.notifications.services import notification_schedule
from infusions.models import CycleDay, InfusionPolicy, OrderStatus, TreatmentOrder
from insurance.models import PriorAuthorization
from insurance.selectors import with_remaining, with_usage, worklist_filter
from patients.reminders import patient_due, patient_message
from patients.selectors import latest_facts
from scheduling.models import INACTIVE_STATUSES, Booking, BookingStatus, Site

CYCLE_DUE = "cycle_due"
DIGEST_LOOKAHEAD_DAYS = 7


@dataclass(frozen=True)
class NextCycle:
    order: TreatmentOrder
    number: int
    due_on: date  # local date at the site of the last cycle
    site: Site


def next_cycles(*, now: datetime, order_id: int | None = None) -> list[NextCycle]:
    """Active maintenance orders whose next cycle is not booked: the cycle's number, the local day it is
    due (last cycle's first day + interval) and the site. Orders never booked, finished or booked ahead
    are left out. Two queries, however many orders."""
    orders = TreatmentOrder.objects.filter(
        status=OrderStatus.ACTIVE, interval_days__isnull=False
    ).select_related("patient")
    days = CycleDay.objects.filter(cycle__isnull=False).exclude(booking__status__in=INACTIVE_STATUSES)
    if order_id is not None:
        orders = orders.filter(pk=order_id)
        days = days.filter(order_id=order_id)
    cycles: dict[int, dict[int, tuple[datetime, int]]] = defaultdict(dict)
    ahead: set[int] = set()
    rows = days.values_list("order_id", "cycle", "booking__start", "booking__site_id")
    for day_order, number, start, site_id in rows:
        if start > now:
            ahead.add(day_order)
        first = cycles[day_order].get(number)
        if first is None or start < first[0]:
            cycles[day_order][number] = (start, site_id)
    sites = {site.pk: site for site in Site.objects.all()}
    result = []
    for order in orders:
        if order.pk in ahead or not cycles.get(order.pk):
            continue
        number = max(cycles[order.pk])
        if order.cycles is not None and number >= order.cycles:
            continue
        start, site_id = cycles[order.pk][number]
        site = sites[site_id]
        due_on = start.astimezone(site.zone).date() + timedelta(days=order.interval_days)
        result.append(NextCycle(order=order, number=number + 1, due_on=due_on, site=site))
    return result


def cycle_due_plan(now: datetime) -> int:
    """Tell each patient whose next cycle's day has come (site's local date) and who has no booking for
    it, once per cycle. Return how many messages were scheduled."""
    scheduled = 0
    for cycle in next_cycles(now=now):
        if cycle.due_on > now.astimezone(cycle.site.zone).date():
            continue
        patient = cycle.order.patient
        notification_schedule(
            kind=CYCLE_DUE,
            channel=patient.reminder_channel,
            recipient=patient,
            record=cycle.order,
            record_key=f"cycle:{cycle.number}",
            due_at=patient_due(patient=patient, at=now, zone=cycle.site.zone),
        )
        scheduled += 1
    return scheduled


def render_cycle_due(row: Notification, now: datetime) -> registry.Outcome:
    cycles = next_cycles(now=now, order_id=row.record_id)
    if not cycles or f"cycle:{cycles[0].number}" != row.record_key:
        return registry.Skip("cycle_booked_or_order_ended")
    cycle = cycles[0]
    context = {
        "channel": row.channel,
        "clinic_name": settings.CLINIC_NAME,
        "site_phone": cycle.site.phone or "the clinic",
    }
    return patient_message(
        patient=cycle.order.patient,
        channel=row.channel,
        zone=cycle.site.zone,
        now=now,
        body=render_to_string("notifications/cycle_due.txt", context).strip(),
        subject=render_to_string("notifications/cycle_due_subject.txt", context).strip(),
    )


# --- Staff digest sections ----------------------------------------------------------------------------


def _order_url(order_id: int) -> str:
    return f"/admin/infusions/treatmentorder/{order_id}/change/"


def cycles_due_unbooked(site_id: int, day: date) -> list[DigestLine]:
    """Maintenance cycles due within DIGEST_LOOKAHEAD_DAYS of `day` (or overdue) with no booking."""
    site = Site.objects.get(pk=site_id)
    now = datetime.combine(day, time(0), tzinfo=site.zone)
    horizon = day + timedelta(days=DIGEST_LOOKAHEAD_DAYS)
    lines = []
    for cycle in sorted(next_cycles(now=now), key=lambda c: (c.due_on, c.order.patient.mrn)):
        if cycle.site.pk != site_id or cycle.due_on > horizon:
            continue
        when = "overdue since" if cycle.due_on < day else "due"
        lines.append(
            DigestLine(
                f"{cycle.order.patient.mrn}: cycle {cycle.number} {when} {cycle.due_on:%a %d %b} "
                f"(order #{cycle.order.pk}), not booked",
                _order_url(cycle.order.pk),
            )
        )
    return lines


def egfr_due(site_id: int, day: date) -> list[DigestLine]:
    """Patients booked at the site in the next DIGEST_LOOKAHEAD_DAYS whose latest eGFR will be older than
    the policy's lab window on the day of the infusion (or who have none)."""
    site = Site.objects.get(pk=site_id)
    window = timedelta(days=InfusionPolicy.current().lab_window_days)
    start = datetime.combine(day, time(0), tzinfo=site.zone)
    bookings = (
        Booking.objects.filter(
            site_id=site_id,
            status=BookingStatus.BOOKED,
            start__gte=max(start, timezone.now()),
            start__lt=start + timedelta(days=DIGEST_LOOKAHEAD_DAYS),
            cycle_day__isnull=False,
        )
        .select_related("patient", "cycle_day")
        .annotate(egfr_at=latest_facts("patient_id")["latest_egfr_at"])
        .order_by("start")
    )
    lines, seen = [], set()
    for booking in bookings:
        if booking.patient_id in seen:
            continue
        seen.add(booking.patient_id)
        local = booking.start.astimezone(site.zone)
        if booking.egfr_at is None:
            why = "no eGFR on file"
        elif booking.start - booking.egfr_at > window:
            taken = booking.egfr_at.astimezone(site.zone)
            why = f"last eGFR {taken:%d %b} is over {window.days} days old by then"
        else:
            continue
        lines.append(
            DigestLine(
                f"{booking.patient.mrn}: infusion {local:%a %d %b %H:%M}, {why}",
                _order_url(booking.cycle_day.order_id),
            )
        )
    return lines


# An authorization belongs to a site's digest when its patient is treated there: a booking at the site
# in the last AUTH_SITE_DAYS or any time ahead. Insurance knows nothing of sites, so this lives here.
AUTH_SITE_DAYS = 90


def _authorizations(site: Site, day: date, rule: str):
    now = datetime.combine(day, time(0), tzinfo=site.zone)
    treated_here = (
        Booking.objects.filter(site=site, start__gte=now - timedelta(days=AUTH_SITE_DAYS))
        .exclude(status__in=INACTIVE_STATUSES)
        .values("patient_id")
    )
    return (
        with_remaining(with_usage(PriorAuthorization.objects.filter(patient_id__in=treated_here)))
        .filter(worklist_filter(rule, now=now))
        .select_related("patient", "payer")
        .order_by("due_at", "valid_to", "pk")
    )


def _authorization_url(auth_id: int) -> str:
    return f"/admin/insurance/priorauthorization/{auth_id}/change/"


def authorizations_overdue(site_id: int, day: date) -> list[DigestLine]:
    """Requests awaiting the payer past their decision due time (72 h expedited, 7 days standard)."""
    site = Site.objects.get(pk=site_id)
    return [
        DigestLine(
            f"{a.patient.mrn}: {a.payer} decision was due {a.due_at.astimezone(site.zone):%a %d %b %H:%M}",
            _authorization_url(a.pk),
        )
        for a in _authorizations(site, day, "overdue")
    ]


def authorizations_expiring(site_id: int, day: date) -> list[DigestLine]:
    """Granted authorizations whose last valid day is within 30 days."""
    return [
        DigestLine(
            f"{a.patient.mrn}: {a.payer} authorization ends {a.valid_to:%a %d %b}", _authorization_url(a.pk)
        )
        for a in _authorizations(Site.objects.get(pk=site_id), day, "expiring")
    ]


def authorizations_units_short(site_id: int, day: date) -> list[DigestLine]:
    """Granted authorizations with fewer units left (after reservations) than one cycle needs."""
    return [
        DigestLine(
            f"{a.patient.mrn}: {a.payer} authorization has {a.remaining_units_left} units left, "
            f"the next cycle needs {a.units_per_cycle}",
            _authorization_url(a.pk),
        )
        for a in _authorizations(Site.objects.get(pk=site_id), day, "units_short")
    ]


registry.register_kind(CYCLE_DUE, label="Your next cycle is due", render=render_cycle_due)
registry.register_planner("cycle_due", cycle_due_plan)
register_section(
    "cycles_due_unbooked",
    title="Maintenance cycles due but not booked",
    provider=cycles_due_unbooked,
    order=40,
)
register_section("egfr_due", title="eGFR due before the next infusion", provider=egfr_due, order=50)
register_section(
    "authorizations_overdue",
    title="Authorizations whose decision is overdue",
    provider=authorizations_overdue,
    order=10,
)
register_section(
    "authorizations_expiring",
    title="Authorizations expiring within 30 days",
    provider=authorizations_expiring,
    order=20,
)
register_section(
    "authorizations_units_short",
    title="Units too few for the next cycle",
    provider=authorizations_units_short,
    order=30,
)
