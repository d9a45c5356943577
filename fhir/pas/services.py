"""The payer's PAS answer recorded as its decision: the one write under /fhir/.

`claim_response_record` reads the body (`fhir.pas.response`), finds the Claim among the payer's own
requests and hands the decision to `insurance.services.authorization_decision_once`, the insurer
API's own write path: the same rules (a denial's reason, units over those requested, what may be
decided), the same audit trail and events, and its Idempotency-Key protocol. Without an
`Idempotency-Key` header the key is the ClaimResponse's content: the same ClaimResponse posted twice
is recorded once and answered the same way twice.

Raises `FhirError` (an OperationOutcome): 400 or 422 for a body that is no PAS response or a decision
the service refuses, 404 for a Claim that is not the payer's, 409 for a request not awaiting a
decision (`already_decided`, e.g. a cancelled one) or a key reused with another body.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from clinic.errors import Conflict
from fhir.errors import FhirError
from fhir.pas.claim import pas_claim_response
from fhir.pas.response import PasInputError, parse_pas_response
from fhir.registry import PK_ID
from insurance import selectors, services
from insurance.models import PayerClient, PriorAuthorization

# authorization_decide's field names -> where they come from in a ClaimResponse.
FIELD_PATHS = {
    "number": "ClaimResponse.item[0].adjudication.extension('reviewAction').extension('number')",
    "units_approved": "ClaimResponse.item[0].extension('itemAuthorizedDetail')",
    "valid_from": "ClaimResponse.item[0].extension('itemPreAuthPeriod')",
    "valid_to": "ClaimResponse.item[0].extension('itemPreAuthPeriod')",
    "denial_reason": "ClaimResponse.item[0].adjudication.extension('reviewAction').extension('reasonCode')",
    "information_requested": "ClaimResponse.processNote",
}


def claim_response_record(
    *, payer_client: PayerClient, body: Any, idempotency_key: str = "", by=None
) -> tuple[Mapping[str, Any], bool]:
    """Record the decision a PAS response gives; return (the ClaimResponse as recorded, replayed)."""
    try:
        answer = parse_pas_response(body)
    except PasInputError as exc:
        raise FhirError(exc.status, exc.code, exc.detail, expression=[exc.expression]) from exc
    auth = _payer_request(payer_client, answer.claim_id)
    if answer.patient_id is not None and answer.patient_id != str(auth.patient_id):
        raise FhirError(
            400,
            "patient_mismatch",
            f"Claim/{auth.pk} is for Patient/{auth.patient_id}, not Patient/{answer.patient_id}.",
            expression=["ClaimResponse.patient"],
        )
    try:
        return services.authorization_decision_once(
            authorization=auth,
            application=payer_client.application,
            idempotency_key=idempotency_key or answer.content_key,
            request_body=answer.claim_response,
            render=_render,
            via="insurer_api",
            by=by,
            **answer.decision,
        )
    except ValidationError as exc:
        raise _refused(exc) from exc
    except Conflict as exc:
        raise FhirError(409, exc.code, exc.detail, expression=["ClaimResponse.request"]) from exc


def _payer_request(payer_client: PayerClient, claim_id: str) -> PriorAuthorization:
    """The payer's own submitted request; anything else (another payer's, a draft, none) is a 404."""
    auth = None
    if PK_ID.match(claim_id):
        auth = selectors.payer_authorizations(payer_client.payer).filter(pk=int(claim_id)).first()
    if auth is None:
        raise FhirError(
            404,
            "not_found",
            f"No Claim with id {claim_id[:64]} among your members' requests.",
            expression=["ClaimResponse.request"],
        )
    return auth


def _render(decided: PriorAuthorization) -> dict:
    # The service decided on a locked copy of the row: read what it stored.
    stored = PriorAuthorization.objects.get(pk=decided.pk)
    return pas_claim_response(stored, created=stored.decided_at or stored.updated_at)


def _refused(exc: ValidationError) -> FhirError:
    """The decision service's refusal (field -> errors) as one OperationOutcome."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
    field, found = next(iter(errors.items()))
    first = found[0]
    detail = " ".join(str(message) for message in first.messages)
    path = FIELD_PATHS.get(field, "ClaimResponse")
    return FhirError(400, first.code or "invalid", detail, expression=[path])
