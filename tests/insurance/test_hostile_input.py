"""The insurer API answers bad input with a 400 and a code, and a coverage moved to another payer
takes its authorizations along (the old payer reads nothing of it any more)."""

import pytest
import time_machine

from tests.insurance.factories import make_authorization

pytestmark = pytest.mark.django_db

BASE = "/api/v1/authorizations/"


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel("2027-02-10T15:00Z", tick=True):
        yield


@pytest.mark.parametrize("offset", ["+16:00", "-23:59", "+99:00"])
def test_an_updated_since_offset_beyond_1559_is_a_400_not_a_500(acme, offset):
    response = acme.client().get(BASE, {"updated_since": f"2027-02-05T00:00:00{offset}"})

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["fields"]["updated_since"][0]["code"] in ("offset_out_of_range", "invalid")
    assert body["detail"]


def test_a_naive_updated_since_is_refused_with_a_stable_code(acme):
    response = acme.client().get(BASE, {"updated_since": "2027-02-05T00:00:00"})

    assert response.status_code == 400
    assert response.json()["fields"]["updated_since"][0]["code"] == "naive_datetime"


def test_an_empty_since_on_the_changes_feed_is_a_400(acme):
    response = acme.client().get(f"{BASE}events/", {"since": ""})

    assert response.status_code == 400
    assert response.json()["fields"]["since"][0]["code"] == "invalid"


def test_a_naive_since_on_the_changes_feed_is_a_400(acme):
    response = acme.client().get(f"{BASE}events/", {"since": "2027-02-01T00:00:00"})

    assert response.status_code == 400
    assert response.json()["code"] == "naive_datetime"


def test_a_non_integer_page_size_is_a_400(acme):
    response = acme.client().get(BASE, {"page_size": "ten"})

    assert response.status_code == 400
    assert response.json()["fields"]["page_size"][0]["code"] == "page_size_invalid"


def test_an_idempotency_key_over_200_characters_is_a_400_and_decides_nothing(acme):
    auth = make_authorization(acme.coverage)

    response = acme.client().post(
        f"{BASE}{auth.pk}/decision/",
        {"outcome": "approved", "number": "PA-1"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k" * 201,
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "idempotency_key_too_long"
    auth.refresh_from_db()
    assert auth.status == "submitted"


def test_an_idempotency_key_of_200_characters_is_taken(acme):
    auth = make_authorization(acme.coverage)

    response = acme.client().post(
        f"{BASE}{auth.pk}/decision/",
        {"outcome": "approved", "number": "PA-1"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k" * 200,
    )

    assert response.status_code == 200, response.content


def test_moving_a_coverage_to_another_payer_moves_its_authorizations(client, manager, acme, blue):
    auth = make_authorization(acme.coverage)
    acme_client, blue_client = acme.client(), blue.client()
    assert acme_client.get(f"{BASE}{auth.pk}/").status_code == 200
    assert blue_client.get(f"{BASE}{auth.pk}/").status_code == 404
    coverage = acme.coverage
    client.force_login(manager)

    response = client.post(
        f"/admin/insurance/coverage/{coverage.pk}/change/",
        {
            "patient": coverage.patient_id,
            "payer": blue.payer.pk,
            "member_id": coverage.member_id,
            "plan_name": coverage.plan_name,
            "priority": coverage.priority,
            "valid_from": coverage.valid_from.isoformat(),
            "valid_to": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert acme_client.get(f"{BASE}{auth.pk}/").status_code == 404
    assert auth.pk not in [row["id"] for row in acme_client.get(BASE).json()["results"]]
    assert all(e["authorization"] != auth.pk for e in acme_client.get(f"{BASE}events/").json()["results"])
    moved = blue_client.get(f"{BASE}{auth.pk}/")
    assert moved.status_code == 200
    assert moved.json()["member_id"] == coverage.member_id
    assert auth.pk in [row["id"] for row in blue_client.get(BASE).json()["results"]]
    assert any(e["authorization"] == auth.pk for e in blue_client.get(f"{BASE}events/").json()["results"])
