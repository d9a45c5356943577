"""Where a running infusion stands: volume given so far, the step the pump is on, when the next step is
due, the steps ahead with their clock times and the expected end, on the plan from now.

Standard library only (no Django); the selectors load the session's plan and rate changes and call
`progress`. The plan is a list of steps (rate in mL/h, minutes; the last one open-ended). A step's clock
runs from when the pump was set to its rate (a hold keeps it running); a slowed rate that is not a plan
step runs until the bag is done. Paused or stopped, nothing flows and there is no expected end.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from infusions.vitals import volume_delivered

HOLD = "hold"
NO_FLOW = ("pause", "stop")


@dataclass(frozen=True)
class Step:
    rate: Decimal  # mL/h
    minutes: Decimal | None  # None: open-ended (the last step)


@dataclass(frozen=True)
class Change:
    at: datetime
    rate: Decimal  # mL/h, 0 when paused or stopped
    kind: str  # start, step_up, hold, slow, pause, resume, stop


@dataclass(frozen=True)
class Ahead:
    at: datetime  # when this step begins, on the plan (now at the earliest)
    rate: Decimal


@dataclass(frozen=True)
class Progress:
    rate: Decimal  # the pump now
    flowing: bool
    given_ml: Decimal
    remaining_ml: Decimal
    step_index: int | None  # the plan step the pump is on, None off the plan (slowed)
    next_step_at: datetime | None  # when the next step up is due (in the past when late)
    ahead: tuple[Ahead, ...]  # the next steps, projected from now
    expected_end: datetime | None


def _hours(ml: Decimal, rate: Decimal) -> timedelta:
    return timedelta(hours=float(ml / rate))


def progress(
    *, steps: Sequence[Step], changes: Sequence[Change], now: datetime, planned_volume_ml: Decimal
) -> Progress:
    """Where the infusion stands at `now` (`changes` oldest first, at least the start)."""
    last = changes[-1]
    given = volume_delivered([(c.at, c.rate) for c in changes], now, planned_volume_ml)
    remaining = max(Decimal(planned_volume_ml) - given, Decimal(0))
    flowing = last.kind not in NO_FLOW and last.rate > 0
    rates = [s.rate for s in steps]
    index = rates.index(last.rate) if flowing and last.rate in rates else None
    next_at, segments = None, [(last.rate, None)]
    if index is not None:
        since = next(c.at for c in reversed(changes) if c.rate == last.rate and c.kind != HOLD)
        minutes = steps[index].minutes
        if minutes is not None and index + 1 < len(steps):
            next_at = since + timedelta(minutes=float(minutes))
            left = max(Decimal((next_at - now).total_seconds()) / 60, Decimal(0))
            segments = [(last.rate, left)] + [(s.rate, s.minutes) for s in steps[index + 1 :]]
    ahead, end = [], None
    if flowing:
        at, left_ml = now, remaining
        for n, (rate, minutes) in enumerate(segments):
            if n:
                ahead.append(Ahead(at, rate))
            if left_ml <= 0:
                end = at
                break
            if minutes is None or rate * minutes / 60 >= left_ml:
                end = at + _hours(left_ml, rate)
                break
            left_ml -= rate * minutes / 60
            at += timedelta(minutes=float(minutes))
    return Progress(
        rate=last.rate,
        flowing=flowing,
        given_ml=given,
        remaining_ml=remaining,
        step_index=index,
        next_step_at=next_at,
        ahead=tuple(ahead),
        expected_end=end,
    )
