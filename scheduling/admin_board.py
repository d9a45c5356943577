"""The day board's bars and legend in words, with what a click on them does.

Each bar says who, when, what (the product and "cycle 3 of 6 · day 1 of 2", from infusions through
`scheduling.board_hooks`) and the status in words; a patient booked twice on the day is flagged on both
bars. A bar carries the links of the booking's existing action pages (move, cancel, no-show), which the
board's menu offers on a click; a lane carries what free space needs to book an order there.
"""

from collections import Counter
from datetime import UTC

from django.urls import reverse

from scheduling import board_hooks
from scheduling.models import INACTIVE_STATUSES, BookingStatus

STATUS_COLOURS = {
    "booked": "#2f6fb0",
    "checked_in": "#7a4fb5",
    "in_progress": "#d08a00",
    "completed": "#3c8d40",
    "cancelled": "#9a9a9a",
    "no_show": "#c0392b",
}
ACTIONS = [("reschedule", "Move"), ("cancel", "Cancel"), ("no-show", "No-show")]


def legend() -> list[tuple[str, str]]:
    """(status in words, colour) for every status."""
    return [(label, STATUS_COLOURS.get(value, "#555")) for value, label in BookingStatus.choices]


def bar_rows(board) -> list[dict]:
    """Each chair with its bookings as bars: left and width in percent of the open day, in words."""
    bookings = [b for row in board.rows for b in row.bookings]
    words = board_hooks.booking_words(bookings)
    twice = Counter(b.patient_id for b in bookings if b.status not in INACTIVE_STATUSES)
    lane = _lane(board)
    if not board.slots:
        return [{"chair": row.chair, "bars": [], "lane": lane} for row in board.rows]
    first = board.slots[0]
    length = (len(board.slots) * board.site.grid_minutes) * 60
    zone = board.site.zone
    rows = []
    for row in board.rows:
        bars = []
        for booking in row.bookings:
            left = max(0.0, (booking.start - first).total_seconds() / length * 100)
            right = min(100.0, (booking.end - first).total_seconds() / length * 100)
            start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
            active = booking.status not in INACTIVE_STATUSES
            bars.append(
                {
                    "booking": booking,
                    "left": f"{left:.3f}",
                    "width": f"{max(right - left, 0.5):.3f}",
                    "colour": STATUS_COLOURS.get(booking.status, "#555"),
                    "times": f"{start:%H:%M}-{end:%H:%M} {start:%Z}",
                    "what": words.get(booking.pk, "Not an order's cycle"),
                    "status": _status_words(booking),
                    "twice": active and twice[booking.patient_id] > 1,
                    "url": reverse("admin:scheduling_booking_change", args=[booking.pk]),
                    "actions": [
                        (reverse("admin:scheduling_booking_change_action", args=[booking.pk, action]), label)
                        for action, label in ACTIONS
                    ]
                    if active
                    else [],
                    "inactive": not active,
                }
            )
        rows.append({"chair": row.chair, "bars": bars, "lane": lane})
    return rows


def _status_words(booking) -> str:
    """ "Booked · confirmed" once the patient confirmed from their link; "Booked · not confirmed" before."""
    status = booking.get_status_display()
    if booking.status == BookingStatus.BOOKED:
        return f"{status} · {'confirmed' if booking.confirmed_at else 'not confirmed'}"
    return status


def _lane(board) -> dict:
    """What a click on free space needs: where the day starts (UTC), the grid, the booking page."""
    if not board.slots:
        return {}
    return {
        "first": board.slots[0].astimezone(UTC).isoformat(),
        "step": board.site.grid_minutes * 60,
        "slots": len(board.slots),
        "book_url": board_hooks.book_here_url(),
    }
