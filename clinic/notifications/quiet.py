"""Quiet hours: a daily local-time window in which no message goes out. Pure functions over plain values."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_window(text: str) -> tuple[time, time] | None:
    """Read "21:00-08:00" into (start, end); an empty string means no quiet hours.

    Raises ValueError on anything else, so a typo in the environment stops the process at start.
    """
    text = text.strip()
    if not text:
        return None
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"Quiet hours look like 21:00-08:00, not {text!r}.")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def is_quiet(local: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= local < end
    # The window wraps midnight, e.g. 21:00-08:00.
    return local >= start or local < end


def next_allowed(at: datetime, zone: ZoneInfo, window: tuple[time, time] | None) -> datetime:
    """Return `at`, or the end of the quiet window it falls in (local wall-clock time in `zone`), in UTC.

    The end is computed on the local calendar, so "08:00" stays 08:00 across a DST change.
    """
    if window is None:
        return at
    start, end = window
    local = at.astimezone(zone)
    if not is_quiet(local.time(), start, end):
        return at
    day = local.date()
    if start > end and local.time() >= start:
        day += timedelta(days=1)
    allowed = datetime.combine(day, end, tzinfo=zone)
    # A wall-clock time that does not exist (the spring-forward gap) resolves forward through UTC.
    return allowed.astimezone(ZoneInfo("UTC"))
