"""Each report's median time and query count on a network's year, for 1 month, 3 months and a year, at
1 site and at 10: the figures the Reports section is held to (median under 300 ms, the same queries
whatever the range).

    DATABASE_URL=postgres://.../clinic_network REDIS_URL=... .venv/bin/python bench/fill_network.py
    DATABASE_URL=postgres://.../clinic_network REDIS_URL=... .venv/bin/python bench/reports_bench.py

It migrates the database (nothing to do after the fill), then calls each registered report's `compute`
(the SQL and the rows the API, the pages and the CSV all start from) `--runs` times per case after one
warm-up call, and prints the median and the slowest run in ms and the statements run. `--report safety`
measures one (repeat it for more), `--runs 7` the runs; BENCH_SHOW_SQL=1 lists each statement with its time.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from benchlib import QueryCounter
from django.core.management import call_command

from reports.params import ReportParams
from reports.registry import all_reports
from scheduling.models import Site

END = date(2026, 11, 30)
RANGES = {"1 month": date(2026, 11, 1), "3 months": date(2026, 9, 1), "1 year": date(2025, 12, 1)}
TARGET_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--report", action="append", help="a report's slug (repeat); all when left out")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    sites = tuple(Site.objects.order_by("pk"))
    if len(sites) < 10:
        sys.exit("Fill the network first: bench/fill_network.py")
    print(f"{'report':<16}{'sites':>6}  {'range':<10}{'median ms':>10}{'max ms':>8}{'queries':>9}")
    slow = []
    for report in all_reports():
        if args.report and report.slug not in args.report:
            continue
        counts = set()
        for chosen in (sites[:1], sites[:10]):
            for name, start in RANGES.items():
                params = ReportParams(sites=chosen, start=start, end=END)
                report.compute(params)  # warm: plans, caches, the pages PostgreSQL reads
                times = []
                for _ in range(args.runs):
                    with QueryCounter() as counter:
                        t0 = time.perf_counter()
                        report.compute(params)
                        times.append((time.perf_counter() - t0) * 1000)
                    counts.add(counter.count)
                median = statistics.median(times)
                if median >= TARGET_MS:
                    slow.append(f"{report.slug} {len(chosen)} sites {name}")
                print(
                    f"{report.slug:<16}{len(chosen):>6}  {name:<10}{median:>10.1f}{max(times):>8.1f}"
                    f"{counter.count:>9}"
                )
        if len(counts) != 1:
            slow.append(f"{report.slug}: query count varies {sorted(counts)}")
    print("all medians under 300 ms, query counts fixed" if not slow else "over target: " + "; ".join(slow))


if __name__ == "__main__":
    main()
