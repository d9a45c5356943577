"""Placing a site's sessions so that the day is level: OR-Tools CP-SAT on a time-indexed model.

Each session gets one boolean per slot it may start in. Linear sums of these give, at every slot, the
patients in chairs, the starts, the chairs of each kind in use and a patient's own sessions, so every
rule is a linear constraint and the solver's linear relaxation bounds the peak well.

The objective is lexicographic, solved in phases, each keeping the best value of the ones before:
1. the peak nurse load (patients per nurse on shift; its proven lower bound is reported),
2. the peak chair occupancy, then
   the fewest moves, then the smallest (slots moved), then
   the fewest starts outside the patient's preferred part of the day.
Chairs are then assigned with the times fixed (interval scheduling with chair kinds), keeping each
session's current chair where possible; if no assignment exists for those times, the whole problem is
solved again with the chairs in the model.
"""

import math
import time
from collections.abc import Callable
from fractions import Fraction
from itertools import combinations

from ortools.sat.python import cp_model

from scheduling.optimiser.problem import Infeasible, NoScheduleFound, Placement, Problem, Schedule

Progress = Callable[[str, float], None]

# Share of the time limit each phase may use; time a phase leaves goes to the next.
PHASE_SHARE = {"peak_load": 0.62, "then": 0.33}  # the rest: chairs


def solver_for(seconds: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 7
    return solver


def _scale(nurse_counts: set[int]) -> int:
    """Nurse load is kept as an integer in units of 1/scale patient per nurse; with the lcm of the
    nurse counts, every possible load (patients / nurses) is exact."""
    counts = [n for n in nurse_counts if n > 0] or [1]
    scale = math.lcm(*counts)
    return scale if scale <= 5040 else 840


class _Model:
    """The CP-SAT model of a problem; `exact_chairs` puts each chair in the model (slower, exact)."""

    def __init__(self, problem: Problem, *, exact_chairs: bool = False, diagnose: bool = False):
        self.problem = problem
        self.m = cp_model.CpModel()
        self.nurses = problem.nurses_at()
        self.scale = _scale(set(self.nurses.values()))
        self.domains = _domains(problem, self.nurses)
        self.families: dict[str, cp_model.IntVar] = {}
        self.diagnose = diagnose
        m = self.m
        self.x: dict[int, dict[int, cp_model.IntVar]] = {}
        for s in problem.sessions:
            self.x[s.id] = {t: m.NewBoolVar(f"x{s.id}_{t}") for t in self.domains[s.id]}
            m.AddExactlyOne(self.x[s.id].values())
        self._occupancy()
        self._capacity()
        self._starts()
        self._chairs(exact_chairs)
        self._patients()
        self._links()
        self._objectives()

    def _family(self, name: str):
        """In diagnosis, each family of rules hangs on a literal assumed true, so an infeasible
        problem answers with the families it could not keep."""
        if not self.diagnose:
            return None
        if name not in self.families:
            self.families[name] = self.m.NewBoolVar(name)
        return self.families[name]

    def _add(self, constraint, family: str):
        lit = self._family(family)
        if lit is not None:
            constraint.OnlyEnforceIf(lit)

    def cover(self, sid: int, t: int, duration: int):
        xs = self.x[sid]
        return [xs[u] for u in range(t - duration + 1, t + 1) if u in xs]

    def _occupancy(self):
        by_slot: dict[int, list] = {t: [] for t in self.nurses}
        self.cover_at: dict[int, dict[int, list]] = {}
        for s in self.problem.sessions:
            per = {}
            for t in range(min(self.domains[s.id]), max(self.domains[s.id]) + s.duration):
                lits = self.cover(s.id, t, s.duration)
                if lits:
                    per[t] = lits
                    by_slot.setdefault(t, []).extend(lits)
            self.cover_at[s.id] = per
        # One integer per slot for the patients in chairs; every rule on it reads that variable, which
        # keeps the model (and each phase's presolve) small.
        self.occ = {}
        for t, lits in by_slot.items():
            if lits:
                var = self.m.NewIntVar(0, len(lits), f"occ{t}")
                self.m.Add(var == sum(lits))
                self.occ[t] = var

    def _capacity(self):
        p = self.problem
        for t, occ in self.occ.items():
            self._add(self.m.Add(occ <= self.nurses.get(t, 0) * p.patients_per_nurse), "nurse_capacity")

    def _starts(self):
        p = self.problem
        starts: dict[int, list] = {}
        for s in p.sessions:
            if s.fixed:
                continue  # a checked-in patient has started already; the limit is for new starts
            for t, lit in self.x[s.id].items():
                starts.setdefault(t, []).append(lit)
        for t, lits in starts.items():
            limit = self.nurses.get(t, 0) * p.starts_per_nurse
            if len(lits) > limit:
                self._add(self.m.Add(sum(lits) <= limit), "start_limit")

    def _chairs(self, exact: bool):
        p = self.problem
        kinds = sorted({c.kind for c in p.chairs})
        allowed = {
            s.id: (set(s.chair_kinds) & set(kinds)) if s.chair_kinds else set(kinds) for s in p.sessions
        }
        self.allowed_kinds = allowed
        if exact:
            self._exact_chairs(allowed)
            return
        # Hall's condition at each slot, for every set of kinds: the sessions that can only use
        # those kinds fit in the chairs of those kinds.
        for size in range(1, len(kinds) + 1):
            for subset in combinations(kinds, size):
                chairs = sum(1 for c in p.chairs if c.kind in subset)
                members = [s for s in p.sessions if allowed[s.id] <= set(subset)]
                if not members:
                    continue
                if len(members) == len(p.sessions):
                    for occ in self.occ.values():
                        self._add(self.m.Add(occ <= chairs), "chairs")
                    continue
                slots = set().union(*(self.cover_at[s.id] for s in members))
                for t in slots:
                    lits = [lit for s in members for lit in self.cover_at[s.id].get(t, [])]
                    if len(lits) > chairs:
                        self._add(self.m.Add(sum(lits) <= chairs), "chairs")

    def _exact_chairs(self, allowed):
        p, m = self.problem, self.m
        self.assign: dict[int, dict[int, cp_model.IntVar]] = {}
        per_chair: dict[int, list] = {c.id: [] for c in p.chairs}
        for s in p.sessions:
            start = m.NewIntVar(min(self.domains[s.id]), max(self.domains[s.id]), f"start{s.id}")
            m.Add(start == sum(t * lit for t, lit in self.x[s.id].items()))
            options = {}
            for c in p.chairs:
                if c.kind not in allowed[s.id] or (s.fixed and c.id != s.current_chair):
                    continue
                lit = m.NewBoolVar(f"a{s.id}_{c.id}")
                options[c.id] = lit
                per_chair[c.id].append(
                    m.NewOptionalFixedSizeIntervalVar(start, s.duration, lit, f"i{s.id}_{c.id}")
                )
            self._add(m.AddExactlyOne(options.values()), "chairs")
            self.assign[s.id] = options
        for intervals in per_chair.values():
            if len(intervals) > 1:
                self._add(m.AddNoOverlap(intervals), "chairs")

    def _patients(self):
        by_patient: dict[int, list] = {}
        for s in self.problem.sessions:
            by_patient.setdefault(s.patient, []).append(s)
        for sessions in by_patient.values():
            if len(sessions) < 2:
                continue
            slots = set().union(*(self.cover_at[s.id] for s in sessions))
            for t in slots:
                lits = [lit for s in sessions for lit in self.cover_at[s.id].get(t, [])]
                if len(lits) > 1:
                    self._add(self.m.Add(sum(lits) <= 1), "patient_overlap")

    def day_expr(self, sid: int):
        per_day = self.problem.slots_per_day
        return sum((t // per_day) * lit for t, lit in self.x[sid].items())

    def _links(self):
        ids = {s.id for s in self.problem.sessions}
        for link in self.problem.links:
            if link.first in ids and link.second in ids:
                self._add(
                    self.m.Add(self.day_expr(link.second) - self.day_expr(link.first) == link.days_apart),
                    "split_days",
                )

    def _objectives(self):
        p, m = self.problem, self.m
        self.load = m.NewIntVar(0, self.scale * max(1, len(p.sessions)), "peak_load")
        self.chairs_peak = m.NewIntVar(0, max(1, len(p.sessions)), "peak_chairs")
        for t, occ in self.occ.items():
            n = self.nurses.get(t, 0)
            if n > 0:
                m.Add(self.scale * occ <= self.load * n)
            m.Add(occ <= self.chairs_peak)
        self.load_floor, self.chairs_floor = energy_bounds(p, self.domains, self.nurses, self.scale)
        m.Add(self.load >= self.load_floor)
        m.Add(self.chairs_peak >= self.chairs_floor)
        moved, distance, misses = [], [], []
        for s in p.sessions:
            xs = self.x[s.id]
            if s.current_start is not None:
                keep = xs.get(s.current_start)
                moved.append(1 - keep if keep is not None else 1)
                distance.extend(
                    abs(t - s.current_start) * lit for t, lit in xs.items() if t != s.current_start
                )
            if s.preferred is not None:
                lo, hi = s.preferred
                misses.extend(lit for t, lit in xs.items() if not lo <= t % p.slots_per_day <= hi)
        self.max_distance = sum(
            max(abs(t - s.current_start) for t in self.domains[s.id])
            for s in p.sessions
            if s.current_start is not None
        )
        self.moves_expr = sum(moved) * (self.max_distance + 1) + sum(distance)
        self.moved_expr = sum(moved)
        self.distance_expr = sum(distance)
        self.misses_expr = sum(misses)
        # The objectives after the peak load, in order, as one weighted sum: each weight exceeds the
        # largest value of everything after it, so the sum is lexicographic (and one solve, not three).
        sessions = len(p.sessions)
        moves_top = sessions * (self.max_distance + 1) + self.max_distance
        self.weights = {"preferences": 1, "moves": sessions + 1}
        self.weights["peak_chairs"] = (moves_top + 1) * (sessions + 1)
        self.then_expr = (
            self.weights["peak_chairs"] * self.chairs_peak
            + self.weights["moves"] * self.moves_expr
            + self.misses_expr
        )

    def hint(self, starts: dict[int, int]):
        self.m.ClearHints()
        for sid, xs in self.x.items():
            for t, lit in xs.items():
                self.m.AddHint(lit, t == starts.get(sid))

    def starts(self, solver) -> dict[int, int]:
        return {sid: next(t for t, lit in xs.items() if solver.Value(lit)) for sid, xs in self.x.items()}


def _runs(slots: list[int]) -> list[tuple[int, int]]:
    runs, first = [], None
    for i, t in enumerate(slots):
        if first is None:
            first = t
        if i + 1 == len(slots) or slots[i + 1] != t + 1:
            runs.append((first, t))
            first = None
    return runs


def energy_bounds(problem: Problem, domains, nurses: dict[int, int], scale: int) -> tuple[int, int]:
    """Lower bounds on the peak load (scaled) and the peak occupancy that hold for every schedule.

    In any window of slots, each session spends at least its smallest possible overlap with the window
    (reached at an end of a run of its possible starts); the window's nurses and slots must carry that.
    """
    slots = sorted(nurses)
    if not slots:
        return 0, 0
    shapes = [(s.duration, _runs(domains[s.id])) for s in problem.sessions]
    load_floor = chairs_floor = 0
    prefix = [0]
    for t in slots:
        prefix.append(prefix[-1] + nurses[t])
    for i, a in enumerate(slots):
        for j in range(i, len(slots)):
            b = slots[j] + 1
            if slots[j] - a != j - i:
                break  # windows stay inside one open stretch
            energy = 0
            for duration, ends in shapes:
                least = b - a
                for lo, hi in ends:
                    for t in (lo, hi):
                        overlap = min(b, t + duration) - max(a, t)
                        if overlap < least:
                            least = overlap
                if least > 0:
                    energy += least
            if not energy:
                continue
            staff = prefix[j + 1] - prefix[i]
            if staff:
                load_floor = max(load_floor, -(-scale * energy // staff))
            chairs_floor = max(chairs_floor, -(-energy // (b - a)))
    return load_floor, chairs_floor


def _domains(problem: Problem, nurses: dict[int, int]) -> dict[int, list[int]]:
    """The slots each session may start in; an empty one is infeasible on its own, said plainly."""
    per_day = problem.slots_per_day
    open_ranges = [(d.index * per_day + d.opens, d.index * per_day + d.closes) for d in problem.days]
    domains = {}
    for s in problem.sessions:
        if s.duration <= 0:
            raise Infeasible("duration", f"Session {s.id} has no length.", (s.id,))
        if s.fixed:
            if s.current_start is None:
                raise Infeasible("fixed", f"Session {s.id} is fixed but has no start.", (s.id,))
            domains[s.id] = [s.current_start]
            continue
        lo = s.earliest if s.earliest is not None else -math.inf
        hi = s.latest if s.latest is not None else math.inf
        slots = [
            t for opens, closes in open_ranges for t in range(opens, closes - s.duration + 1) if lo <= t <= hi
        ]
        if not slots:
            longest = max((c - o for o, c in open_ranges), default=0)
            if s.duration > longest:
                detail = f"Session {s.id} needs {s.duration} slots; the longest open day has {longest}."
                raise Infeasible("opening_hours", detail, (s.id,))
            raise Infeasible(
                "window",
                f"Session {s.id} cannot start inside both its allowed window and opening hours.",
                (s.id,),
            )
        domains[s.id] = slots
    return domains


def _explain(problem: Problem, families: list[str]) -> Infeasible:
    """Say which rule cannot be met, with the time and count where it is plainest."""
    nurses = problem.nurses_at()
    fixed = [s for s in problem.sessions if s.fixed]
    messages = {
        "nurse_capacity": "the nurses on shift cannot look after this many patients at once",
        "start_limit": "the nurses on shift cannot start this many infusions in the slots available",
        "chairs": "there are not enough chairs (of the kinds the sessions need) at once",
        "patient_overlap": "a patient's sessions cannot all fit without overlapping",
        "split_days": "the days of a split course cannot keep their spacing",
    }
    for name in families:
        if name == "chairs" and fixed:
            for t in sorted(nurses):
                here = [s.id for s in fixed if s.current_start <= t < s.current_start + s.duration]
                if len(here) > len(problem.chairs):
                    return Infeasible(
                        "chairs",
                        f"{len(here)} fixed sessions are in chairs at slot {t} but the site has "
                        f"{len(problem.chairs)} chairs.",
                        tuple(here),
                        at=t,
                    )
        if name == "nurse_capacity" and fixed:
            for t in sorted(nurses):
                here = [s.id for s in fixed if s.current_start <= t < s.current_start + s.duration]
                if len(here) > nurses[t] * problem.patients_per_nurse:
                    return Infeasible(
                        "nurse_capacity",
                        f"{len(here)} fixed sessions are in chairs at slot {t} but the {nurses[t]} nurses "
                        f"on shift can look after {nurses[t] * problem.patients_per_nurse}.",
                        tuple(here),
                        at=t,
                    )
    name = families[0] if families else "unknown"
    detail = messages.get(name, "the sessions cannot all be placed")
    return Infeasible(name, f"No schedule exists: {detail}.")


def _diagnose(problem: Problem, seconds: float, workers: int) -> Infeasible:
    model = _Model(problem, diagnose=True)
    model.m.AddAssumptions(list(model.families.values()))
    solver = solver_for(seconds, workers)
    status = solver.Solve(model.m)
    if status != cp_model.INFEASIBLE:
        # The relaxation with kinds per slot is infeasible but each family alone is not: the chairs
        # cannot be kept across time (a session would have to change chair mid-way).
        return Infeasible("chairs", "No schedule exists: the chairs cannot be assigned for these sessions.")
    names_by_index = {lit.Index(): name for name, lit in model.families.items()}
    core = [names_by_index[i] for i in solver.SufficientAssumptionsForInfeasibility() if i in names_by_index]
    order = ["chairs", "nurse_capacity", "start_limit", "patient_overlap", "split_days"]
    return _explain(problem, sorted(core, key=lambda n: order.index(n) if n in order else 99))


def _assign_greedily(problem: Problem, starts: dict[int, int], allowed):
    """In order of start, each session takes its current chair if free, else the first free chair of a
    kind it may use. With one kind of chair this always succeeds when the chairs suffice at every slot
    (interval graphs colour greedily); with several it may fail where an assignment exists."""
    free_at = {c.id: -math.inf for c in problem.chairs}
    kinds = {c.id: c.kind for c in problem.chairs}
    chosen = {}
    order = sorted(problem.sessions, key=lambda s: (starts[s.id], not s.fixed, s.id))
    for s in order:
        t = starts[s.id]
        options = [c for c, free in free_at.items() if free <= t and kinds[c] in allowed[s.id]]
        if s.fixed:
            options = [c for c in options if c == s.current_chair]
        if not options:
            return None
        chair = s.current_chair if s.current_chair in options else options[0]
        chosen[s.id] = chair
        free_at[chair] = t + s.duration
    return chosen


def _assign_chairs(problem: Problem, starts: dict[int, int], allowed, seconds: float, workers: int):
    """Chairs for sessions at fixed times, keeping current chairs where possible; None if impossible."""
    if len({c.kind for c in problem.chairs}) == 1:
        return _assign_greedily(problem, starts, allowed)
    m = cp_model.CpModel()
    choice: dict[int, dict[int, cp_model.IntVar]] = {}
    for s in problem.sessions:
        options = {}
        for c in problem.chairs:
            if c.kind in allowed[s.id] and (not s.fixed or c.id == s.current_chair):
                options[c.id] = m.NewBoolVar(f"a{s.id}_{c.id}")
        if not options:
            return None
        m.AddExactlyOne(options.values())
        choice[s.id] = options
    # Intervals overlap exactly when one contains the other's start: checking at every start suffices.
    for s in problem.sessions:
        t = starts[s.id]
        here = [o for o in problem.sessions if starts[o.id] <= t < starts[o.id] + o.duration]
        if len(here) < 2:
            continue
        for c in problem.chairs:
            lits = [choice[o.id][c.id] for o in here if c.id in choice[o.id]]
            if len(lits) > 1:
                m.AddAtMostOne(lits)
    changes = [
        1 - choice[s.id][s.current_chair] if s.current_chair in choice[s.id] else 1
        for s in problem.sessions
        if s.current_chair is not None
    ]
    m.Minimize(sum(changes))
    solver = solver_for(seconds, workers)
    status = solver.Solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {sid: next(c for c, lit in opts.items() if solver.Value(lit)) for sid, opts in choice.items()}


def greedy(problem: Problem, domains: dict[int, list[int]], nurses: dict[int, int]):
    """A quick level schedule, or None: fixed sessions where they are, then the longest first, each
    at the start whose busiest slot is least loaded (then nearest its current start), on a free chair
    of its kind. It gives the solver a first schedule to improve on a dense day."""
    if problem.links:
        return None
    ppn, spn = problem.patients_per_nurse, problem.starts_per_nurse
    occ = dict.fromkeys(nurses, 0)
    begun = dict.fromkeys(nurses, 0)
    chair_busy = {c.id: set() for c in problem.chairs}
    patient_busy: dict[int, set] = {}
    kinds = {c.id: c.kind for c in problem.chairs}
    starts, chairs = {}, {}
    order = sorted(problem.sessions, key=lambda s: (not s.fixed, -s.duration, s.id))
    for s in order:
        allowed = set(s.chair_kinds) if s.chair_kinds else set(kinds.values())
        busy = patient_busy.setdefault(s.patient, set())
        candidates = []
        for t in domains[s.id]:
            span = range(t, t + s.duration)
            if any(u not in occ or occ[u] + 1 > nurses[u] * ppn or u in busy for u in span):
                continue
            if not s.fixed and begun[t] + 1 > nurses[t] * spn:
                continue
            peak = max(Fraction(occ[u] + 1, nurses[u]) for u in span)
            near = abs(t - s.current_start) if s.current_start is not None else 0
            candidates.append((peak, near, t))
        candidates.sort()
        placed = False
        for _, _, t in candidates:
            span = set(range(t, t + s.duration))
            options = [c for c in chair_busy if kinds[c] in allowed and not chair_busy[c] & span]
            if s.fixed:
                options = [c for c in options if c == s.current_chair]
            if not options:
                continue
            chair = s.current_chair if s.current_chair in options else options[0]
            chair_busy[chair] |= span
            busy |= span
            for u in span:
                occ[u] += 1
            if not s.fixed:
                begun[t] += 1
            starts[s.id], chairs[s.id] = t, chair
            placed = True
            break
        if not placed:
            return None
    return starts, chairs


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress: Progress | None, phase: str, started: float, limit: float):
        super().__init__()
        self.on_progress, self.phase, self.started, self.limit = on_progress, phase, started, limit
        self.last = 0.0

    def on_solution_callback(self):
        now = time.monotonic()
        if self.on_progress and now - self.last > 0.5:
            self.last = now
            self.on_progress(self.phase, min(0.99, (now - self.started) / self.limit))


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    on_progress: Progress | None = None,
) -> Schedule:
    """The most level schedule of `problem` found within `time_limit` seconds.

    Raises Infeasible (naming the rule that cannot be met) when no schedule exists, NoScheduleFound
    when the time ran out before any schedule was found.
    """
    started = time.monotonic()
    deadline = started + time_limit
    for exact in (False, True):
        result = _solve_times(problem, exact, started, deadline, time_limit, workers, on_progress)
        model, starts, record = result
        if exact:
            chairs = record["assign"]
        else:
            left = max(0.5, deadline - time.monotonic())
            chairs = _assign_chairs(problem, starts, model.allowed_kinds, left, workers)
            if chairs is None:
                continue  # no chair assignment for these times: solve again with chairs in the model
        break
    placements = {sid: Placement(starts[sid], chairs[sid]) for sid in starts}
    phases = record["phases"]
    moved = sum(
        1 for s in problem.sessions if s.current_start is not None and starts[s.id] != s.current_start
    )
    distance = sum(
        abs(starts[s.id] - s.current_start) for s in problem.sessions if s.current_start is not None
    )
    misses = sum(
        1
        for s in problem.sessions
        if s.preferred is not None
        and not s.preferred[0] <= starts[s.id] % problem.slots_per_day <= s.preferred[1]
    )
    if on_progress:
        on_progress("done", 1.0)
    return Schedule(
        placements=placements,
        peak_load=Fraction(record["load"], model.scale),
        peak_load_bound=Fraction(record["load_bound"], model.scale),
        peak_chairs=record["chairs"],
        moves=moved,
        moved_slots=distance,
        preference_misses=misses,
        optimal=all(ph["optimal"] for ph in phases),
        peak_optimal=phases[0]["optimal"],
        seconds=time.monotonic() - started,
        phases=[{k: v for k, v in ph.items()} for ph in phases],
    )


def _values(problem: Problem, model: "_Model", starts: dict[int, int]) -> dict[str, int]:
    """The phase objectives of a schedule, computed directly (for a schedule the solver did not find)."""
    occ = dict.fromkeys(model.nurses, 0)
    for s in problem.sessions:
        for t in range(starts[s.id], starts[s.id] + s.duration):
            if t in occ:
                occ[t] += 1
    load = max((-(-model.scale * o // n) for t, o in occ.items() if (n := model.nurses[t])), default=0)
    moved = [s for s in problem.sessions if s.current_start is not None and starts[s.id] != s.current_start]
    distance = sum(abs(starts[s.id] - s.current_start) for s in moved)
    misses = sum(
        1
        for s in problem.sessions
        if s.preferred is not None
        and not s.preferred[0] <= starts[s.id] % problem.slots_per_day <= s.preferred[1]
    )
    values = {
        "peak_load": load,
        "peak_chairs": max(occ.values(), default=0),
        "moves": len(moved) * (model.max_distance + 1) + distance,
        "preferences": misses,
    }
    values["then"] = sum(model.weights[k] * values[k] for k in model.weights)
    return values


def _solve_times(problem, exact, started, deadline, time_limit, workers, on_progress):
    model = _Model(problem, exact_chairs=exact)
    first = greedy(problem, model.domains, model.nurses)
    current = {s.id: s.current_start for s in problem.sessions if s.current_start is not None}
    if first is not None:
        model.hint(first[0])
    elif len(current) == len(problem.sessions) and all(current[sid] in model.x[sid] for sid in current):
        model.hint(current)
    phases = []
    record: dict = {"phases": phases, "assign": first[1] if first and exact else None}
    starts = None
    objectives = [("peak_load", model.load), ("then", model.then_expr)]
    share_used = 0.0
    for name, objective in objectives:
        share_used += PHASE_SHARE[name]
        budget = max(0.2, started + time_limit * share_used - time.monotonic())
        budget = min(budget, max(0.2, deadline - time.monotonic()))
        model.m.Minimize(objective)
        solver = solver_for(budget, workers)
        if on_progress:
            on_progress(name, min(0.99, (time.monotonic() - started) / time_limit))
        status = solver.Solve(model.m, _Reporter(on_progress, name, started, time_limit))
        if status == cp_model.INFEASIBLE:
            if starts is None and first is None:
                raise _diagnose(problem, max(1.0, deadline - time.monotonic()), workers)
            break  # cannot happen (a schedule is known), but never lose the schedule
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if found:
            starts = model.starts(solver)
            value = round(solver.ObjectiveValue())
            if exact:
                record["assign"] = {
                    sid: next(c for c, lit in opts.items() if solver.Value(lit))
                    for sid, opts in model.assign.items()
                }
        elif starts is None and first is not None:
            starts = first[0]  # the solver ran out of time; the greedy schedule stands
            value = _values(problem, model, starts)[name]
        elif starts is None:
            raise NoScheduleFound(
                f"No schedule was found within {time_limit:g} seconds; try a longer time limit."
            )
        else:
            break
        bound = math.ceil(solver.BestObjectiveBound() - 1e-6) if found or name == "peak_load" else value
        phases.append(
            {
                "phase": name,
                "value": value,
                "bound": min(bound, value),
                "optimal": status == cp_model.OPTIMAL,
                "seconds": round(solver.WallTime(), 3),
            }
        )
        # Keep what this phase reached, and start the next from its schedule.
        model.m.Add(objective <= value)
        model.hint(starts)
    values = _values(problem, model, starts)
    record["load"] = values["peak_load"]
    record["load_bound"] = phases[0]["bound"] if phases else 0
    record["chairs"] = values["peak_chairs"]
    return model, starts, record
