"""Who sees which PAS bundles: an insurer its own members' requests and nothing else under /fhir/;
staff by their role. Claim searches page in a fixed number of queries."""

import pytest
from auditlog.models import LogEntry

from tests.fhir.pas.conftest import Request, submitted_request
from tests.insurance.factories import CoverageFactory, make_authorization, make_token


def _outcome_code(response) -> str:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome", body
    return body["issue"][0]["details"]["coding"][0]["code"]


def test_another_insurers_claim_is_a_404_as_if_it_did_not_exist(acme_request, blue_request):
    theirs = acme_request.fhir().get(f"/fhir/R4/Claim/{blue_request.auth.pk}")
    missing = acme_request.fhir().get("/fhir/R4/Claim/999999")
    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert _outcome_code(theirs) == _outcome_code(missing) == "not_found"
    assert theirs.json()["issue"][0]["diagnostics"].replace(str(blue_request.auth.pk), "N") == missing.json()[
        "issue"
    ][0]["diagnostics"].replace("999999", "N")


def test_a_draft_is_the_clinics_own_and_no_insurer_reads_it(acme):
    draft = make_authorization(acme.coverage, status="draft")
    response = Request(acme, draft).fhir().get(f"/fhir/R4/Claim/{draft.pk}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path", ["Patient", "Patient/1", "Coverage", "Observation", "MedicationRequest", "ClaimResponse", "Slot"]
)
def test_an_insurers_token_reaches_nothing_else_under_fhir(acme_request, path):
    response = acme_request.fhir().get(f"/fhir/R4/{path}")
    assert 400 <= response.status_code < 500
    assert response.status_code != 200
    assert response.json()["resourceType"] == "OperationOutcome"


def test_an_insurers_search_lists_only_its_own_members_requests_with_their_bundles(
    acme_request, blue_request
):
    response = acme_request.fhir().get("/fhir/R4/Claim")
    assert response.status_code == 200
    body = response.json()
    matches = [e["resource"] for e in body["entry"] if e["search"]["mode"] == "match"]
    included = [e["resource"] for e in body["entry"] if e["search"]["mode"] == "include"]
    assert [claim["id"] for claim in matches] == [str(acme_request.auth.pk)]
    assert sorted(r["resourceType"] for r in included) == [
        "Coverage",
        "MedicationRequest",
        "Organization",
        "Organization",
        "Patient",
    ]
    assert str(blue_request.auth.patient_id) not in {
        r["id"] for r in included if r["resourceType"] == "Patient"
    }


def test_an_insurers_search_by_another_insurers_patient_finds_nothing(acme_request, blue_request):
    response = acme_request.fhir().get(
        "/fhir/R4/Claim", {"patient": f"Patient/{blue_request.auth.patient_id}"}
    )
    assert response.status_code == 200
    assert response.json().get("entry", []) == []


def test_a_token_without_the_read_scope_reads_no_claim(acme_request):
    decide_only = make_token(acme_request.insurer.app, scope="authorizations:decide")
    response = acme_request.fhir(decide_only).get(f"/fhir/R4/Claim/{acme_request.auth.pk}")
    assert response.status_code == 403
    assert _outcome_code(response) == "insufficient_scope"


def test_a_nurse_reads_no_prior_authorization(acme_request, api, nurse):
    api.force_login(nurse)
    response = api.get(f"/fhir/R4/Claim/{acme_request.auth.pk}", HTTP_ACCEPT="application/fhir+json")
    assert response.status_code == 403


def test_a_scheduler_searches_a_patients_requests(acme_request, blue_request, api, scheduler):
    api.force_login(scheduler)
    response = api.get(
        "/fhir/R4/Claim", {"patient": str(acme_request.auth.patient_id)}, HTTP_ACCEPT="application/fhir+json"
    )
    assert response.status_code == 200
    matches = [e["resource"]["id"] for e in response.json()["entry"] if e["search"]["mode"] == "match"]
    assert matches == [str(acme_request.auth.pk)]


def test_a_staff_search_by_claim_status_tells_drafts_from_requests_sent(acme_request, acme, api, manager):
    draft = make_authorization(acme.coverage, status="draft")
    api.force_login(manager)

    def found(status):
        response = api.get("/fhir/R4/Claim", {"status": status}, HTTP_ACCEPT="application/fhir+json")
        entries = response.json().get("entry", [])
        return [e["resource"]["id"] for e in entries if e["search"]["mode"] == "match"]

    assert found("draft") == [str(draft.pk)]
    assert found("active") == [str(acme_request.auth.pk)]
    assert found("active,draft") == sorted([str(acme_request.auth.pk), str(draft.pk)], key=int)
    bad = api.get("/fhir/R4/Claim", {"status": "approved"}, HTTP_ACCEPT="application/fhir+json")
    assert bad.status_code == 400
    assert _outcome_code(bad) == "token_invalid"


def test_a_search_page_of_claims_is_audited_in_one_row_naming_each_request_and_patient(acme_request, acme):
    other = submitted_request(acme)
    before = LogEntry.objects.count()
    acme_request.fhir().get("/fhir/R4/Claim")
    assert LogEntry.objects.count() == before + 1
    row = LogEntry.objects.order_by("-pk").first()
    assert sorted(row.additional_data["read"]["insurance.priorauthorization"]) == sorted(
        [acme_request.auth.pk, other.pk]
    )
    assert acme_request.auth.patient_id in row.additional_data["read"]["patients.patient"]


def test_a_claim_search_costs_the_same_four_queries_for_one_request_as_for_twenty(
    acme, django_assert_num_queries
):
    client = Request(acme, None).fhir()
    submitted_request(acme)
    client.get("/fhir/R4/Claim")  # the token's payer client is cached from here on
    # The page, the orders, their protocols' steps, the audit row.
    with django_assert_num_queries(4):
        assert client.get("/fhir/R4/Claim").status_code == 200
    for _ in range(19):  # each of another member, with an order of its own
        submitted_request(acme, coverage=CoverageFactory(payer=acme.payer))
    with django_assert_num_queries(4):
        response = client.get("/fhir/R4/Claim")
    assert len([e for e in response.json()["entry"] if e["search"]["mode"] == "match"]) == 20


def test_the_capability_statement_lists_claim_read_and_search_and_claimresponse_create(api):
    statement = api.get("/fhir/R4/metadata").json()
    resources = {entry["type"]: entry for entry in statement["rest"][0]["resource"]}
    assert [i["code"] for i in resources["Claim"]["interaction"]] == ["read", "search-type"]
    assert {p["name"] for p in resources["Claim"]["searchParam"]} >= {"patient", "status"}
    assert [i["code"] for i in resources["ClaimResponse"]["interaction"]] == ["read", "create"]
    assert resources["ClaimResponse"]["profile"].endswith("profile-claimresponse")
