"""The insurer list in cursor pages: every row once in every ordering, bad cursors refused, one audit
row per page that still answers "who read patient X", the token's payer client cached until revoked."""

from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oauth2_provider.models import AccessToken

from clinic.audit import reads_of
from insurance.models import PayerClient, PriorAuthorization
from insurance.tokens import checksum
from patients.models import Patient
from tests.insurance.factories import CoverageFactory, PayerFactory, make_authorization, make_token

pytestmark = pytest.mark.django_db

BASE = "/api/v1/authorizations/"


def walk(client, params: dict) -> list[list[int]]:
    """The ids of every page, following `next` to the end."""
    pages = []
    response = client.get(BASE, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body
        pages.append([row["id"] for row in body["results"]])
        if body["next"] is None:
            return pages
        response = client.get(body["next"])


@pytest.fixture
def nine(acme):
    """Nine authorizations: three updated in the same microsecond (ties), three decided (no due time)."""
    with time_machine.travel("2027-02-01T12:00Z", tick=False):
        tied = [make_authorization(CoverageFactory(payer=acme.payer)) for _ in range(3)]
    with time_machine.travel("2027-02-02T12:00Z"):
        decided = [make_authorization(CoverageFactory(payer=acme.payer), status="approved") for _ in range(3)]
    with time_machine.travel("2027-02-03T12:00Z"):
        pended = [make_authorization(CoverageFactory(payer=acme.payer), status="pended") for _ in range(3)]
    return tied + decided + pended


@pytest.mark.parametrize(
    "ordering", ["-updated_at", "updated_at", "due_at", "-due_at", "created_at", "id", "-id"]
)
def test_following_next_reads_every_authorization_once_in_the_order_asked(acme, nine, ordering):
    name = ordering.lstrip("-")
    rows = list(PriorAuthorization.objects.filter(pk__in=[a.pk for a in nine]).values("id", name))
    assert any(r["due_at"] is None for r in PriorAuthorization.objects.values("due_at"))

    pages = walk(acme.client(), {"ordering": ordering, "page_size": 2})

    # PostgreSQL's order: NULLs after every time ascending, before them descending; ties by id.
    def key(row):
        value = row[name]
        return (value is None, value or 0, row["id"])

    expected = [r["id"] for r in sorted(rows, key=key, reverse=ordering.startswith("-"))]
    assert [pk for page in pages for pk in page] == expected
    assert [len(page) for page in pages] == [2, 2, 2, 2, 1]


def test_a_filtered_walk_keeps_its_filter_on_every_page(acme, nine):
    pages = walk(acme.client(), {"status": "approved", "page_size": 2})
    assert sorted(pk for page in pages for pk in page) == sorted(a.pk for a in nine[3:6])


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"page": "2"}, "page", "page_not_supported"),
        ({"cursor": "not-a-cursor"}, "cursor", "cursor_invalid"),
        ({"cursor": "WyJ1cGRhdGVkX2F0IiwxLDJd"}, "cursor", "cursor_invalid"),  # ["updated_at",1,2]
        ({"ordering": "patient"}, "ordering", "ordering_invalid"),
        ({"page_size": "0"}, "page_size", "page_size_invalid"),
        ({"page_size": "500"}, "page_size", "page_size_invalid"),
    ],
)
def test_bad_paging_is_a_400_that_says_which_parameter(acme, nine, params, field, code):
    response = acme.client().get(BASE, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and body["detail"].startswith(f"{field}: ")
    assert list(body["fields"]) == [field]


def test_a_cursor_from_one_ordering_is_refused_in_another(acme, nine):
    client = acme.client()
    cursor = client.get(BASE, {"ordering": "due_at", "page_size": 2}).json()["next"].split("cursor=")[1]

    response = client.get(BASE, {"ordering": "-id", "cursor": cursor})

    assert response.status_code == 400 and response.json()["code"] == "cursor_invalid"


def test_a_list_row_is_the_same_as_the_authorizations_own_view_shows(acme, nine):
    client = acme.client()
    row = next(r for r in client.get(BASE).json()["results"] if r["id"] == nine[4].pk)
    detail = client.get(f"{BASE}{nine[4].pk}/").json()

    assert row == {name: detail[name] for name in row}
    assert set(detail) - set(row) == {"usage", "documents"}


def test_a_deep_page_is_read_from_the_index_without_count_or_offset(acme, nine):
    client = acme.client()
    second = client.get(BASE, {"page_size": 4}).json()["next"]

    with CaptureQueriesContext(connection) as queries:
        assert client.get(second).status_code == 200

    page_sql = [
        q["sql"] for q in queries.captured_queries if 'FROM "insurance_priorauthorization"' in q["sql"]
    ]
    assert len(page_sql) == 1
    assert not any(q["sql"].upper().startswith("SELECT COUNT(") for q in queries.captured_queries)
    assert "OFFSET" not in page_sql[0].upper()
    assert "LIMIT 5" in page_sql[0]


def test_the_list_takes_two_queries_once_the_token_is_known(acme, nine, django_assert_num_queries):
    client = acme.client()
    # First use of the token: the token, its payer client, the page (usage included), the audit row.
    with django_assert_num_queries(4):
        assert client.get(BASE, {"page_size": 50}).status_code == 200
    # Then the token's payer client comes from the cache: the page and the audit row.
    with django_assert_num_queries(2):
        response = client.get(BASE, {"page_size": 50})
    assert len(response.json()["results"]) == 9


def test_one_audit_row_per_page_names_every_patient_and_authorization_on_it(acme, nine):
    client = acme.client()
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()

    page = client.get(BASE, {"page_size": 5}).json()["results"]

    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1
    shown = PriorAuthorization.objects.filter(pk__in=[r["id"] for r in page])
    for auth in shown:
        reads = list(reads_of(Patient, auth.patient_id))
        assert len(reads) == 1, auth.patient_id
        entry = reads[0]
        assert entry.actor.username == "api-acme-health"
        assert entry.additional_data["via"] == "insurer_api"
        assert entry.additional_data["detail"].startswith("insurer acme-health client ")
        assert auth.pk in entry.additional_data["read"]["insurance.priorauthorization"]
        assert list(reads_of(PriorAuthorization, auth.pk)) == [entry]
    # A patient on no page read so far has no read in the trail.
    unread = PriorAuthorization.objects.filter(pk__in=[a.pk for a in nine]).exclude(pk__in=shown)
    assert all(not reads_of(Patient, a.patient_id).exists() for a in unread)


def test_a_revoked_token_is_refused_on_the_next_request(acme, nine):
    client = acme.client()
    assert client.get(BASE).status_code == 200  # now cached

    AccessToken.objects.get(token_checksum=checksum(acme.token)).revoke()

    response = client.get(BASE)
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


def test_a_token_revoked_through_the_revoke_endpoint_is_refused_next(acme, nine):
    from oauth2_provider.models import Application

    client = acme.client()
    assert client.get(BASE).status_code == 200
    app = Application.objects.get(pk=acme.app.pk)

    revoked = client.post(
        "/api/v1/oauth/revoke/",
        {"token": acme.token, "client_id": app.client_id, "client_secret": "s3cret-for-tests"},
        format="multipart",
    )

    assert revoked.status_code == 200
    assert client.get(BASE).status_code == 401


def test_a_cached_token_still_expires_on_time(acme, nine):
    client = acme.client()
    with time_machine.travel(AccessToken.objects.get(application=acme.app).expires - timedelta(minutes=1)):
        assert client.get(BASE).status_code == 200
    with time_machine.travel(AccessToken.objects.get(application=acme.app).expires + timedelta(seconds=1)):
        assert client.get(BASE).status_code == 401


def test_a_client_moved_to_another_payer_sees_that_payers_members_at_once(acme, nine):
    client = acme.client()
    assert len(client.get(BASE).json()["results"]) == 9
    other = PayerFactory(code="moved-to")
    theirs = make_authorization(CoverageFactory(payer=other))

    link = PayerClient.objects.get(application=acme.app)
    link.payer = other
    link.save()

    assert [r["id"] for r in client.get(BASE).json()["results"]] == [theirs.pk]


def test_a_new_token_of_the_same_client_is_cached_on_its_own(acme, nine, django_assert_num_queries):
    first, second = acme.client(), acme.client(make_token(acme.app))
    first.get(BASE)
    with django_assert_num_queries(4):  # the second token is not the first one's entry
        assert second.get(BASE).status_code == 200
