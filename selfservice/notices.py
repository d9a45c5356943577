"""selfservice's messages (registered through settings.NOTIFICATION_MODULES) and its digest sections.

- `visit_moved_by_patient`: to the patient, right after they moved their visit, with the new time and
  a new link (minted at send time, like the reminders': `scheduling.reminders._render`).
- `visit_cancelled_by_patient`: to the site's managers and schedulers, when a patient says they can't
  come: which booking and when, no name (an email; the admin has the rest).
- digest: tomorrow's visits the patient has not confirmed; visits patients cancelled from their link
  since the day before.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from clinic.notifications import registry
from clinic.notifications.digest import DigestLine, register_section
from scheduling import reminders
from scheduling.models import Booking, BookingEvent, BookingEventKind, BookingStatus, Site

MOVED_BY_PATIENT = "visit_moved_by_patient"
CANCELLED_BY_PATIENT = "visit_cancelled_by_patient"
VIA = "Patient via link"


def _booking(row) -> Booking | None:
    return Booking.objects.select_related("site", "patient", "chair").filter(pk=row.record_id).first()


def render_moved(row, now) -> registry.Outcome:
    booking = _booking(row)
    if booking is None:
        return registry.Skip("booking_deleted")
    if booking.status != BookingStatus.BOOKED:
        return registry.Skip(f"booking_{booking.status}")
    if booking.start <= now:
        return registry.Skip("booking_past")
    return reminders._render("visit_moved", row, booking, now)


def _local(booking: Booking) -> str:
    local = booking.start.astimezone(booking.site.zone)
    return f"{local:%a %d %b %Y %H:%M} {local:%Z}"


def render_cancelled(row, now) -> registry.Outcome:
    booking = _booking(row)
    if booking is None:
        return registry.Skip("booking_deleted")
    to = reminders.digest_recipients(booking.site)
    if not to:
        return registry.Skip("no_staff_email")
    context = {
        "booking_id": booking.pk,
        "when": _local(booking),
        "chair": booking.chair.name,
        "site_name": booking.site.name,
        "url": settings.SITE_URL + reverse("admin:scheduling_booking_change", args=[booking.pk]),
        "board_url": settings.SITE_URL + reverse("admin:scheduling_site_board_today", args=[booking.site_id]),
    }
    body = render_to_string("notifications/visit_cancelled_by_patient.txt", context)
    subject = f"{booking.site.name}: a patient cancelled the visit of {context['when']}"
    return registry.Message(to=to, subject=subject, body=body)


# --- Digest sections ----------------------------------------------------------------------------------


def _day_bounds(site: Site, day) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=site.zone)
    return start, start + timedelta(days=1)


def _line(booking: Booking, text: str) -> DigestLine:
    return DigestLine(text=text, url=reverse("admin:scheduling_booking_change", args=[booking.pk]))


def unconfirmed_tomorrow(site_id: int, day) -> list[DigestLine]:
    """The site's visits on the day after `day` that the patient has not confirmed, by MRN only."""
    site = Site.objects.get(pk=site_id)
    start, end = _day_bounds(site, day + timedelta(days=1))
    bookings = (
        Booking.objects.filter(
            site_id=site_id,
            status=BookingStatus.BOOKED,
            confirmed_at__isnull=True,
            start__gte=start,
            start__lt=end,
        )
        .select_related("patient", "chair", "site")
        .order_by("start", "chair__name")
    )
    return [_line(b, f"{b.patient.mrn}: {_local(b)}, chair {b.chair.name}") for b in bookings]


def cancelled_by_patients(site_id: int, day) -> list[DigestLine]:
    """Visits at the site cancelled from a patient's link since the start of the day before `day`."""
    site = Site.objects.get(pk=site_id)
    start, end = _day_bounds(site, day - timedelta(days=1))
    events = (
        BookingEvent.objects.filter(
            booking__site_id=site_id,
            kind=BookingEventKind.CANCELLED,
            reason__startswith=VIA,
            at__gte=start,
            at__lt=end + timedelta(days=1),
        )
        .select_related("booking__patient", "booking__chair", "booking__site")
        .order_by("at")
    )
    return [
        _line(e.booking, f"{e.booking.patient.mrn}: {_local(e.booking)}, chair {e.booking.chair.name}")
        for e in events
    ]


registry.register_kind(MOVED_BY_PATIENT, label="Visit moved by the patient (new link)", render=render_moved)
registry.register_kind(
    CANCELLED_BY_PATIENT, label="Visit cancelled by the patient (to staff)", render=render_cancelled
)
register_section(
    "unconfirmed_tomorrow",
    title="Tomorrow's visits not confirmed by the patient",
    provider=unconfirmed_tomorrow,
    order=60,
)
register_section(
    "cancelled_by_patients",
    title="Visits patients cancelled from their reminder link",
    provider=cancelled_by_patients,
    order=61,
)
