"""A weekly booking template: for each weekday, the start slots per duration band that keep a typical
day level ("book into the template"). Pure: plain values in, plain values out.

The typical day of a weekday has, per duration band, the mean number of sessions of the last weeks
(rounded up), each as long as its band's longest session seen; the optimiser places them as levelly
as the weekday's usual nurses allow, and those starts are the template. Bands are by chair minutes:
up to 3 h, 3-4 h, 4-5 h, 5-6 h, 6-8 h, longer.
"""

import math
from collections import Counter
from dataclasses import dataclass

from scheduling.optimiser.engine import solve
from scheduling.optimiser.problem import Chair, Day, Infeasible, NoScheduleFound, Problem, Session, Shift

BAND_EDGES = (180, 240, 300, 360, 480)  # minutes; a band is named by its upper edge, the last is "longer"
LONGER = 9999


def duration_band(minutes: int) -> int:
    """The band of a session of `minutes` chair minutes, named by its upper edge (9999: over 8 hours)."""
    return next((edge for edge in BAND_EDGES if minutes <= edge), LONGER)


@dataclass(frozen=True)
class WeekdayInput:
    """What a weekday looked like: open slots of the day, its usual shifts (slots of the day), and the
    chair minutes of every session on that weekday over `weeks` weeks."""

    weekday: int
    opens: int
    closes: int
    shifts: tuple[tuple[int, int], ...]
    sessions_minutes: tuple[int, ...]
    weeks: int


def weekday_template(
    day: WeekdayInput,
    *,
    chairs: tuple[Chair, ...],
    grid: int,
    patients_per_nurse: int,
    starts_per_nurse: int,
    time_limit: float = 5.0,
) -> dict[int, list[int]]:
    """Start slots of the day per band for the typical `day`: {band: [slot, ...]} (slots repeat when
    two sessions of a band start together). Empty when the weekday saw no sessions or cannot be
    placed at all."""
    if not day.sessions_minutes or day.weeks <= 0:
        return {}
    per_band = Counter(duration_band(m) for m in day.sessions_minutes)
    longest = {band: max(m for m in day.sessions_minutes if duration_band(m) == band) for band in per_band}
    per_day = 24 * 60 // grid
    for rounding in (math.ceil, round):
        counts = {band: max(1, rounding(n / day.weeks)) for band, n in per_band.items()}
        sessions, bands = [], {}
        for band, count in sorted(counts.items()):
            slots = min(-(-longest[band] // grid), day.closes - day.opens)
            for _ in range(count):
                sid = len(sessions) + 1
                sessions.append(Session(id=sid, patient=sid, duration=slots))
                bands[sid] = band
        problem = Problem(
            chairs=chairs,
            days=(Day(0, day.opens, day.closes),),
            shifts=tuple(Shift(s, e) for s, e in day.shifts),
            sessions=tuple(sessions),
            slots_per_day=per_day,
            patients_per_nurse=patients_per_nurse,
            starts_per_nurse=starts_per_nurse,
        )
        try:
            schedule = solve(problem, time_limit=time_limit)
        except (Infeasible, NoScheduleFound):
            continue  # a busier week than the nurses allow on average: try the mean rounded
        template: dict[int, list[int]] = {}
        for sid, placed in schedule.placements.items():
            template.setdefault(bands[sid], []).append(placed.start)
        return {band: sorted(starts) for band, starts in sorted(template.items())}
    return {}


def template_has_room(template: dict, *, weekday: int, minutes: int, start: str, booked: int) -> bool:
    """Whether a session of `minutes` starting at local `start` ("HH:MM") on `weekday` books into the
    template, given `booked` sessions of its band already starting then that day."""
    starts = template.get("days", {}).get(str(weekday), {}).get(str(duration_band(minutes)), [])
    return starts.count(start) > booked
