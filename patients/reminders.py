"""A patient's reminder preferences applied to a message at send time: opt-out, channel, address and
quiet hours (in the time zone of the site the message is about)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from clinic.notifications.models import Channel
from clinic.notifications.quiet import next_allowed
from clinic.notifications.registry import Defer, Message, Outcome, Reroute, Skip
from patients.models import Patient


def patient_message(
    *, patient: Patient, channel: str, zone: ZoneInfo, now: datetime, body: str, subject: str = ""
) -> Outcome:
    """What to do with a message for `patient` by `channel` now: send it, skip it, wait, or switch channel."""
    if patient.reminder_opt_out:
        return Skip("opted_out")
    if patient.reminder_channel != channel:
        return Reroute(patient.reminder_channel)
    address = patient.phone if channel == Channel.SMS else patient.email
    if not address:
        return Skip(f"no_{'phone' if channel == Channel.SMS else 'email'}")
    allowed = next_allowed(now, zone, patient.quiet_hours())
    if allowed > now:
        return Defer(allowed)
    return Message(to=[address], subject=subject, body=body)


def patient_due(*, patient: Patient, at: datetime, zone: ZoneInfo) -> datetime:
    """When a message meant for `at` may go out: `at`, or the end of the patient's quiet hours."""
    return next_allowed(at, zone, patient.quiet_hours())
