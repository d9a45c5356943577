"""Insurer API figures: requests per second, median and p95 latency, queries per request, for the
authorization list at 10,000 authorizations of one payer (plus another payer's, which must not count).

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/insurance_bench.py [--authorizations N] [--calls N]

Without the URLs: `.venv/bin/python -m config.devservers -- .venv/bin/python bench/insurance_bench.py`.
Builds a scratch test database, fills it, calls the API in-process with a bearer token through Django's
test client (no network: the application's own cost, token check and audit insert included), prints
the figures and drops the database.
"""

import argparse
import os
import secrets
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django

django.setup()

from django.conf import settings

settings.DATABASES["default"]["CONN_MAX_AGE"] = 60

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from patients_api_bench import measure

from insurance.models import (
    AuthorizationEvent,
    AuthorizationUsage,
    Coverage,
    Payer,
    PayerClient,
    PriorAuthorization,
)
from patients.models import Patient

STATUSES = [
    "submitted",
    "approved",
    "pended",
    "denied",
    "approved",
    "partially_approved",
    "draft",
    "appealed",
]


def fill(payer: Payer, count: int, prefix: str) -> None:
    patients = Patient.objects.bulk_create(
        Patient(mrn=f"{prefix}{n:07d}", given_name="G", family_name=f"F{n}", date_of_birth=date(1960, 1, 1))
        for n in range(max(1, count // 5))
    )
    coverages = Coverage.objects.bulk_create(
        Coverage(patient=p, payer=payer, member_id=f"{prefix}-{p.pk}", valid_from=date(2026, 1, 1))
        for p in patients
    )
    now, today = timezone.now(), timezone.localdate()
    auths = []
    for n in range(count):
        coverage, status = coverages[n % len(coverages)], STATUSES[n % len(STATUSES)]
        granted = status in ("approved", "partially_approved")
        auths.append(
            PriorAuthorization(
                coverage=coverage,
                payer=payer,
                patient_id=coverage.patient_id,
                status=status,
                hcpcs_code="J1459",
                icd10_code="G61.81",
                units_requested=840,
                requested_from=today,
                requested_to=today + timedelta(days=180),
                units_approved=840 if granted else None,
                valid_from=today if granted else None,
                valid_to=today + timedelta(days=180) if granted else None,
                number=f"PA-{prefix}-{n}" if granted else "",
                denial_code="MN01" if status == "denied" else "",
                denial_reason="Not necessary." if status == "denied" else "",
                submitted_at=now,
                due_at=now + timedelta(days=7),
            )
        )
    auths = PriorAuthorization.objects.bulk_create(auths, batch_size=2000)
    granted = [a for a in auths if a.status in ("approved", "partially_approved")]
    AuthorizationUsage.objects.bulk_create(
        AuthorizationUsage(
            authorization=a,
            booking_id=a.pk * 10 + c,
            units=140,
            service_date=today,
            status="used" if c == 1 else "reserved",
        )
        for a in granted
        for c in (1, 2)
    )
    AuthorizationEvent.objects.bulk_create(
        AuthorizationEvent(
            authorization=a, payer=payer, kind="transition", to_status=a.status, at=now, via="bench"
        )
        for a in auths
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--authorizations", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--verbose", action="store_true", help="show the slowest statements of each endpoint")
    args = parser.parse_args()

    old = setup_databases(verbosity=0, interactive=False)
    try:
        payer = Payer.objects.create(code="bench", name="Bench Health")
        other = Payer.objects.create(code="other", name="Other Health")
        fill(payer, args.authorizations, "B")
        fill(other, args.authorizations // 5, "O")
        with connection.cursor() as cursor:
            # Fresh bulk-loaded tables have no statistics yet; a live database has (autovacuum).
            cursor.execute("ANALYZE")
        user = User.objects.create_user("api-bench")
        app = Application.objects.create(
            name="bench", client_type="confidential", authorization_grant_type="client-credentials", user=user
        )
        PayerClient.objects.create(application=app, payer=payer)
        token = secrets.token_urlsafe(24)
        AccessToken.objects.create(
            application=app,
            token=token,
            scope="authorizations:read",
            expires=timezone.now() + timedelta(hours=1),
        )
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        some = PriorAuthorization.objects.filter(payer=payer).order_by("pk")[args.authorizations // 2]
        print(
            f"{args.authorizations} authorizations of the payer (+{args.authorizations // 5} of another), "
            f"{args.calls} calls per endpoint, in-process (no network)"
        )
        print(f"{'endpoint':66} {'req/s':>7} {'median':>8} {'p95':>8} {'queries':>7}")
        since = (timezone.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for path in (
            "/api/v1/authorizations/?page_size=1",
            "/api/v1/authorizations/?page_size=25",
            "/api/v1/authorizations/?page_size=50",
            "/api/v1/authorizations/?page_size=100",
            "/api/v1/authorizations/?status=submitted&page_size=50",
            f"/api/v1/authorizations/?updated_since={since}&ordering=due_at&page_size=50",
            "/api/v1/authorizations/?page=150&page_size=50",
            f"/api/v1/authorizations/{some.pk}/",
            f"/api/v1/authorizations/{some.pk}/utilization/",
            "/api/v1/authorizations/events/?page_size=50",
        ):
            r = measure(client, path, args.calls, args.verbose)
            figures = f"{r['rps']:7.0f} {r['median_ms']:6.1f}ms {r['p95_ms']:6.1f}ms {r['queries']:7d}"
            print(f"{r['path']:66} {figures}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
