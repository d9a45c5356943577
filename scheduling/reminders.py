"""Booking reminders and the staff digest's schedule.

- Appointment reminders, REMINDER_HOURS_BEFORE (72 h and 24 h) before a booking's start, moved out of
  the patient's quiet hours in the site's time zone. Booking schedules them, rescheduling moves them,
  cancelling and no-show cancel them (scheduling.services calls these functions).
- A follow-up FOLLOWUP_HOURS_AFTER (24 h) after an infusion is completed.
- One staff digest per site per morning (STAFF_DIGEST_HOUR local), made of the sections other apps
  register (clinic.notifications.digest).

Renderers read the booking again at send time, so a reminder never goes out for a booking that is
past, cancelled or no longer booked, whatever the outbox row says.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from clinic.notifications import registry
from clinic.notifications.digest import digest_render
from clinic.notifications.models import Channel, Notification
from clinic.notifications.services import notification_schedule, notifications_cancel, notifications_sync
from clinic.roles import Role
from patients.reminders import patient_due, patient_message
from scheduling import reminder_links
from scheduling.models import Booking, BookingStatus, Site, SiteMembership

FOLLOWUP = "infusion_followup"
DIGEST = "staff_digest"
# Staff who receive their site's digest (the row's recipient is the first role).
DIGEST_ROLES = (Role.MANAGER, Role.SCHEDULER)


def appointment_kind(hours: int) -> str:
    return f"appointment_{hours}h"


def appointment_kinds() -> list[str]:
    return [appointment_kind(h) for h in settings.REMINDER_HOURS_BEFORE]


def booking_reminders_sync(*, booking: Booking, fresh: bool = False, now: datetime | None = None) -> None:
    """Make a booking's appointment reminders match its time and state (called when it is booked or
    moved). A reminder whose time has passed, or would land at or after the start once moved out of
    quiet hours, is not sent; the others move with the booking."""
    now = now or timezone.now()
    patient, zone = booking.patient, booking.site.zone
    due_by_kind: dict[str, datetime | None] = {}
    for hours in settings.REMINDER_HOURS_BEFORE:
        due = patient_due(patient=patient, at=booking.start - timedelta(hours=hours), zone=zone)
        wanted = booking.status == BookingStatus.BOOKED and now < due < booking.start
        due_by_kind[appointment_kind(hours)] = due if wanted else None
    notifications_sync(
        record=booking,
        recipient=patient,
        channel=patient.reminder_channel,
        due_by_kind=due_by_kind,
        reason="booking moved: reminder time passed",
        fresh=fresh,
    )


def booking_reminders_cancel(*, booking: Booking, reason: str) -> int:
    """Cancel every pending message about a booking (reminders and follow-up); return how many."""
    return notifications_cancel(record=booking, reason=reason)


def booking_followup_schedule(*, booking: Booking, now: datetime | None = None) -> Notification:
    """Schedule the follow-up message FOLLOWUP_HOURS_AFTER the infusion ended (completed now)."""
    now = now or timezone.now()
    due = patient_due(
        patient=booking.patient,
        at=now + timedelta(hours=settings.FOLLOWUP_HOURS_AFTER),
        zone=booking.site.zone,
    )
    return notification_schedule(
        kind=FOLLOWUP,
        channel=booking.patient.reminder_channel,
        recipient=booking.patient,
        record=booking,
        due_at=due,
    )


# --- Rendering at send time ---------------------------------------------------------------------------


# How a patient reads a time, by language: "10:00 AM" in English, "10:00" (24 h) in French and Spanish.
PATIENT_TIME_FORMATS = {"en": "g:i A", "fr": "H:i", "es": "H:i"}


def local_texts(moment: datetime, site: Site) -> dict[str, str]:
    """ "Tuesday 2 March 2027", "10:00 AM" and the zone ("EST") in the site's time zone, in the active
    language ("mardi 2 mars 2027", "10:00" in French)."""
    local = moment.astimezone(site.zone)
    language = (translation.get_language() or "en")[:2]
    return {
        "date_text": formats.date_format(local, "l j F Y"),
        "time_text": formats.date_format(local, PATIENT_TIME_FORMATS.get(language, "H:i")),
        "zone_text": local.strftime("%Z"),
    }


def _context(row: Notification, booking: Booking) -> dict:
    site = booking.site
    return {
        "channel": row.channel,
        "clinic_name": settings.CLINIC_NAME,
        "site_name": site.name,
        "address": site.address.strip(),
        "address_line": ", ".join(line.strip() for line in site.address.splitlines() if line.strip()),
        "site_phone": site.phone or "the clinic",
        **local_texts(booking.start, site),
    }


# Where a message's text puts the link to the visit page. The text is rendered and the patient's
# preferences applied first; the link is minted only for a message that goes out now, so a skipped,
# deferred or rerouted message stores no token (and the outbox keeps no body to hold one).
LINK_SLOT = "\x00visit-link\x00"


def _render(template: str, row: Notification, booking: Booking, now: datetime) -> registry.Outcome:
    """A patient's message about a booking, in the patient's language, with a fresh link to their visit
    page where an app provides one (`scheduling.reminder_links`)."""
    with translation.override(booking.patient.preferred_language or "en"):
        context = _context(row, booking)
        context["link"] = LINK_SLOT if reminder_links.available() else ""
        body = render_to_string(f"notifications/{template}.txt", context).strip()
        subject = render_to_string(f"notifications/{template}_subject.txt", context).strip()
    outcome = patient_message(
        patient=booking.patient,
        channel=row.channel,
        zone=booking.site.zone,
        now=now,
        body=body,
        subject=subject,
    )
    if isinstance(outcome, registry.Message) and LINK_SLOT in outcome.body:
        link = reminder_links.visit_link(booking, now)
        outcome = registry.Message(
            to=outcome.to, subject=outcome.subject, body=outcome.body.replace(LINK_SLOT, link)
        )
    return outcome


def _read_booking(row: Notification) -> Booking | None:
    return Booking.objects.select_related("site", "patient").filter(pk=row.record_id).first()


def _booking(row: Notification) -> Booking | None:
    return registry.preloaded(row, _read_booking)


def load_bookings(ids: list[int]) -> dict[int, Booking]:
    """A dispatch batch's bookings, with their sites and patients, in one query."""
    return Booking.objects.select_related("site", "patient").in_bulk(ids)


def render_appointment_reminder(row: Notification, now: datetime) -> registry.Outcome:
    booking = _booking(row)
    if booking is None:
        return registry.Skip("booking_deleted")
    if booking.status != BookingStatus.BOOKED:
        return registry.Skip(f"booking_{booking.status}")
    if booking.start <= now:
        return registry.Skip("booking_past")
    return _render("appointment_reminder", row, booking, now)


def render_followup(row: Notification, now: datetime) -> registry.Outcome:
    booking = _booking(row)
    if booking is None or booking.status != BookingStatus.COMPLETED:
        return registry.Skip("not_completed")
    return _render("infusion_followup", row, booking, now)


# --- The staff digest ---------------------------------------------------------------------------------


def digest_plan(now: datetime) -> int:
    """Put today's digest of every site whose local morning has come in the outbox (once per site and
    local day; until noon, so a late start does not send a morning digest at night). Return how many."""
    group = Group.objects.get(name=DIGEST_ROLES[0])
    scheduled = 0
    for site in Site.objects.all():
        local = now.astimezone(site.zone)
        if not settings.STAFF_DIGEST_HOUR <= local.hour < 12:
            continue
        due = datetime.combine(local.date(), time(settings.STAFF_DIGEST_HOUR), tzinfo=site.zone)
        notification_schedule(
            kind=DIGEST,
            channel=Channel.EMAIL,
            recipient=group,
            record=site,
            record_key=local.date().isoformat(),
            due_at=due,
        )
        scheduled += 1
    return scheduled


def digest_recipients(site: Site) -> list[str]:
    """Emails of active staff in DIGEST_ROLES who work at the site (all of them if none is a member)."""
    users = get_user_model().objects.filter(groups__name__in=DIGEST_ROLES, is_active=True).exclude(email="")
    members = users.filter(pk__in=SiteMembership.objects.filter(site=site).values("user_id"))
    chosen = members if members.exists() else users
    return sorted(set(chosen.values_list("email", flat=True)))


def render_digest(row: Notification, now: datetime) -> registry.Outcome:
    site = Site.objects.filter(pk=row.record_id).first()
    if site is None:
        return registry.Skip("site_deleted")
    to = digest_recipients(site)
    if not to:
        return registry.Skip("no_staff_email")
    subject, body = digest_render(
        site_name=site.name,
        site_id=site.pk,
        day=date.fromisoformat(row.record_key),
        base_url=settings.SITE_URL,
    )
    return registry.Message(to=to, subject=subject, body=body)


for _hours in settings.REMINDER_HOURS_BEFORE:
    registry.register_kind(
        appointment_kind(_hours),
        label=f"Appointment reminder, {_hours} h before",
        render=render_appointment_reminder,
        load=load_bookings,
    )
registry.register_kind(
    FOLLOWUP, label="Follow-up after an infusion", render=render_followup, load=load_bookings
)
registry.register_kind(DIGEST, label="Staff digest", render=render_digest)
registry.register_planner("staff_digest", digest_plan)
