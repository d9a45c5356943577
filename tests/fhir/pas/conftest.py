"""The Da Vinci PAS examples (`tests/fixtures/fhir/davinci-pas/`, found as tests/fhir/conftest.py
finds them), two payers with their clients, and a submitted request with its treatment order."""

import json
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from insurance.models import PriorAuthorization
from patients.models import Diagnosis
from tests.fhir.conftest import _examples_dir
from tests.infusions.factories import OrderFactory
from tests.insurance.conftest import Insurer, _insurer
from tests.insurance.factories import make_authorization


def pas_examples(pattern: str) -> list[str]:
    return sorted(path.name for path in (_examples_dir() / "davinci-pas").glob(pattern))


def pas_example(name: str) -> dict:
    return json.loads((_examples_dir() / "davinci-pas" / name).read_text(encoding="utf-8"))


@dataclass
class Request:
    """A payer's member with a treatment order and the prior authorization request for it."""

    insurer: Insurer
    auth: PriorAuthorization

    def fhir(self, token: str | None = None) -> APIClient:
        client = self.insurer.client(token)
        client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {token or self.insurer.token}", HTTP_ACCEPT="application/fhir+json"
        )
        return client


def submitted_request(insurer: Insurer, coverage=None, **fields) -> PriorAuthorization:
    """A submitted request of 140 units for a new treatment order of the member (`coverage`'s)."""
    coverage = coverage or insurer.coverage
    indication, _ = Diagnosis.objects.get_or_create(
        patient=coverage.patient, code="G61.81", defaults={"description": "CIDP"}
    )
    order = OrderFactory(indication=indication)
    return make_authorization(coverage, units=140, order_id=order.pk, **fields)


@pytest.fixture
def acme(db):
    return _insurer("acme-health")


@pytest.fixture
def blue(db):
    return _insurer("blue-harbor")


@pytest.fixture
def acme_request(acme) -> Request:
    return Request(acme, submitted_request(acme))


@pytest.fixture
def blue_request(blue) -> Request:
    return Request(blue, submitted_request(blue))


def answer_for(auth: PriorAuthorization, example: str) -> dict:
    """A PAS response example as the payer would send it for `auth`: its request and patient ours."""
    body = pas_example(example)
    claim_response = body if body["resourceType"] == "ClaimResponse" else body["entry"][0]["resource"]
    claim_response["request"] = {"reference": f"Claim/{auth.pk}"}
    claim_response["patient"] = {"reference": f"Patient/{auth.patient_id}"}
    return body


def post_answer(client: APIClient, body: dict, **headers):
    return client.post(
        "/fhir/R4/ClaimResponse", json.dumps(body), content_type="application/fhir+json", **headers
    )
