"""Optimiser figures: the synthetic peaked site-days and the CHT-I benchmark instances.

    .venv/bin/python bench/optimiser_bench.py [--cht-dir tests/fixtures/cht-i] [--cht-limit 30] [--skip-cht]

No database needed: the optimiser is pure. Prints, for the synthetic 30-chair/60-session day (5 s) and
120-chair/240-session day (30 s), the peak nurse load before and after (patients per nurse), its proven
lower bound, the peak chairs and the moves; then for each CHT-I instance the objective, the proven
bound, the gap, the time and whether the independent checker of the tests finds it feasible.
Figures depend on the machine (this one: 2 cores shared; the site-day solver uses 2 workers, CHT-I 8).
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduling.optimiser import curves, solve
from scheduling.optimiser.cht import solve_cht
from scheduling.optimiser.synthetic import peaked_day
from tests.scheduling.test_optimiser_cht import check_cht_solution


def synthetic(chairs: int, sessions: int, limit: float) -> None:
    problem = peaked_day(chairs=chairs, sessions=sessions)
    before = curves(problem, {s.id: s.current_start for s in problem.sessions})
    schedule = solve(problem, time_limit=limit)
    gap = schedule.peak_load - schedule.peak_load_bound
    print(
        f"synthetic {chairs} chairs / {sessions} sessions, {limit:g} s: peak nurse load "
        f"{float(before.peak_load):.2f} -> {float(schedule.peak_load):.2f} patients per nurse "
        f"(bound {float(schedule.peak_load_bound):.2f}, gap {float(gap):.2f}, "
        f"{'proven optimal' if schedule.peak_optimal else 'not proven'}); peak chairs "
        f"{before.peak_occupancy} -> {schedule.peak_chairs}; {schedule.moves} moves "
        f"({schedule.moved_slots} slots); {schedule.seconds:.1f} s"
    )


def cht(directory: Path, limit: float) -> None:
    print(f"{'instance':10} {'objective':>9} {'bound':>7} {'gap %':>6} {'time s':>6}  optimal  checker")
    for path in sorted(directory.glob("*.json")):
        instance = json.loads(path.read_text())
        result = solve_cht(instance, time_limit=limit)
        problems = check_cht_solution(instance, result.solution)
        verdict = "feasible" if not problems else f"INFEASIBLE ({problems[0]})"
        print(
            f"{path.stem:10} {result.objective:>9} {result.bound:>7} {100 * result.gap:>6.2f} "
            f"{result.seconds:>6.1f}  {'yes' if result.optimal else 'no ':7}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cht-dir", type=Path, default=ROOT / "tests" / "fixtures" / "cht-i")
    parser.add_argument("--cht-limit", type=float, default=30.0)
    parser.add_argument("--skip-cht", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    if not args.skip_synthetic:
        synthetic(30, 60, 5)
        synthetic(120, 240, 30)
    if not args.skip_cht:
        cht(args.cht_dir, args.cht_limit)


if __name__ == "__main__":
    main()
