"""What a product's label allows at each moment of an infusion: its starting rate, its step schedule and
its maximum for one indication, as ceilings the plan's rate steps never exceed.

Standard library only (no Django), like `infusions.plan`, which calls it. Rates are in mL/kg/h (the label
rows convert from mg/kg/min by concentration before they get here).

A label reads like "1 mg/kg/min for the first 30 minutes, then 2, 4 and 8 every 30 minutes, up to 12"
(Octagam 10%, chronic ITP) or "0.5 mg/kg/min at first, then increase gradually up to 8" (Privigen: no time
is given for the starting rate, so it holds for the protocol's whole first step). Its **levels** are the
starting rate, the step rates and the maximum. Two rules make a ceiling for a step that starts at minute
``t`` after a step that ran at ``previous`` mL/kg/h:

- **on the clock**: the level the label has reached at ``t`` (the start for its minutes, then each step
  rate for the step minutes, then the maximum);
- **one level at a time**: at most the first level above ``previous``, so a protocol that ran slower than
  the label for a while does not then jump over the label's steps.

A step held down by either rule is split when the label lets the rate rise later: at the clock's next
level, or after the step minutes at the level it was held to. So a protocol's open-ended last step still
climbs to its rate, by the label's schedule, instead of running the whole bag at the starting rate.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Level:
    ml_per_kg_h: Decimal
    text: str  # for the plan's notes, in the label's own unit: "starting rate 0.5 mg/kg/min"


@dataclass(frozen=True)
class Ceiling:
    ml_per_kg_h: Decimal
    level: Level
    hold_minutes: Decimal | None  # how long until the label allows more; None: not in this infusion


@dataclass(frozen=True)
class LabelSchedule:
    """One indication's label: ``start`` held ``start_minutes`` (None: the protocol's first step), then
    each of ``steps`` held ``step_minutes`` (None: no schedule given, straight to ``maximum``)."""

    source: str  # "Privigen's label for G61.81"
    start: Level | None = None
    start_minutes: int | None = None
    steps: tuple[Level, ...] = ()
    step_minutes: int | None = None
    maximum: Level | None = None

    def levels(self) -> list[Level]:
        return [lv for lv in (self.start, *self.steps, self.maximum) if lv is not None]

    def _clock(self, minute: Decimal, first_step_minutes: int | None) -> tuple[Level, Decimal | None] | None:
        """The level reached at ``minute`` and the minute the next one begins (None: never)."""
        timeline: list[tuple[Level, int | None]] = []
        if self.start is not None:
            held = self.start_minutes if self.start_minutes is not None else first_step_minutes
            timeline.append((self.start, held))
        if self.steps and self.step_minutes is not None:
            timeline.extend((step, self.step_minutes) for step in self.steps)
        if self.maximum is not None:
            timeline.append((self.maximum, None))
        begins = Decimal(0)
        for level, minutes in timeline:
            if minutes is None:
                return level, None
            ends = begins + minutes
            if minute < ends:
                return level, ends
            begins = ends
        return None  # only a start and step rates without a maximum or a time: nothing beyond them

    def ceiling(
        self,
        *,
        minute: Decimal,
        previous: Decimal | None,
        held_minutes: Decimal = Decimal(0),
        first_step_minutes: int | None,
    ) -> Ceiling | None:
        """The most the label allows for a step starting at ``minute`` after ``held_minutes`` at
        ``previous`` mL/kg/h (None for the first step), or None when the label sets no ceiling there."""
        found: list[Ceiling] = []
        clock = self._clock(minute, first_step_minutes)
        if clock is not None:
            level, next_begins = clock
            hold = None if next_begins is None else next_begins - minute
            found.append(Ceiling(level.ml_per_kg_h, level, hold))
        levels = self.levels()
        if len(levels) > 1:
            found.append(self._next_level(levels, previous, held_minutes, first_step_minutes))
        if not found:
            return None
        lowest = min(c.ml_per_kg_h for c in found)
        binding = [c for c in found if c.ml_per_kg_h == lowest]
        holds = [c.hold_minutes for c in binding]
        hold = None if None in holds else max(h for h in holds if h is not None)
        return Ceiling(lowest, binding[0].level, hold)

    def _next_level(
        self, levels: list[Level], previous: Decimal | None, held: Decimal, first_step_minutes: int | None
    ) -> Ceiling:
        """One level at a time: the first step may reach the first level; after a step at a level that has
        not yet run its minutes, that level for the rest of them; otherwise the level above the highest one
        reached (a rate between two levels has reached the lower one)."""
        if previous is None:
            at = None
        else:
            at = max((i for i, lv in enumerate(levels) if lv.ml_per_kg_h <= previous), default=0)
            needed = self._held(levels[at], first_step_minutes)
            if levels[at].ml_per_kg_h == previous and needed is not None and held < needed:
                return Ceiling(previous, levels[at], needed - held)
        index = 0 if at is None else min(at + 1, len(levels) - 1)
        level = levels[index]
        hold = None if index == len(levels) - 1 else self._held(level, first_step_minutes)
        return Ceiling(level.ml_per_kg_h, level, hold)

    def _held(self, level: Level, first_step_minutes: int | None) -> Decimal | None:
        if level is self.start:
            minutes = self.start_minutes if self.start_minutes is not None else first_step_minutes
        else:
            minutes = self.step_minutes
        return None if minutes is None else Decimal(minutes)
