"""PAS figures beside the insurer API's own: one request as a PAS Bundle against its JSON detail and
summary, a page of 50 requests as a FHIR searchset against the JSON list, and a payer's decision as a
PAS ClaimResponse against the JSON decision. Median and p95 latency, queries per call.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/pas_bench.py [--authorizations N] [--calls N]

Without the URLs: `.venv/bin/python -m config.devservers -- .venv/bin/python bench/pas_bench.py`.
Builds a scratch test database with `insurance_bench.fill` (plus a treatment order per member, so every
bundle carries its MedicationRequest), calls in-process with a bearer token (no network), prints the
figures and drops the database.
"""

import argparse
import json
import os
import secrets
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

settings.DATABASES["default"]["CONN_MAX_AGE"] = 60

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone
from insurance_bench import fill
from oauth2_provider.models import AccessToken, Application
from patients_api_bench import QueryCounter, measure

from fhir.pas import codes
from infusions.models import Product, ProtocolStep, TitrationProtocol, TreatmentOrder
from insurance.models import Payer, PayerClient, PriorAuthorization
from patients.models import Diagnosis, Patient


def orders_for_every_member() -> None:
    product = Product.objects.create(
        brand="Privigen",
        manufacturer="CSL Behring",
        concentration_percent=Decimal("10"),
        vial_sizes_g=[Decimal("5"), Decimal("10"), Decimal("20")],
        hcpcs_code="J1459",
    )
    protocol = TitrationProtocol.objects.create(name="Bench protocol")
    ProtocolStep.objects.bulk_create(
        ProtocolStep(protocol=protocol, position=i, rate_ml_per_kg_h=Decimal(rate), minutes=minutes)
        for i, (rate, minutes) in enumerate([("0.5", 30), ("1", 30), ("2", None)], start=1)
    )
    patients = list(Patient.objects.all())
    diagnoses = Diagnosis.objects.bulk_create(
        Diagnosis(patient=p, code="G61.81", description="CIDP") for p in patients
    )
    TreatmentOrder.objects.bulk_create(
        TreatmentOrder(
            patient_id=d.patient_id,
            indication=d,
            product=product,
            protocol=protocol,
            dose_grams_per_kg=Decimal("1"),
            interval_days=21,
            prescriber="Dr. Bench",
            start_date=date(2027, 1, 4),
        )
        for d in diagnoses
    )


def claim_response(auth: PriorAuthorization) -> dict:
    action = {
        "url": codes.EXT_REVIEW_ACTION,
        "extension": [
            {"url": "number", "valueString": f"PA-{auth.pk}"},
            {
                "url": codes.EXT_REVIEW_ACTION_CODE,
                "valueCodeableConcept": {"coding": [{"system": codes.X12_REVIEW_ACTION, "code": "A1"}]},
            },
        ],
    }
    return {
        "resourceType": "ClaimResponse",
        "status": "active",
        "type": {"coding": [{"system": codes.CLAIM_TYPE, "code": "professional"}]},
        "use": "preauthorization",
        "patient": {"reference": f"Patient/{auth.patient_id}"},
        "created": "2027-03-03T15:00:00Z",
        "insurer": {"reference": f"Organization/payer-{auth.payer_id}"},
        "request": {"reference": f"Claim/{auth.pk}"},
        "outcome": "complete",
        "item": [
            {"itemSequence": 1, "adjudication": [{"extension": [action], "category": {"text": "submitted"}}]}
        ],
    }


def measure_posts(client: Client, calls: list[tuple[str, str, str]]) -> dict:
    """POST each (path, body, content type) once: every call decides another authorization."""
    timings = []
    path, body, content_type = calls[0]
    with QueryCounter() as counter:
        response = client.post(path, body, content_type=content_type)
    assert response.status_code in (200, 201), response.content[:300]
    for path, body, content_type in calls[1:]:
        t0 = time.perf_counter()
        response = client.post(path, body, content_type=content_type)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code in (200, 201), response.content[:300]
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "queries": counter.count,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--authorizations", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()

    old = setup_databases(verbosity=0, interactive=False)
    try:
        payer = Payer.objects.create(code="bench", name="Bench Health")
        fill(payer, args.authorizations, "B")
        orders_for_every_member()
        with connection.cursor() as cursor:
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
            scope="authorizations:read authorizations:decide",
            expires=timezone.now() + timedelta(hours=1),
        )
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        some = PriorAuthorization.objects.filter(payer=payer).order_by("pk")[args.authorizations // 2]
        print(
            f"{args.authorizations} authorizations, {args.calls} calls per endpoint, in-process (no network)"
        )
        print(f"{'endpoint':58} {'median':>8} {'p95':>8} {'queries':>7}")
        for path in (
            f"/api/v1/authorizations/{some.pk}/",
            f"/api/v1/authorizations/{some.pk}/summary/",
            f"/fhir/R4/Claim/{some.pk}",
            "/api/v1/authorizations/?page_size=50&ordering=id",
            "/fhir/R4/Claim?_count=50",
        ):
            r = measure(client, path, args.calls)
            print(f"{path:58} {r['median_ms']:6.1f}ms {r['p95_ms']:6.1f}ms {r['queries']:7d}")
        waiting = list(PriorAuthorization.objects.filter(payer=payer, status="submitted").order_by("pk"))
        half = min(len(waiting) // 2, args.calls)
        json_calls = [
            (
                f"/api/v1/authorizations/{a.pk}/decision/",
                json.dumps({"outcome": "approved", "number": f"PA-{a.pk}"}),
                "application/json",
            )
            for a in waiting[:half]
        ]
        pas_calls = [
            ("/fhir/R4/ClaimResponse", json.dumps(claim_response(a)), "application/fhir+json")
            for a in waiting[half : 2 * half]
        ]
        for label, calls in (
            ("POST decision/ (JSON)", json_calls),
            ("POST ClaimResponse (PAS A1)", pas_calls),
        ):
            r = measure_posts(client, calls)
            print(f"{label:58} {r['median_ms']:6.1f}ms {r['p95_ms']:6.1f}ms {r['queries']:7d}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
