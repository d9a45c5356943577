"""Preview endpoint figures: median and p95 latency and queries per call of POST /api/v1/orders/preview/.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/preview_bench.py [--calls N]

Without the URLs: `.venv/bin/python -m config.devservers -- .venv/bin/python bench/preview_bench.py`.
Builds a scratch test database, seeds one patient (the DOMAIN worked example: 70 kg, CIDP, 1 g/kg of a
10% product with the 0.5 -> 1 -> 2 -> 4 -> 5.4 mL/kg/h protocol), calls the preview in-process through
Django's test client as a logged-in scheduler (no network, so the figures are the application's own
cost), prints the figures and drops the database. The target is a median under 20 ms.
"""

import argparse
import json
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

# Test settings close the connection after each request (CONN_MAX_AGE=0); a deployed web process keeps
# it (DJANGO_CONN_MAX_AGE, default 60). --conn-max-age chooses which one is measured.
_conn_arg = next((a for a in sys.argv if a.startswith("--conn-max-age=")), "--conn-max-age=60")
settings.DATABASES["default"]["CONN_MAX_AGE"] = int(_conn_arg.split("=", 1)[1])

from benchlib import QueryCounter
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from demo.infusions import STANDARD, seed_infusions
from infusions.models import Product, TitrationProtocol
from patients.models import Diagnosis, LabResult, Measurement, Patient, RiskFlag


def fill() -> dict:
    """Return the preview body for a 70 kg CIDP patient (plus an at-risk one, so the capped path runs too)."""
    seed_infusions()
    now = timezone.now()
    bodies = []
    for mrn, flag in (("BENCH-1", None), ("BENCH-2", "diabetes")):
        patient = Patient.objects.create(
            mrn=mrn, given_name="Bench", family_name=mrn, date_of_birth=date(1970, 1, 1), sex="female"
        )
        Measurement.objects.create(
            patient=patient, kind="weight", value=Decimal(70), measured_at=now - timedelta(days=2)
        )
        Measurement.objects.create(
            patient=patient, kind="height", value=Decimal(165), measured_at=now - timedelta(days=90)
        )
        LabResult.objects.create(
            patient=patient,
            test="egfr",
            value=Decimal(90),
            unit="mL/min/{1.73_m2}",
            collected_at=now - timedelta(days=3),
        )
        if flag:
            RiskFlag.objects.create(patient=patient, kind=flag)
        cidp = Diagnosis.objects.create(patient=patient, code="G61.81", description="CIDP")
        bodies.append(
            {
                "patient": patient.pk,
                "indication": cidp.pk,
                "product": Product.objects.get(brand="Gammagard Liquid").pk,
                "protocol": TitrationProtocol.objects.get(name=STANDARD).pk,
                "dose_grams_per_kg": "1",
                "weight_policy": "actual",
            }
        )
    return bodies


def measure(client: Client, body: dict | None, calls: int, path: str = "/api/v1/orders/preview/") -> dict:
    payload = json.dumps(body)
    if body is None:  # the floor: a GET through the same login, permissions and middleware
        post = lambda: client.get(path)  # noqa: E731
    else:
        post = lambda: client.post(path, payload, content_type="application/json")  # noqa: E731
    response = post()  # warm caches
    assert response.status_code == 200, response.content[:300]
    with QueryCounter() as counter:
        post()
    if os.environ.get("BENCH_VERBOSE"):
        for ms, sql in counter.sql_ms:
            print(f"    {ms:6.2f} ms  {sql}")
    timings = []
    for _ in range(calls):
        t0 = time.perf_counter()
        post()
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "queries": counter.count,
        "chair_minutes": response.json()["plan"]["chair_minutes"] if body else 0,
    }


def round_trip_ms() -> float:
    """The database's own latency, so figures from a busy machine can be read against it."""
    timings = []
    with connection.cursor() as cursor:
        for _ in range(500):
            t0 = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument(
        "--conn-max-age", type=int, default=60, help="seconds a connection is kept (0: a new one per call)"
    )
    args = parser.parse_args()

    old = setup_databases(verbosity=0, interactive=False)
    try:
        bodies = fill()
        user = User.objects.create_user("bench", is_staff=True)
        user.groups.add(Group.objects.get(name="scheduler"))
        client = Client()
        client.force_login(user)
        print(
            f"POST /api/v1/orders/preview/, {args.calls} calls each, in-process (no network), scheduler, "
            f"CONN_MAX_AGE={args.conn_max_age}"
        )
        print(f"environment: one 'SELECT 1' round trip takes {round_trip_ms():.2f} ms (median of 500)")
        print(f"{'case':34} {'median':>8} {'p95':>8} {'queries':>7} {'chair':>6}")
        cases = [
            ("worked example (70 kg, 1 g/kg)", bodies[0], "/api/v1/orders/preview/"),
            ("at-risk patient (capped protocol)", bodies[1], "/api/v1/orders/preview/"),
            ("floor: GET /api/v1/products/{id}/", None, f"/api/v1/products/{bodies[0]['product']}/"),
        ]
        for name, body, path in cases:
            r = measure(client, body, args.calls, path)
            print(
                f"{name:34} {r['median_ms']:6.2f}ms {r['p95_ms']:6.2f}ms "
                f"{r['queries']:7d} {r['chair_minutes'] or '':>6}"
            )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
