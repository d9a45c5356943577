"""Chairside figures: how long a nurse waits for a vitals set to be saved, and for her pages.

    DATABASE_URL=.../clinic_chair_bench REDIS_URL=... .venv/bin/python bench/chairside_bench.py [--calls 200]

Without the URLs: `.venv/bin/python -m config.devservers -- .venv/bin/python bench/chairside_bench.py`.
Builds a scratch test database with one site of 12 chairs, each with a patient in it today (the
worked-example order: 70 kg, 1 g/kg, 700 mL), checked in, baseline taken and running. Then calls the
API in-process through Django's test client (no network), logged in as a nurse: POST a vitals set
(a new one each call, rotating over the 12 sessions, so each session's chart grows), POST a replay of
an earlier set (same client id), GET the session, GET the board and the summary page. Prints median,
p95 and queries per call; drops the database.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django

django.setup()

from benchlib import QueryCounter
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from charting import services as services_chairside
from infusions import services
from infusions.models import CycleDay, LabelRate, Product, ProtocolStep, TitrationProtocol
from patients.models import Diagnosis, LabResult, Measurement, Patient
from scheduling.models import Booking, Chair, Site, SiteMembership

CHAIRS = 12
VITALS = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98, "temperature_c": "36.7"}


def fill(nurse) -> list:
    site = Site.objects.create(
        name="Bench Infusion Center", time_zone="America/New_York", address="1 Bench Rd"
    )
    SiteMembership.objects.create(site=site, user=nurse)
    product = Product.objects.create(
        brand="Gammagard Liquid",
        manufacturer="Takeda",
        concentration_percent=D("10"),
        vial_sizes_g=[D(v) for v in ("1", "2.5", "5", "10", "20", "30")],
        hcpcs_code="J1569",
    )
    LabelRate.objects.create(product=product, indication_prefix="", max_rate=D("5.4"), unit="ml_kg_h")
    protocol = TitrationProtocol.objects.create(name="Standard")
    for position, (rate, minutes) in enumerate(
        (("0.5", 30), ("1", 30), ("2", 30), ("4", 30), ("5.4", None)), start=1
    ):
        ProtocolStep.objects.create(
            protocol=protocol, position=position, rate_ml_per_kg_h=D(rate), minutes=minutes
        )
    now = timezone.now()
    sessions = []
    for n in range(CHAIRS):
        chair = Chair.objects.create(site=site, name=f"C{n:02d}")
        patient = Patient.objects.create(
            mrn=f"BP{n:06d}",
            given_name=f"Given{n}",
            family_name=f"Family{n}",
            date_of_birth=date(1970, 1, 1),
            sex="male",
            phone=f"+1555{n:07d}",
        )
        Measurement.objects.create(
            patient=patient, kind="weight", value=D("70"), measured_at=now - timedelta(days=2)
        )
        LabResult.objects.create(
            patient=patient,
            test="egfr",
            value=D("90"),
            unit="mL/min/{1.73_m2}",
            collected_at=now - timedelta(days=2),
        )
        diagnosis = Diagnosis.objects.create(patient=patient, code="G61.81", description="CIDP")
        order = services.order_create(
            patient=patient,
            indication=diagnosis,
            product=product,
            protocol=protocol,
            dose_grams_per_kg=D("1"),
            weight_policy="actual",
            interval_days=21,
            prescriber="Dr. Bench",
            start_date=now.date(),
        )
        booking = Booking.objects.create(
            site=site,
            chair=chair,
            patient=patient,
            start=now - timedelta(minutes=30),
            end=now + timedelta(hours=4),
        )
        CycleDay.objects.create(order=order, cycle=1, day=1, booking=booking)
        session, _ = services_chairside.session_check_in(
            booking=booking, by=nurse, client_id=uuid.uuid4(), at=now - timedelta(minutes=20)
        )
        services_chairside.checklist_record(
            session=session,
            by=nurse,
            client_id=uuid.uuid4(),
            identity_confirmed=True,
            weight_kg=D("70"),
            hydration="oral",
            egfr_reviewed=True,
            checks_acknowledged=True,
        )
        services_chairside.vitals_record(
            session=session,
            by=nurse,
            client_id=uuid.uuid4(),
            taken_at=now - timedelta(minutes=15),
            **(VITALS | {"temperature_c": D("36.7")}),
        )
        services_chairside.session_start(
            session=session, by=nurse, client_id=uuid.uuid4(), at=now - timedelta(minutes=10)
        )
        sessions.append(session)
    return sessions


def timed(calls):
    timings = []
    for call in calls:
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()

    old = setup_databases(verbosity=0, interactive=False)
    try:
        nurse = User.objects.create_user("bench_nurse")
        nurse.groups.add(Group.objects.get(name="nurse"))
        sessions = fill(nurse)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = Client()
        client.force_login(nurse)
        print(f"{CHAIRS} sessions running today, {args.calls} calls each; in-process (no network)")
        print(f"{'call':52} {'median':>8} {'p95':>8} {'queries':>7}")

        def vitals_body():
            return {"client_id": str(uuid.uuid4()), "taken_at": timezone.now().isoformat(), **VITALS}

        counter = iter(range(10**9))

        def post_vitals():
            session = sessions[next(counter) % CHAIRS]
            response = client.post(
                f"/api/v1/sessions/{session.pk}/vitals/", vitals_body(), content_type="application/json"
            )
            assert response.status_code == 201, response.content[:300]

        post_vitals()  # warm caches
        with QueryCounter() as queries:
            post_vitals()
        median, p95 = timed([post_vitals] * args.calls)
        print(f"{'POST vitals set (new)':52} {median:6.1f}ms {p95:6.1f}ms {len(queries):7d}")

        replay = vitals_body()
        url = f"/api/v1/sessions/{sessions[0].pk}/vitals/"
        client.post(url, replay, content_type="application/json")

        def post_replay():
            response = client.post(url, replay, content_type="application/json")
            assert response["Idempotent-Replayed"] == "true"

        with QueryCounter() as queries:
            post_replay()
        median, p95 = timed([post_replay] * args.calls)
        label = "POST vitals set again (replay, same client id)"
        print(f"{label:52} {median:6.1f}ms {p95:6.1f}ms {len(queries):7d}")

        readings = sessions[0].vitals.count()
        for label, path in (
            (f"GET session ({readings} vitals sets)", f"/api/v1/sessions/{sessions[0].pk}/"),
            (f"GET board page ({CHAIRS} chairs)", "/chairside/"),
            ("GET session page", f"/chairside/bookings/{sessions[0].booking_id}/"),
            ("GET summary page (SVG chart)", f"/chairside/sessions/{sessions[0].pk}/summary/"),
        ):
            assert client.get(path).status_code == 200
            with QueryCounter() as queries:
                client.get(path)
            median, p95 = timed([lambda path=path: client.get(path)] * max(args.calls // 4, 10))
            print(f"{label:52} {median:6.1f}ms {p95:6.1f}ms {len(queries):7d}")
        median, p95 = timed([lambda: client.get("/api/v1/sessions/?status=discharged")] * args.calls)
        print(f"{'floor: GET empty session list':52} {median:6.1f}ms {p95:6.1f}ms")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
