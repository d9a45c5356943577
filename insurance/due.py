"""How long until a deadline, or how late it is, in the words a worklist uses: "due in 5 h",
"overdue by 2 h", "due in 2 d 12 h". Standard library only; tested on plain values.

Under an hour it counts minutes, under two days whole hours, beyond that days and hours. Partial units
are dropped (a decision due in 5 h 50 min is "due in 5 h"), so the words never promise more time than
is left; a late one is late by the whole units passed ("overdue by 2 h" from 2 h to 2 h 59 min).
"""

from datetime import datetime, timedelta

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def span_words(span: timedelta) -> str:
    """A non-negative span in whole units: '40 min', '5 h', '2 d 12 h', '3 d'."""
    if span < HOUR:
        return f"{span // MINUTE} min"
    if span < 2 * DAY:
        return f"{span // HOUR} h"
    days, rest = divmod(span, DAY)
    hours = rest // HOUR
    return f"{days} d {hours} h" if hours else f"{days} d"


def due_words(due: datetime, now: datetime) -> str:
    """'due in 5 h' before `due`, 'overdue by 2 h' after it (both aware datetimes)."""
    if due >= now:
        return f"due in {span_words(due - now)}"
    return f"overdue by {span_words(now - due)}"
