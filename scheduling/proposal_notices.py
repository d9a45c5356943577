"""The notice a patient gets when a schedule-optimiser proposal moves their appointment.

Registered with clinic.notifications (settings.NOTIFICATION_MODULES); rendered at send time from the
booking as it is then, like the appointment reminders: nothing goes out for a booking that is no longer
booked or already past, and opt-outs, channel and quiet hours apply (patients.reminders).
"""

from clinic.notifications import registry
from scheduling import reminders
from scheduling.models import Booking, BookingStatus

BOOKING_MOVED = "booking_moved"


def render_booking_moved(row, now) -> registry.Outcome:
    booking = Booking.objects.select_related("site", "patient").filter(pk=row.record_id).first()
    if booking is None:
        return registry.Skip("booking_deleted")
    if booking.status != BookingStatus.BOOKED:
        return registry.Skip(f"booking_{booking.status}")
    if booking.start <= now:
        return registry.Skip("booking_past")
    # The appointment reminders' renderer: same context (local date and time, site, phone), own text.
    return reminders._render("booking_moved", row, booking, now)


registry.register_kind(
    BOOKING_MOVED, label="Appointment moved (schedule optimiser)", render=render_booking_moved
)
