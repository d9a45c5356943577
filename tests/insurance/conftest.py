"""Two payers, each with its own API client and member, for the insurer API tests."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from insurance.models import Coverage, Payer
from tests.insurance.factories import CoverageFactory, PayerFactory, make_client, make_token


@dataclass
class Insurer:
    payer: Payer
    coverage: Coverage
    app: object
    token: str

    def client(self, token: str | None = None) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token or self.token}")
        return client


def _insurer(code: str) -> Insurer:
    payer = PayerFactory(code=code)
    app = make_client(payer)
    return Insurer(payer=payer, coverage=CoverageFactory(payer=payer), app=app, token=make_token(app))


@pytest.fixture
def acme(db):
    return _insurer("acme-health")


@pytest.fixture
def blue(db):
    return _insurer("blue-harbor")
