"""The optimiser's input and output as plain values (no Django).

Time is a grid of slots. A day has `slots_per_day` slots counted from local midnight (96 on a
15-minute grid); slot `t` of the whole problem is `day * slots_per_day + slot of the day`, so a week is
one axis and a session's day is `t // slots_per_day`. Services turn datetimes into slots and back.

Definitions the rest of the service reports (one place):
- **nurse load** at a slot: patients in chairs divided by nurses on shift for the whole slot;
  the **peak nurse load** is its maximum over the open slots of the problem (patients per nurse);
- **chair occupancy** at a slot: chairs in use; the **peak** is its maximum;
- a **move**: a session whose start differs from its current start; its size is the difference in slots.
"""

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Chair:
    id: int
    kind: str = "recliner"


@dataclass(frozen=True)
class Day:
    """One open day: `index` is its place in the problem (0 = the first day), `opens` and `closes` are
    slots of that day (local), `closes` exclusive."""

    index: int
    opens: int
    closes: int


@dataclass(frozen=True)
class Shift:
    """A nurse on the floor for the slots [start, end) of the problem's axis."""

    start: int
    end: int


@dataclass(frozen=True)
class Session:
    """One chair session to place.

    `duration` in slots; `current_start` / `current_chair` where it is booked today (None for a new
    one); `earliest` / `latest` bound its start on the problem's axis; `chair_kinds` the kinds of chair
    it may use (empty: any); `preferred` the slots of the day (first, last) the patient prefers to start
    in; `fixed` sessions (checked in) keep their start and chair.
    """

    id: int
    patient: int
    duration: int
    current_start: int | None = None
    current_chair: int | None = None
    earliest: int | None = None
    latest: int | None = None
    chair_kinds: frozenset[str] = frozenset()
    preferred: tuple[int, int] | None = None
    fixed: bool = False


@dataclass(frozen=True)
class Link:
    """The days of a split course: `second` starts exactly `days_apart` days after `first`."""

    first: int
    second: int
    days_apart: int


@dataclass(frozen=True)
class Problem:
    chairs: tuple[Chair, ...]
    days: tuple[Day, ...]
    shifts: tuple[Shift, ...]
    sessions: tuple[Session, ...]
    slots_per_day: int = 96
    patients_per_nurse: int = 4
    starts_per_nurse: int = 1
    links: tuple[Link, ...] = ()

    def nurses_at(self) -> dict[int, int]:
        """Nurses on shift for each open slot of the problem's axis."""
        counts: dict[int, int] = {}
        for day in self.days:
            base = day.index * self.slots_per_day
            for t in range(base + day.opens, base + day.closes):
                counts[t] = 0
        for shift in self.shifts:
            for t in range(shift.start, shift.end):
                if t in counts:
                    counts[t] += 1
        return counts


@dataclass(frozen=True)
class Placement:
    start: int
    chair: int


@dataclass
class Schedule:
    """The best schedule found: where each session goes, and how good that is.

    `peak_load` and `peak_load_bound` are patients per nurse (exact fractions); the bound is proven:
    no schedule of this problem has a lower peak. `optimal` says the peak is proven lowest and every
    later objective (chairs, moves, preferences) was solved to optimality too.
    """

    placements: dict[int, Placement]
    peak_load: Fraction
    peak_load_bound: Fraction
    peak_chairs: int
    moves: int
    moved_slots: int
    preference_misses: int
    optimal: bool
    peak_optimal: bool
    seconds: float
    phases: list[dict] = field(default_factory=list)


class Infeasible(Exception):
    """No schedule satisfies the input; `constraint` names the rule that cannot be met."""

    def __init__(self, constraint: str, detail: str, sessions: tuple[int, ...] = (), at: int | None = None):
        super().__init__(detail)
        self.constraint = constraint
        self.detail = detail
        self.sessions = sessions
        self.at = at  # the slot where it shows, when there is one (the detail says "slot N")


class NoScheduleFound(Exception):
    """The time limit passed before any schedule was found (the input may still be feasible)."""


@dataclass(frozen=True)
class Curves:
    """Chair occupancy and nurse load per open slot, for pictures and reports."""

    slots: tuple[int, ...]
    occupancy: tuple[int, ...]
    nurses: tuple[int, ...]

    @property
    def load(self) -> tuple[Fraction, ...]:
        return tuple(
            Fraction(o, n) if n else Fraction(o if o else 0)
            for o, n in zip(self.occupancy, self.nurses, strict=True)
        )

    @property
    def peak_load(self) -> Fraction:
        return max(self.load, default=Fraction(0))

    @property
    def peak_occupancy(self) -> int:
        return max(self.occupancy, default=0)


def curves(problem: Problem, starts: dict[int, int]) -> Curves:
    """Occupancy and nurse load of `problem` with each session `id` starting at `starts[id]`."""
    nurses = problem.nurses_at()
    slots = sorted(nurses)
    occupancy = dict.fromkeys(slots, 0)
    for session in problem.sessions:
        start = starts.get(session.id)
        if start is None:
            continue
        for t in range(start, start + session.duration):
            if t in occupancy:
                occupancy[t] += 1
    return Curves(tuple(slots), tuple(occupancy[t] for t in slots), tuple(nurses[t] for t in slots))
