"""A FHIR search page of 50 against the existing REST list of the same rows, side by side in one run.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/fhir_bench.py [--patients N] [--rounds N]

Without the URLs: `.venv/bin/python -m config.devservers -- .venv/bin/python bench/fhir_bench.py`.
Like bench/patients_api_bench.py: a scratch test database (DATABASE_URL's name with `test_` before it),
filled with patients, coverages and a site of 30 chairs with 90 days of bookings; then, in-process
through Django's test client (no network: the application's own cost), interleaved rounds of each pair,
FHIR first in odd rounds and REST first in even ones so neither always runs on warmer caches. Prints
each endpoint's median and p95 over every call, its queries per request, and the ratio FHIR / REST;
the last line is one JSON object of the medians. Each pair reads the first page of 50 of the same
table for the same manager: REST in its own default order with its page count, FHIR by id (keyset).
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django

django.setup()

from django.conf import settings

# Test settings close the connection after each request; a deployed web process keeps it.
settings.DATABASES["default"]["CONN_MAX_AGE"] = 60

from benchlib import QueryCounter
from django.contrib.auth.models import Group, User
from django.test import Client
from django.test.utils import setup_databases, teardown_databases

from insurance.models import Coverage, Payer
from patients.models import Patient
from scheduling.models import Booking, Chair, Site

PAIRS = [
    ("Appointment", "/fhir/R4/Appointment?_count=50", "/api/v1/bookings/?page_size=50"),
    ("Patient", "/fhir/R4/Patient?_count=50", "/api/v1/patients/?page_size=50"),
]


def fill(patients: int, days: int) -> None:
    people = Patient.objects.bulk_create(
        Patient(
            mrn=f"F{n:07d}",
            given_name=f"Given{n}",
            family_name=f"Family{n % 997}",
            date_of_birth=date(1940, 1, 1) + timedelta(days=n % 20000),
            sex="female" if n % 2 else "male",
        )
        for n in range(patients)
    )
    payer = Payer.objects.create(name="Bench Health", code="bench-health")
    Coverage.objects.bulk_create(
        Coverage(patient=p, payer=payer, member_id=f"M{p.pk}", valid_from=date(2026, 1, 1)) for p in people
    )
    site = Site.objects.create(
        name="Bench Infusion Center", time_zone="America/New_York", address="1 Bench St"
    )
    chairs = Chair.objects.bulk_create(Chair(site=site, name=f"C{n:02d}") for n in range(30))
    first = datetime(2026, 1, 5, 13, 0, tzinfo=UTC)  # 08:00 New York
    bookings, n = [], 0
    for day in range(days):
        for chair in chairs:
            for start_hours in (0, 4.5):
                start = first + timedelta(days=day, hours=start_hours)
                patient = people[n % len(people)]
                n += 1
                bookings.append(
                    Booking(
                        site=site, chair=chair, patient=patient, start=start, end=start + timedelta(hours=4)
                    )
                )
    Booking.objects.bulk_create(bookings, batch_size=2000)


def timed(client: Client, path: str) -> float:
    t0 = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, response.content[:300]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--calls", type=int, default=40, help="calls per endpoint per round")
    args = parser.parse_args()

    old = setup_databases(verbosity=0, interactive=False)
    try:
        fill(args.patients, args.days)
        user = User.objects.create_user("bench", is_staff=True)
        user.groups.add(Group.objects.get(name="clinic_manager"))
        client = Client()
        client.force_login(user)
        endpoints = [path for _, fhir, rest in PAIRS for path in (fhir, rest)]
        queries = {}
        for path in endpoints:
            client.get(path)  # warm caches
            with QueryCounter() as counter:
                client.get(path)
            queries[path] = counter.count
        timings: dict[str, list[float]] = {path: [] for path in endpoints}
        for round_number in range(args.rounds):
            for _, fhir, rest in PAIRS:
                order = (fhir, rest) if round_number % 2 == 0 else (rest, fhir)
                for _ in range(args.calls):
                    for path in order:
                        timings[path].append(timed(client, path))
        print(
            f"{Booking.objects.count()} bookings, {args.patients} patients; {args.rounds} rounds x "
            f"{args.calls} calls per endpoint, interleaved, in-process (no network)"
        )
        print(f"{'endpoint':44} {'median':>8} {'p95':>8} {'queries':>7} {'FHIR/REST':>9}")
        medians = {}
        for _, fhir, rest in PAIRS:
            for path in (fhir, rest):
                values = sorted(timings[path])
                medians[path] = statistics.median(values)
                p95 = values[int(len(values) * 0.95) - 1]
                ratio = f"{medians[fhir] / statistics.median(timings[rest]):9.2f}" if path == fhir else ""
                print(f"{path:44} {medians[path]:6.1f}ms {p95:6.1f}ms {queries[path]:7d} {ratio}")
        print(json.dumps({path: round(ms, 2) for path, ms in medians.items()}))
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
