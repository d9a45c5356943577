"""A payer answers a request with a PAS response (POST /fhir/R4/ClaimResponse): A1, A3, A4 mapped to the
decision service, refused as an OperationOutcome when it cannot be recorded, idempotent, audited."""

import json
import threading

import pytest
from auditlog.models import LogEntry
from django.db import connection

from clinic.audit import reads_of
from fhir.pas import codes
from insurance import services
from insurance.models import AuthorizationEvent, PriorAuthorization
from tests.fhir.conftest import validate
from tests.fhir.pas.conftest import answer_for, pas_example, pas_examples, post_answer
from tests.fhir.pas.test_response import RESPONSE_EXAMPLES
from tests.insurance.factories import make_token

APPROVAL = "ClaimResponse-PractitionerRequestorResponseExample.json"
APPROVAL_BUNDLE = "Bundle-ReferralAuthorizationResponseBundleExample.json"
PEND_BUNDLE = "Bundle-ReferralPendingAuthorizationResponseBundleExample.json"
REJECTION = "ClaimResponse-RejectionResponseExample.json"


def _issue(response) -> dict:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome", body
    return body["issue"][0]


def _approval_for(auth, units: int | None = None) -> dict:
    body = answer_for(auth, APPROVAL)
    detail = body["item"][0]["extension"][4]["extension"][2]
    detail["valueQuantity"] = {"value": units if units is not None else auth.units_requested}
    return body


def _events(auth) -> int:
    return AuthorizationEvent.objects.filter(authorization=auth).count()


def test_an_a1_response_approves_the_request_with_its_number_period_and_units(acme_request):
    auth = acme_request.auth
    response = post_answer(acme_request.fhir(), _approval_for(auth))
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    recorded = response.json()
    validate(recorded)
    stored = PriorAuthorization.objects.get(pk=auth.pk)
    assert (stored.status, stored.number, stored.units_approved) == ("approved", "AUTH0001", 140)
    assert (str(stored.valid_from), str(stored.valid_to)) == ("2005-05-02", "2005-06-02")
    event = AuthorizationEvent.objects.filter(authorization=auth).last()
    assert (event.to_status, event.via, event.by) == (
        "approved",
        "insurer_api",
        acme_request.insurer.app.user,
    )
    action = recorded["item"][0]["adjudication"][0]["extension"][0]
    assert action["url"] == codes.EXT_REVIEW_ACTION
    code = next(e for e in action["extension"] if e["url"] == codes.EXT_REVIEW_ACTION_CODE)
    assert code["valueCodeableConcept"]["coding"][0]["code"] == "A1"
    assert recorded["request"] == {"reference": f"Claim/{auth.pk}"}


def test_the_recorded_decision_reads_back_at_its_location_and_audits_the_read(acme_request, api, manager):
    auth = acme_request.auth
    created = post_answer(acme_request.fhir(), _approval_for(auth))
    location = created["Location"]
    assert location.endswith(f"/fhir/R4/ClaimResponse/{auth.pk}")
    read = acme_request.fhir().get(location)
    assert read.status_code == 200
    validate(read.json())
    assert read.json()["item"] == created.json()["item"]
    assert reads_of(PriorAuthorization, auth.pk).first().additional_data["via"] == "fhir"
    api.force_login(manager)
    assert api.get(location, HTTP_ACCEPT="application/fhir+json").status_code == 200


def test_a_request_without_a_decision_has_no_claim_response_and_another_payers_is_a_404(
    acme_request, blue_request
):
    waiting = acme_request.fhir().get(f"/fhir/R4/ClaimResponse/{acme_request.auth.pk}")
    services.authorization_decide(
        authorization=blue_request.auth, outcome="pended", via="fax", information_requested="INCAT score."
    )
    theirs = acme_request.fhir().get(f"/fhir/R4/ClaimResponse/{blue_request.auth.pk}")
    assert (waiting.status_code, theirs.status_code) == (404, 404)


def test_the_decision_leaves_an_audit_row_naming_the_insurer_client(acme_request):
    auth = acme_request.auth
    post_answer(acme_request.fhir(), _approval_for(auth))
    change = LogEntry.objects.filter(object_pk=str(auth.pk), action=LogEntry.Action.UPDATE).order_by("-pk")[0]
    assert change.actor == acme_request.insurer.app.user
    assert "approved" in json.dumps(change.changes)


def test_an_a3_response_with_a_reason_denies_the_request(acme_request):
    auth = acme_request.auth
    body = answer_for(auth, REJECTION)
    body["item"][0]["adjudication"][0]["extension"][0]["extension"].append(
        {
            "url": "reasonCode",
            "valueCodeableConcept": {
                "coding": [{"system": codes.X12_REVIEW_REASON, "code": "0U"}],
                "text": "No documented response after two cycles.",
            },
        }
    )
    response = post_answer(acme_request.fhir(), body)
    assert response.status_code == 201, response.content
    stored = PriorAuthorization.objects.get(pk=auth.pk)
    assert (stored.status, stored.denial_code) == ("denied", "0U")
    assert stored.denial_reason == "No documented response after two cycles."
    assert response.json()["disposition"] == "No documented response after two cycles."


def test_an_a2_response_approves_in_part_the_units_and_dates_it_gives(acme_request):
    auth = acme_request.auth
    body = _approval_for(auth, units=70)
    action = body["item"][0]["adjudication"][0]["extension"][0]
    action["extension"][1]["valueCodeableConcept"]["coding"][0]["code"] = "A2"
    response = post_answer(acme_request.fhir(), body)
    assert response.status_code == 201, response.content
    stored = PriorAuthorization.objects.get(pk=auth.pk)
    assert (stored.status, stored.units_approved) == ("partially_approved", 70)
    code = response.json()["item"][0]["adjudication"][0]["extension"][0]["extension"][1]
    assert code["valueCodeableConcept"]["coding"][0]["code"] == "A2"


def test_more_units_than_requested_are_refused_naming_where_they_came_from(acme_request):
    response = post_answer(acme_request.fhir(), _approval_for(acme_request.auth, units=141))
    assert response.status_code == 400
    issue = _issue(response)
    assert issue["details"]["coding"][0]["code"] == "units_over_requested"
    assert issue["expression"] == ["ClaimResponse.item[0].extension('itemAuthorizedDetail')"]
    assert PriorAuthorization.objects.get(pk=acme_request.auth.pk).status == "submitted"


def test_an_a4_response_pends_the_request(acme_request):
    auth = acme_request.auth
    response = post_answer(acme_request.fhir(), answer_for(auth, PEND_BUNDLE))
    assert response.status_code == 201, response.content
    stored = PriorAuthorization.objects.get(pk=auth.pk)
    assert stored.status == "pended"
    assert "PEND0001" in stored.information_requested


@pytest.mark.parametrize("example", RESPONSE_EXAMPLES)
def test_every_pas_response_example_is_a_decision_or_a_clear_operation_outcome(acme_request, example):
    auth = acme_request.auth
    response = post_answer(acme_request.fhir(), answer_for(auth, example))
    stored = PriorAuthorization.objects.get(pk=auth.pk)
    expected = {
        "Bundle-ErrorResponseBundleExample.json": (422, "claim_response_error", "submitted"),
        # A1 "in total" for 1 unit of the 140 asked is not in total: the service says decide in part.
        APPROVAL_BUNDLE: (400, "units_below_requested", "submitted"),
        APPROVAL: (400, "units_below_requested", "submitted"),
        PEND_BUNDLE: (201, None, "pended"),
        "ClaimResponse-PractitionerRequestorPendingResponseExample.json": (201, None, "pended"),
        # A denial without a reason is refused (CMS-0057-F: a denial gives a specific reason).
        "Bundle-RejectionResponseBundleExample.json": (400, "reason_required", "submitted"),
        REJECTION: (400, "reason_required", "submitted"),
    }[example]
    assert response.status_code == expected[0], response.content
    if expected[1]:
        issue = _issue(response)
        assert issue["details"]["coding"][0]["code"] == expected[1]
        assert issue["diagnostics"]
    assert stored.status == expected[2]


def test_the_same_claim_response_posted_twice_is_recorded_once_and_answered_alike(acme_request):
    auth = acme_request.auth
    body = _approval_for(auth)
    first = post_answer(acme_request.fhir(), body)
    events = _events(auth)
    again = post_answer(acme_request.fhir(), body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert _events(auth) == events


def test_another_answer_to_a_decided_request_is_a_409_and_changes_nothing(acme_request):
    auth = acme_request.auth
    post_answer(acme_request.fhir(), _approval_for(auth))
    events = _events(auth)
    response = post_answer(acme_request.fhir(), answer_for(auth, PEND_BUNDLE))
    assert response.status_code == 409
    assert _issue(response)["details"]["coding"][0]["code"] == "already_decided"
    assert PriorAuthorization.objects.get(pk=auth.pk).status == "approved"
    assert _events(auth) == events


def test_approving_a_cancelled_request_is_refused_and_nothing_is_stored(acme_request):
    auth = acme_request.auth
    services.authorization_cancel(authorization=auth, reason="Order stopped.")
    events = _events(auth)
    response = post_answer(acme_request.fhir(), _approval_for(auth))
    assert response.status_code == 409
    assert _issue(response)["details"]["coding"][0]["code"] == "already_decided"
    assert PriorAuthorization.objects.get(pk=auth.pk).status == "cancelled"
    assert _events(auth) == events


def test_an_answer_for_another_insurers_claim_is_a_404_and_stores_nothing(acme_request, blue_request):
    theirs = blue_request.auth
    events = _events(theirs)
    response = post_answer(acme_request.fhir(), _approval_for(theirs))
    assert response.status_code == 404
    assert _issue(response)["details"]["coding"][0]["code"] == "not_found"
    assert PriorAuthorization.objects.get(pk=theirs.pk).status == "submitted"
    assert _events(theirs) == events


def test_an_answer_naming_another_patient_is_refused(acme_request, blue_request):
    body = _approval_for(acme_request.auth)
    body["patient"] = {"reference": f"Patient/{blue_request.auth.patient_id}"}
    response = post_answer(acme_request.fhir(), body)
    assert response.status_code == 400
    assert _issue(response)["details"]["coding"][0]["code"] == "patient_mismatch"
    assert PriorAuthorization.objects.get(pk=acme_request.auth.pk).status == "submitted"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            lambda auth: pas_example("Bundle-ReferralAuthorizationBundleExample.json"), id="a request"
        ),
        pytest.param(lambda auth: {"resourceType": "Patient", "id": "1"}, id="a patient"),
        pytest.param(lambda auth: [1, 2], id="a list"),
        pytest.param(lambda auth: {"resourceType": "Bundle", "type": "transaction"}, id="a transaction"),
    ],
)
def test_a_body_that_is_not_a_pas_response_is_a_400_and_stores_nothing(acme_request, body):
    auth = acme_request.auth
    response = post_answer(acme_request.fhir(), body(auth))
    assert response.status_code == 400, response.content
    assert _issue(response)["details"]["coding"][0]["code"] == "not_pas_response"
    assert PriorAuthorization.objects.get(pk=auth.pk).status == "submitted"


def test_a_body_that_is_not_json_is_a_400_operation_outcome(acme_request):
    response = acme_request.fhir().post(
        "/fhir/R4/ClaimResponse", "{not json", content_type="application/fhir+json"
    )
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_token_without_the_decide_scope_cannot_answer(acme_request):
    read_only = make_token(acme_request.insurer.app, scope="authorizations:read")
    response = post_answer(acme_request.fhir(read_only), _approval_for(acme_request.auth))
    assert response.status_code == 403
    assert _issue(response)["details"]["coding"][0]["code"] == "insufficient_scope"


def test_staff_cannot_answer_for_a_payer(acme_request, api, manager):
    api.force_login(manager)
    response = post_answer(api, _approval_for(acme_request.auth))
    assert response.status_code == 403
    assert PriorAuthorization.objects.get(pk=acme_request.auth.pk).status == "submitted"


def test_the_fixtures_examples_are_those_the_tests_post():
    assert [name for name in pas_examples("*.json") if "Response" in name] == RESPONSE_EXAMPLES


@pytest.mark.django_db(transaction=True)
def test_the_same_answer_sent_four_times_at_once_is_recorded_once(acme_request):
    auth = acme_request.auth
    body = _approval_for(auth)
    events = _events(auth)
    barrier = threading.Barrier(4)
    statuses = []

    def send():
        try:
            client = acme_request.fhir()
            barrier.wait()
            statuses.append(post_answer(client, body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 200, 200, 201]
    assert _events(auth) == events + 1
    assert PriorAuthorization.objects.get(pk=auth.pk).status == "approved"
