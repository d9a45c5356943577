"""Patient API figures: requests per second, median and p95 latency, queries per request.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/patients_api_bench.py [--patients N] [--calls N]

Without the URLs: `.venv/bin/python -m config.devservers -- .venv/bin/python bench/patients_api_bench.py`.
Builds a scratch test database, fills it, calls the API in-process through Django's test client (no
network, so the figures are the application's own cost), prints the figures and drops the database.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django

django.setup()

from django.conf import settings

# Test settings close the connection after each request; a deployed web process keeps it
# (DJANGO_CONN_MAX_AGE, default 60), and that is what is measured here.
settings.DATABASES["default"]["CONN_MAX_AGE"] = 60

from benchlib import QueryCounter
from django.contrib.auth.models import Group, User
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from patients.models import Diagnosis, LabResult, Measurement, Patient, RiskFlag


def fill(count: int) -> None:
    now = timezone.now()
    patients = Patient.objects.bulk_create(
        Patient(
            mrn=f"B{n:07d}",
            given_name=f"Given{n}",
            family_name=f"Family{n % 997}",
            date_of_birth=date(1940, 1, 1) + timedelta(days=n % 20000),
            sex="female" if n % 2 else "male",
            phone=f"+1555{n:07d}",
        )
        for n in range(count)
    )
    Measurement.objects.bulk_create(
        Measurement(patient=p, kind="weight", value=Decimal(60 + i % 40), measured_at=now - timedelta(days=d))
        for i, p in enumerate(patients)
        for d in (3, 40, 90)
    )
    LabResult.objects.bulk_create(
        LabResult(
            patient=p,
            test="egfr",
            value=Decimal(90),
            unit="mL/min/{1.73_m2}",
            collected_at=now - timedelta(days=d),
        )
        for p in patients
        for d in (5, 60)
    )
    Diagnosis.objects.bulk_create(Diagnosis(patient=p, code="G61.81", description="CIDP") for p in patients)
    RiskFlag.objects.bulk_create(RiskFlag(patient=p, kind="diabetes") for p in patients[::3])


def measure(client: Client, path: str, calls: int, verbose: bool = False) -> dict:
    client.get(path)  # warm caches
    timings = []
    with QueryCounter() as counter:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    if verbose:
        for ms, sql in sorted(counter.sql_ms, reverse=True)[:5]:
            print(f"    {ms:7.2f} ms  {sql}")
    started = time.perf_counter()
    for _ in range(calls):
        t0 = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    timings.sort()
    return {
        "path": path,
        "rps": calls / elapsed,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "queries": counter.count,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--verbose", action="store_true", help="show the slowest statements of each endpoint")
    args = parser.parse_args()

    old = setup_databases(verbosity=0, interactive=False)
    try:
        fill(args.patients)
        user = User.objects.create_user("bench", is_staff=True)
        user.groups.add(Group.objects.get(name="scheduler"))
        client = Client()
        client.force_login(user)
        some = Patient.objects.order_by("pk")[args.patients // 2]
        print(f"{args.patients} patients, {args.calls} calls per endpoint, in-process (no network)")
        print(f"{'endpoint':58} {'req/s':>7} {'median':>8} {'p95':>8} {'queries':>7}")
        for path in (
            "/api/v1/patients/?page_size=25",
            "/api/v1/patients/?page_size=100",
            "/api/v1/patients/?search=Family42&page_size=25",
            f"/api/v1/patients/{some.pk}/",
        ):
            r = measure(client, path, args.calls, args.verbose)
            figures = f"{r['rps']:7.0f} {r['median_ms']:6.1f}ms {r['p95_ms']:6.1f}ms {r['queries']:7d}"
            print(f"{r['path']:58} {figures}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
