"""The order's interval as a rule: how close to its neighbours a cycle may be booked. Pure: no Django.

An order given every `interval_days` days has its cycles that far apart. The clinic tolerates a cycle
booked a little early (`tolerance_days`, the infusion policy's, default 3): one that is nearer than
`interval_days - tolerance_days` to another live cycle of the order needs a confirmation and a reason.
Both neighbours count: a cycle booked into a gap must keep its distance from the one after it too.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class TooSoon:
    """Booking on `day` is `days_apart` days from the cycle on `neighbour` (`neighbour_cycle`), fewer
    than the `allowed` days the interval and tolerance give; `earliest` is the first day that is not too
    soon after the previous cycle (None when the nearer cycle is the next one)."""

    day: date
    neighbour: date
    neighbour_cycle: int | None
    days_apart: int
    allowed: int
    interval_days: int
    tolerance_days: int
    earliest: date | None

    def sentence(self) -> str:
        when = "after" if self.neighbour <= self.day else "before"
        cycle = f"cycle {self.neighbour_cycle}" if self.neighbour_cycle else "another cycle"
        days = "day" if self.days_apart == 1 else "days"
        text = (
            f"{self.day:%a %d %b %Y} is {self.days_apart} {days} {when} {cycle} "
            f"({self.neighbour:%a %d %b %Y}); "
            f"this order is given every {self.interval_days} days (the clinic accepts "
            f"{self.tolerance_days} days early, so at least {self.allowed} days apart)."
        )
        if self.earliest is not None:
            text += f" The earliest day without a reason is {self.earliest:%a %d %b %Y}."
        return text + " Booking it this early needs a reason."


def minimum_gap(interval_days: int, tolerance_days: int) -> int:
    """Fewest days between two cycles' first days before a reason is needed (never below 1)."""
    return max(1, interval_days - max(0, tolerance_days))


def earliest_day(cycles: list[date], *, interval_days: int | None, tolerance_days: int) -> date | None:
    """The first day a next cycle may start without a reason: the latest cycle + the minimum gap."""
    if not interval_days or not cycles:
        return None
    return max(cycles) + timedelta(days=minimum_gap(interval_days, tolerance_days))


def too_soon(
    day: date,
    cycles: list[tuple[date, int | None]],
    *,
    interval_days: int | None,
    tolerance_days: int,
) -> TooSoon | None:
    """Whether a cycle starting on `day` is too near one of the order's live `cycles` (first day, number).

    Returns the nearest violation, or None when the order has no interval or the day keeps its distance.
    """
    if not interval_days:
        return None
    allowed = minimum_gap(interval_days, tolerance_days)
    near = [(abs((day - on).days), on, number) for on, number in cycles if abs((day - on).days) < allowed]
    if not near:
        return None
    apart, on, number = min(near, key=lambda item: (item[0], item[1]))
    previous = [d for d, _ in cycles if d <= day]
    return TooSoon(
        day=day,
        neighbour=on,
        neighbour_cycle=number,
        days_apart=apart,
        allowed=allowed,
        interval_days=interval_days,
        tolerance_days=tolerance_days,
        earliest=max(previous) + timedelta(days=allowed) if previous and on <= day else None,
    )
