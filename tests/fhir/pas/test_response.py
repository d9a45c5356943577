"""Reading a payer's PAS response as a decision (fhir/pas/response.py, pure: no database)."""

import copy
from datetime import date

import pytest

from fhir.pas import codes
from fhir.pas.response import PasInputError, parse_pas_response
from tests.fhir.pas.conftest import pas_example, pas_examples

RESPONSE_EXAMPLES = [
    "Bundle-ErrorResponseBundleExample.json",
    "Bundle-ReferralAuthorizationResponseBundleExample.json",
    "Bundle-ReferralPendingAuthorizationResponseBundleExample.json",
    "Bundle-RejectionResponseBundleExample.json",
    "ClaimResponse-PractitionerRequestorPendingResponseExample.json",
    "ClaimResponse-PractitionerRequestorResponseExample.json",
    "ClaimResponse-RejectionResponseExample.json",
]


def test_the_fixtures_hold_every_pas_response_example_these_tests_read():
    found = [name for name in pas_examples("*.json") if "Response" in name]
    assert found == RESPONSE_EXAMPLES


def _answer(name: str):
    return parse_pas_response(pas_example(name))


@pytest.mark.parametrize(
    "name",
    [
        "Bundle-ReferralAuthorizationResponseBundleExample.json",
        "ClaimResponse-PractitionerRequestorResponseExample.json",
    ],
)
def test_an_a1_response_is_an_approval_with_its_number_period_and_units(name):
    answer = _answer(name)
    assert answer.review_action == "A1"
    assert answer.claim_id == "ReferralAuthorizationExample"
    assert answer.patient_id == "SubscriberExample"
    assert answer.decision == {
        "outcome": "approved",
        "number": "AUTH0001",
        "valid_from": date(2005, 5, 2),
        "valid_to": date(2005, 6, 2),
        "units_approved": 1,
    }


@pytest.mark.parametrize(
    "name",
    [
        "Bundle-ReferralPendingAuthorizationResponseBundleExample.json",
        "ClaimResponse-PractitionerRequestorPendingResponseExample.json",
    ],
)
def test_an_a4_response_is_a_pend_that_says_the_payer_named_no_information(name):
    answer = _answer(name)
    assert answer.review_action == "A4"
    assert answer.decision == {
        "outcome": "pended",
        "information_requested": "Pended by the payer (X12 review action A4, reference PEND0001); "
        "the response names no information.",
    }


@pytest.mark.parametrize(
    "name", ["Bundle-RejectionResponseBundleExample.json", "ClaimResponse-RejectionResponseExample.json"]
)
def test_an_a3_response_without_a_reason_is_a_denial_with_an_empty_reason_for_the_service_to_refuse(name):
    # The examples carry no reason code: the decision service refuses a denial without one (CMS-0057-F).
    assert _answer(name).decision == {"outcome": "denied", "denial_code": "", "denial_reason": ""}


def test_an_a3_response_gives_its_x12_reason_code_and_text():
    body = pas_example("ClaimResponse-RejectionResponseExample.json")
    action = body["item"][0]["adjudication"][0]["extension"][0]
    action["extension"].append(
        {
            "url": "reasonCode",
            "valueCodeableConcept": {
                "coding": [{"system": codes.X12_REVIEW_REASON, "code": "0U"}],
                "text": "No documented response after two cycles.",
            },
        }
    )
    assert parse_pas_response(body).decision == {
        "outcome": "denied",
        "denial_code": "0U",
        "denial_reason": "No documented response after two cycles.",
    }


def test_a_pend_takes_the_responses_process_notes_as_the_information_requested():
    body = pas_example("ClaimResponse-PractitionerRequestorPendingResponseExample.json")
    body["processNote"] = [{"number": 1, "text": "Send the latest INCAT score."}]
    assert parse_pas_response(body).decision["information_requested"] == "Send the latest INCAT score."


def test_an_error_response_is_refused_naming_its_x12_error_codes():
    with pytest.raises(PasInputError) as refused:
        _answer("Bundle-ErrorResponseBundleExample.json")
    assert refused.value.code == "claim_response_error"
    assert "04, T4" in refused.value.detail
    assert refused.value.status == 422


def _approval() -> dict:
    return pas_example("ClaimResponse-PractitionerRequestorResponseExample.json")


def _set_review_code(body: dict, code: str) -> dict:
    action = body["item"][0]["adjudication"][0]["extension"][0]
    action["extension"][1]["valueCodeableConcept"]["coding"][0]["code"] = code
    return body


@pytest.mark.parametrize(("code", "outcome"), [("A2", "partially_approved"), ("A6", "partially_approved")])
def test_a_partial_or_modified_certification_is_a_partial_approval(code, outcome):
    assert parse_pas_response(_set_review_code(_approval(), code)).decision["outcome"] == outcome


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda body: _set_review_code(body, "CT"), "review_action_unsupported"),
        (lambda body: body["item"][0]["adjudication"][0].pop("extension"), "review_action_missing"),
        (lambda body: body.pop("item"), "review_action_missing"),
        (lambda body: body.update(use="claim"), "not_preauthorization"),
        (lambda body: body.update(request={"reference": "Patient/3"}), "reference_invalid"),
        (lambda body: body.update(request={"display": "no reference"}), "reference_invalid"),
        (lambda body: body.update(created="yesterday"), "invalid_resource"),
        (lambda body: body.pop("patient"), "invalid_resource"),
        (lambda body: body["item"][0].update(itemSequence=2), "item_unknown"),
        (
            lambda body: body["item"][0]["extension"][2]["valuePeriod"].update(start="2005-05"),
            "date_invalid",
        ),
        (
            lambda body: body["item"][0]["extension"][4]["extension"][2].update(valueQuantity={"value": 1.5}),
            "units_invalid",
        ),
    ],
)
def test_a_response_it_cannot_read_as_a_decision_is_refused_with_a_stable_code(mangle, code):
    body = _approval()
    mangle(body)
    with pytest.raises(PasInputError) as refused:
        parse_pas_response(body)
    assert refused.value.code == code
    assert refused.value.expression


@pytest.mark.parametrize(
    "body",
    [
        [],
        "ClaimResponse",
        {"resourceType": "Patient", "id": "1"},
        {"resourceType": "Bundle", "type": "searchset", "entry": []},
        {"resourceType": "Bundle", "type": "collection", "entry": []},
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": {"resourceType": "Patient", "id": "1"}}],
        },
    ],
)
def test_a_body_that_is_not_a_pas_response_is_refused_as_such(body):
    with pytest.raises(PasInputError) as refused:
        parse_pas_response(body)
    assert refused.value.code == "not_pas_response"


def test_the_same_response_has_the_same_content_key_and_another_has_another():
    first, again = _approval(), _approval()
    other = copy.deepcopy(first)
    other["created"] = "2005-05-03T09:00:00+05:00"
    assert parse_pas_response(first).content_key == parse_pas_response(again).content_key
    assert parse_pas_response(first).content_key != parse_pas_response(other).content_key
