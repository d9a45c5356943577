"""`python manage.py optimise_cht INSTANCE.json --time-limit SECONDS --out SOLUTION.json`: solve a CHT-I
benchmark instance with the optimiser's solver and write the solution (see scheduling.optimiser.cht)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scheduling.optimiser import Infeasible, NoScheduleFound
from scheduling.optimiser.cht import solve_cht


class Command(BaseCommand):
    help = "Solve a CHT-I chemotherapy-scheduling instance and write the solution as JSON."

    def add_arguments(self, parser):
        parser.add_argument("instance", type=Path, help="The instance file (CHT-I JSON).")
        parser.add_argument("--time-limit", type=float, default=30.0, help="Seconds the solver may use.")
        parser.add_argument("--out", type=Path, required=True, help="Where to write the solution.")
        parser.add_argument("--workers", type=int, default=8, help="Solver threads (they share the cores).")

    def handle(self, *args, instance: Path, time_limit: float, out: Path, workers: int, **options):
        if time_limit <= 0:
            raise CommandError("--time-limit must be a positive number of seconds.")
        try:
            data = json.loads(instance.read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {instance.name}: {exc}") from exc
        if not isinstance(data, dict) or "param" not in data or "demands" not in data:
            raise CommandError(f"{instance.name} is not a CHT-I instance (it needs 'param' and 'demands').")
        try:
            result = solve_cht(data, time_limit=time_limit, workers=workers)
        except KeyError as exc:
            raise CommandError(f"{instance.name} lacks the field {exc}.") from exc
        except (Infeasible, NoScheduleFound) as exc:
            raise CommandError(str(exc)) from exc
        out.write_text(json.dumps(result.solution, indent=1) + "\n")
        state = "optimal" if result.optimal else f"gap {100 * result.gap:.2f}%"
        self.stdout.write(
            f"{instance.name}: objective {result.objective}, bound {result.bound} ({state}), "
            f"{result.seconds:.1f} s; wrote {out}"
        )
