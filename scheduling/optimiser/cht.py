"""CHT-I, a public benchmark of outpatient chemotherapy scheduling, solved with the optimiser's solver.

An instance (JSON, as the dataset publishes it) has `param` (days, time slots per day, sectors, the
nurses' multitasking factor, seats, consultation and installation lengths, and nurses, doctors per
sector and pharmacy opening per day and slot; day 0 of the arrays is unused) and `demands`: per
patient a chain of appointments (`rdvDemands`), each with its rest days after the previous one.

Model (CP-SAT, one time axis `day * numTimeSlots + slot`): per patient the day of its first
appointment; per appointment intervals for consultation (if needed), installation, same-day mixing (if
the drug must be prepared that day) and monitoring, in that order, each inside its day. Resources:
doctors of the sector, nurses (an installation takes a whole nurse, a monitored patient 1/multitasks of
one) and the pharmacy vary by slot, modelled as cumulatives whose unavailable capacity is held by fixed
blocking intervals; seats are a cumulative from installation start to monitoring end. Objective: the
sum over appointments of `day * numTimeSlots + slot where monitoring ends`.
"""

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduling.optimiser.engine import solver_for
from scheduling.optimiser.problem import Infeasible, NoScheduleFound


@dataclass
class ChtResult:
    solution: dict
    objective: int
    bound: int
    optimal: bool
    seconds: float

    @property
    def gap(self) -> float:
        return (self.objective - self.bound) / self.objective if self.objective else 0.0


def _blockers(model, capacity_of, top: int, days: int, slots: int, name: str):
    """Fixed intervals that hold the capacity missing at each slot (runs of equal shortfall merged)."""
    intervals, demands = [], []
    for day in range(1, days + 1):
        h = 0
        while h < slots:
            missing = top - capacity_of(day, h)
            end = h + 1
            while end < slots and top - capacity_of(day, end) == missing:
                end += 1
            if missing > 0:
                start = day * slots + h
                intervals.append(model.NewFixedSizeIntervalVar(start, end - h, f"{name}_{day}_{h}"))
                demands.append(missing)
            h = end
    return intervals, demands


def solve_cht(instance: dict, *, time_limit: float = 30.0, workers: int = 8) -> ChtResult:
    """Solve a CHT-I instance; the solution is the JSON-ready dict `optimise_cht` writes.

    Eight workers even on two cores: with two, CP-SAT runs only its default search and one LNS, and the
    proven bound of w30 stalled at 2.5% below the best schedule in 30 s; with eight, its portfolio adds
    the core-based and LP-heavy bound workers, and every instance ends within 1% (figures in the
    README's optimiser section, from bench/optimiser_bench.py). The workers share the two cores.

    Raises Infeasible when a patient's chain of appointments does not fit the horizon or the model has
    no solution, NoScheduleFound when the time ran out before any schedule.
    """
    started = time.monotonic()
    param, demands = instance["param"], instance["demands"]
    days, slots = param["days"], param["numTimeSlots"]
    multitasks, seats = param["multitasks"], param["numMaterials"]
    consult_len, install_len = param["consultationLength"], param["installationLength"]
    nurses, pharmacy = param["nurses"], param["pharmacy"]
    doctors = {int(k): v for k, v in param["doctors"].items()}
    m = cp_model.CpModel()

    def within_day(day_var, start, length, label):
        m.Add(start >= day_var * slots)
        m.Add(start + length <= day_var * slots + slots)

    def op_start(label, allowed_slot=None, length=0):
        values = [
            d * slots + h
            for d in range(1, days + 1)
            for h in range(0, slots - length + 1)
            if allowed_slot is None or allowed_slot(d, h)
        ]
        return m.NewIntVarFromDomain(cp_model.Domain.FromValues(values), label)

    nurse_intervals, nurse_demands = [], []
    seat_intervals = []
    doctor_intervals: dict[int, list] = {s: [] for s in doctors}
    ends = []
    appointments = []
    for p, patient in enumerate(demands):
        chain = patient["rdvDemands"]
        offsets, total = [], 0
        for k, rdv in enumerate(chain):
            total += rdv["afterLastRequest"] if k else 0
            offsets.append(total)
        if total + 1 > days:
            raise Infeasible(
                "rest_days", f"Patient {p}'s appointments span {total + 1} days; the horizon has {days}."
            )
        first = m.NewIntVar(1, days - total, f"first{p}")
        for k, rdv in enumerate(chain):
            tag = f"{p}_{k}"
            day = m.NewIntVar(1 + offsets[k], days - total + offsets[k], f"day{tag}")
            m.Add(day == first + offsets[k])
            ready = None
            consult = None
            if rdv["needingConsultation"]:
                sector = rdv["sectorId"]
                c = op_start(f"c{tag}", length=consult_len)
                within_day(day, c, consult_len, tag)
                doctor_intervals.setdefault(sector, []).append(
                    m.NewFixedSizeIntervalVar(c, consult_len, f"ci{tag}")
                )
                consult = c
                ready = c + consult_len
            b = op_start(f"b{tag}", length=install_len)
            within_day(day, b, install_len, tag)
            if ready is not None:
                m.Add(b >= ready)
            nurse_intervals.append(m.NewFixedSizeIntervalVar(b, install_len, f"bi{tag}"))
            nurse_demands.append(multitasks)
            treat = rdv["treatmentDuration"]
            o = op_start(f"o{tag}", length=treat)
            within_day(day, o, treat, tag)
            m.Add(o >= b + install_len)
            mix = None
            if rdv["medPreparedSameDay"]:
                prep = rdv["medPrepDuration"]

                def open_for(d, h, prep=prep):
                    return all(pharmacy[d][u] for u in range(h, h + prep))

                mix = op_start(f"m{tag}", allowed_slot=open_for, length=prep)
                within_day(day, mix, prep, tag)
                if ready is not None:
                    m.Add(mix >= ready)
                m.Add(mix + prep <= o)
            if treat:
                nurse_intervals.append(m.NewFixedSizeIntervalVar(o, treat, f"oi{tag}"))
                nurse_demands.append(1)
            seat_size = m.NewIntVar(install_len + treat, slots, f"ss{tag}")
            seat_intervals.append(m.NewIntervalVar(b, seat_size, o + treat, f"seat{tag}"))
            ends.append(o + treat)
            appointments.append((p, k, day, consult, b, mix, o, treat))
    if not appointments:
        raise Infeasible("demands", "The instance has no appointments.")

    top_nurses = max(max(row[:slots]) for row in nurses[1 : days + 1])
    blocks, block_demands = _blockers(m, lambda d, h: nurses[d][h], top_nurses, days, slots, "nb")
    m.AddCumulative(
        nurse_intervals + blocks,
        nurse_demands + [multitasks * x for x in block_demands],
        multitasks * top_nurses,
    )
    for sector, intervals in doctor_intervals.items():
        if not intervals:
            continue
        table = doctors[sector]
        top = max(max(row[:slots]) for row in table[1 : days + 1])
        blocks, block_demands = _blockers(m, lambda d, h, t=table: t[d][h], top, days, slots, f"db{sector}")
        m.AddCumulative(intervals + blocks, [1] * len(intervals) + block_demands, top)
    m.AddCumulative(seat_intervals, [1] * len(seat_intervals), seats)
    m.Minimize(sum(ends))

    solver = solver_for(max(0.1, time_limit - (time.monotonic() - started)), workers)
    status = solver.Solve(m)
    if status == cp_model.INFEASIBLE:
        raise Infeasible(
            "resources", "No schedule exists for this instance with its nurses, doctors and seats."
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise NoScheduleFound(f"No schedule was found within {time_limit:g} seconds.")

    rows = []
    seat_free: list[int] = []  # per seat, the global time it is free again
    order = sorted(appointments, key=lambda a: (solver.Value(a[4]), a[0], a[1]))
    seat_of = {}
    for p, k, _day, _c, b, _mix, o, treat in order:
        start, end = solver.Value(b), solver.Value(o) + treat
        seat = next((i for i, free in enumerate(seat_free) if free <= start), None)
        if seat is None:
            seat = len(seat_free)
            seat_free.append(end)
        else:
            seat_free[seat] = end
        seat_of[(p, k)] = seat
    for p, k, day, c, b, mix, o, _treat in appointments:
        d = solver.Value(day)
        rows.append(
            {
                "patient": p,
                "appointment": k,
                "day": d,
                "consultation": solver.Value(c) - d * slots if c is not None else None,
                "installation": solver.Value(b) - d * slots,
                "mixing": {"day": d, "slot": solver.Value(mix) - d * slots} if mix is not None else None,
                "monitoring": solver.Value(o) - d * slots,
                "seat": seat_of[(p, k)],
            }
        )
    objective = round(solver.ObjectiveValue())
    bound = round(solver.BestObjectiveBound())
    return ChtResult(
        solution={"appointments": rows, "objective": objective, "bound": bound},
        objective=objective,
        bound=bound,
        optimal=status == cp_model.OPTIMAL,
        seconds=time.monotonic() - started,
    )
