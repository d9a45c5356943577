from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from clinic.audit import reads_of
from insurance.models import PriorAuthorization
from tests.insurance.factories import CoverageFactory, make_authorization, make_token

pytestmark = pytest.mark.django_db

BASE = "/api/v1/authorizations/"
APPROVE = {"outcome": "approved", "number": "PA-1"}


def test_each_insurer_lists_only_its_own_members_authorizations(acme, blue):
    mine = make_authorization(acme.coverage)
    make_authorization(blue.coverage)

    body = acme.client().get(BASE).json()

    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0]["member_id"] == acme.coverage.member_id
    assert "patient" not in body["results"][0]


def test_a_draft_the_clinic_has_not_sent_is_invisible_to_the_insurer_until_submitted(acme):
    from insurance import services

    draft = make_authorization(acme.coverage, status="draft")
    client = acme.client()

    assert client.get(BASE).json()["results"] == []
    assert client.get(f"{BASE}{draft.pk}/").status_code == 404
    assert client.get(f"{BASE}events/").json()["count"] == 0

    services.authorization_submit(authorization=draft)

    assert [row["id"] for row in client.get(BASE).json()["results"]] == [draft.pk]
    events = client.get(f"{BASE}events/").json()["results"]
    assert [(e["from_status"], e["to_status"]) for e in events] == [("draft", "submitted")]


def test_every_insurer_endpoint_answers_404_for_another_payers_authorization(acme, blue):
    theirs = make_authorization(acme.coverage)
    client = blue.client()
    before = PriorAuthorization.objects.get(pk=theirs.pk)

    for method, path in [
        ("get", f"{BASE}{theirs.pk}/"),
        ("get", f"{BASE}{theirs.pk}/summary/"),
        ("get", f"{BASE}{theirs.pk}/utilization/"),
        ("post", f"{BASE}{theirs.pk}/decision/"),
    ]:
        response = getattr(client, method)(path, APPROVE if method == "post" else None, format="json")
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
        assert str(theirs.pk) not in response.content.decode().replace(path, "")
    assert blue.client().get(BASE).json()["results"] == []
    assert blue.client().get(f"{BASE}events/").json()["count"] == 0
    assert PriorAuthorization.objects.get(pk=theirs.pk).status == before.status == "submitted"


def test_blue_sees_no_event_of_acmes_members(acme, blue):
    make_authorization(acme.coverage)
    blue_auth = make_authorization(blue.coverage)

    events = blue.client().get(f"{BASE}events/").json()["results"]

    assert {e["authorization"] for e in events} == {blue_auth.pk}


def test_no_token_or_an_expired_token_gets_401(acme):
    make_authorization(acme.coverage)
    expired = make_token(acme.app)

    anonymous = acme.client()
    anonymous.credentials()
    assert anonymous.get(BASE).status_code == 401
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        response = acme.client(expired).get(BASE)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_without_the_decide_scope_cannot_decide(acme):
    auth = make_authorization(acme.coverage)
    read_only = make_token(acme.app, scope="authorizations:read")

    response = acme.client(read_only).post(f"{BASE}{auth.pk}/decision/", APPROVE, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert PriorAuthorization.objects.get(pk=auth.pk).status == "submitted"


def test_a_decision_on_a_decided_authorization_gets_409(acme):
    auth = make_authorization(acme.coverage, status="approved")

    response = acme.client().post(f"{BASE}{auth.pk}/decision/", {"outcome": "denied"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "already_decided"


def test_units_over_those_requested_get_400(acme):
    auth = make_authorization(acme.coverage, units=280)
    body = {
        "outcome": "partially_approved",
        "number": "PA-9",
        "units_approved": 300,
        "valid_from": "2027-03-01",
        "valid_to": "2027-05-31",
    }

    response = acme.client().post(f"{BASE}{auth.pk}/decision/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "units_over_requested"
    assert list(response.json()["fields"]) == ["units_approved"]


def test_a_denial_without_a_reason_gets_400(acme):
    auth = make_authorization(acme.coverage)

    response = acme.client().post(f"{BASE}{auth.pk}/decision/", {"outcome": "denied"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"


def test_a_partial_approval_shows_units_and_dates_and_the_remaining_units(acme):
    auth = make_authorization(acme.coverage, units=560)
    body = {
        "outcome": "partially_approved",
        "number": "PA-7",
        "units_approved": 280,
        "valid_from": "2027-03-01",
        "valid_to": "2027-05-31",
    }

    response = acme.client().post(f"{BASE}{auth.pk}/decision/", body, format="json")

    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["units_approved"], data["remaining_units"]) == (
        "partially_approved",
        280,
        280,
    )
    assert data["valid_to"] == "2027-05-31"


def test_a_replayed_idempotency_key_returns_the_first_response_and_another_body_gets_409(acme):
    auth = make_authorization(acme.coverage)
    url = f"{BASE}{auth.pk}/decision/"
    client = acme.client()

    first = client.post(url, APPROVE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    replay = client.post(url, APPROVE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = client.post(url, {"outcome": "denied"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert auth.events.filter(to_status="approved").count() == 1


def test_a_staff_session_cannot_use_the_insurer_api(api, manager, acme):
    auth = make_authorization(acme.coverage)

    response = api.as_user(manager).post(f"{BASE}{auth.pk}/decision/", APPROVE, format="json")

    assert response.status_code == 401
    assert api.get(BASE).status_code == 401
    assert PriorAuthorization.objects.get(pk=auth.pk).status == "submitted"


def test_an_insurer_token_reaches_no_staff_endpoint_nor_the_admin(client, acme):
    make_authorization(acme.coverage)
    staff = acme.client()

    for path in ("/api/v1/patients/", "/api/v1/orders/", "/api/v1/bookings/", "/api/v1/products/"):
        response = staff.get(path)
        assert response.status_code in (401, 403), path
        assert "results" not in response.json()
    admin = client.get("/admin/insurance/priorauthorization/", HTTP_AUTHORIZATION=f"Bearer {acme.token}")
    assert admin.status_code == 302 and "/login/" in admin["Location"]


def test_the_list_filters_by_status_and_updated_since_and_orders_and_pages(acme):
    with time_machine.travel("2027-02-01T12:00Z"):
        old = make_authorization(acme.coverage, status="denied")
    with time_machine.travel("2027-02-10T12:00Z"):
        new = make_authorization(acme.coverage)
        pended = make_authorization(acme.coverage, status="pended")
    client = acme.client()

    assert [r["id"] for r in client.get(BASE, {"status": "submitted"}).json()["results"]] == [new.pk]
    since = client.get(BASE, {"updated_since": "2027-02-05T00:00:00Z", "ordering": "id"}).json()
    assert [r["id"] for r in since["results"]] == [new.pk, pended.pk]
    paged = client.get(BASE, {"ordering": "-id", "page_size": 2}).json()
    assert [r["id"] for r in paged["results"]] == [pended.pk, new.pk]
    last = client.get(paged["next"]).json()
    assert [r["id"] for r in last["results"]] == [old.pk] and last["next"] is None


@pytest.mark.parametrize("page_size", [1, 50])
def test_the_list_takes_a_fixed_number_of_queries(acme, django_assert_num_queries, page_size):
    for _ in range(3 if page_size == 1 else 60):
        make_authorization(CoverageFactory(payer=acme.payer), status="approved")
    client = acme.client()
    client.get(BASE)  # warm the content-type cache and the token's cache entry

    # the page (its usage totals are subqueries), the audit insert (one for the whole page)
    with django_assert_num_queries(2):
        response = client.get(BASE, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


def test_the_list_shows_each_rows_own_units_used_reserved_and_remaining(acme):
    from insurance.models import AuthorizationUsage

    busy = make_authorization(acme.coverage, status="approved", units=560)
    idle = make_authorization(acme.coverage, status="approved", units=280)
    for booking_id, status, units in ((1, "used", 140), (2, "reserved", 140), (3, "released", 140)):
        AuthorizationUsage.objects.create(
            authorization=busy,
            booking_id=booking_id,
            status=status,
            units=units,
            service_date=busy.valid_from,
        )

    rows = {r["id"]: r for r in acme.client().get(BASE).json()["results"]}

    figures = ("units_used", "units_reserved", "remaining_units")
    assert tuple(rows[busy.pk][f] for f in figures) == (140, 140, 280)
    assert tuple(rows[idle.pk][f] for f in figures) == (0, 0, 280)


def test_every_insurer_read_is_audited_with_the_client(acme):
    auth = make_authorization(acme.coverage)
    client = acme.client()

    for path in ("", f"{auth.pk}/", f"{auth.pk}/summary/", f"{auth.pk}/utilization/", "events/"):
        assert client.get(f"{BASE}{path}").status_code == 200

    reads = reads_of(PriorAuthorization, auth.pk)
    details = [e.additional_data["detail"] for e in reads.order_by("pk")]
    assert len(details) == 5
    assert all(d.startswith("insurer acme-health client ") for d in details)
    assert {e.actor.username for e in reads} == {"api-acme-health"}
    assert {e.additional_data["via"] for e in reads} == {"insurer_api"}


def test_the_changes_feed_lists_what_changed_after_since(acme):
    with time_machine.travel("2027-02-01T12:00Z"):
        auth = make_authorization(acme.coverage)
    with time_machine.travel("2027-02-03T12:00Z"):
        token = make_token(acme.app)
        assert (
            acme.client(token).post(f"{BASE}{auth.pk}/decision/", APPROVE, format="json").status_code == 200
        )

    events = acme.client().get(f"{BASE}events/", {"since": "2027-02-02T00:00:00Z"}).json()["results"]

    assert [(e["from_status"], e["to_status"], e["via"]) for e in events] == [
        ("submitted", "approved", "insurer_api")
    ]


def test_the_openapi_schema_documents_the_insurer_api_with_examples(api, manager):
    schema = api.as_user(manager).get("/api/schema/", {"format": "json"}).json()

    decision = schema["paths"]["/api/v1/authorizations/{id}/decision/"]["post"]
    assert "insurer API" in decision["tags"]
    assert "ApproveInPart" in decision["requestBody"]["content"]["application/json"]["examples"]
    assert "/api/v1/authorizations/events/" in schema["paths"]
