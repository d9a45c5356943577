"""A payer's PAS response, read as the clinic's decision on one prior authorization request.

Pure: a JSON value in, a `PasAnswer` out, or `PasInputError` naming what is wrong (a stable code, a
sentence and the FHIRPath of the element). No Django import; the service that records the decision
(`fhir.pas.services`) resolves the Claim and calls `insurance.services.authorization_decision_once`,
which keeps every rule of a decision (a denial's reason, units over those requested, legal transitions).

What is read, as the PAS 2.2.1 examples carry it:
- the body is a PAS response Bundle (type `collection`, its ClaimResponse the first entry) or the
  ClaimResponse alone; `use` is `preauthorization`; `request` names `Claim/<id>`, `patient`
  `Patient/<id>`; `outcome` `error` (the payer could not process the request) is no decision;
- the review action is the `extension-reviewAction` of `item.adjudication` (the request has one
  item, sequence 1): its `extension-reviewActionCode` (X12 306) gives the outcome, its `number` the
  authorization number (else `preAuthRef`), its `reasonCode` (X12 886) the denial code;
- the approved period is the item's `extension-itemPreAuthPeriod` (else `preAuthPeriod`), the units
  approved the `quantity` of its `extension-itemAuthorizedDetail`;
- a denial's reason text is the reason code's text or display, else `disposition`; a pend's request
  for information is the response's `processNote` texts, else `disposition`, else a sentence saying
  the payer pended without naming any (PAS pends often carry none: the guide asks for documentation
  through other means).
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from fhir.pas import codes

ID = r"[A-Za-z0-9\-.]{1,64}"
REFERENCE = re.compile(rf"^(?:.*/)?(?P<type>[A-Za-z]+)/(?P<id>{ID})(?:/_history/[^/]+)?$")


class PasInputError(ValueError):
    """The body is not a PAS response this service can read as a decision."""

    def __init__(self, code: str, detail: str, *, expression: str = "", status: int = 400):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.expression = expression
        self.status = status


@dataclass
class PasAnswer:
    """What a ClaimResponse says, in the terms of `insurance.services.authorization_decide`."""

    claim_id: str
    patient_id: str | None
    review_action: str
    outcome: str
    decision: dict[str, Any] = field(default_factory=dict)
    claim_response: dict[str, Any] = field(default_factory=dict)

    @property
    def content_key(self) -> str:
        """A key naming this ClaimResponse's content: the same response posted twice has the same key."""
        text = json.dumps(self.claim_response, sort_keys=True, separators=(",", ":"))
        return "fhir-claimresponse-" + hashlib.sha256(text.encode()).hexdigest()


def parse_pas_response(body: Any) -> PasAnswer:
    """Read a PAS response Bundle (or its ClaimResponse alone) as a decision. Raises PasInputError."""
    claim_response, where = _claim_response(body)
    _validate(claim_response, where)
    if claim_response.get("use") != "preauthorization":
        raise PasInputError(
            "not_preauthorization",
            "The ClaimResponse's use must be preauthorization (a PAS response).",
            expression=f"{where}.use",
        )
    claim_id = _reference_id(claim_response.get("request"), "Claim", f"{where}.request")
    patient_ref = claim_response.get("patient") or {}
    patient_id = (
        _reference_id(patient_ref, "Patient", f"{where}.patient") if patient_ref.get("reference") else None
    )
    if claim_response.get("outcome") == "error":
        errors = ", ".join(
            coding.get("code", "?")
            for error in claim_response.get("error", [])
            for coding in (error.get("code") or {}).get("coding", [])
        )
        raise PasInputError(
            "claim_response_error",
            "The ClaimResponse reports that the request could not be processed (outcome error"
            + (f"; X12 error codes {errors}" if errors else "")
            + "): it holds no decision, so none is recorded.",
            expression=f"{where}.outcome",
            status=422,
        )
    item, item_where = _item(claim_response, where)
    action, action_where = _review_action(item, item_where)
    code = _review_action_code(action, action_where)
    outcome = codes.REVIEW_ACTIONS[code][0]
    decision: dict[str, Any] = {"outcome": outcome}
    if outcome in ("approved", "partially_approved"):
        decision["number"] = _sub_string(action, "number") or claim_response.get("preAuthRef", "")
        period = _extension(item, codes.EXT_PREAUTH_PERIOD, "valuePeriod") or claim_response.get(
            "preAuthPeriod"
        )
        if period:
            decision["valid_from"] = _date(period.get("start"), f"{item_where}.preAuthPeriod.start")
            decision["valid_to"] = _date(period.get("end"), f"{item_where}.preAuthPeriod.end")
        detail = _extension(item, codes.EXT_AUTHORIZED_DETAIL)
        quantity = _sub_value(detail, "quantity", "valueQuantity") if detail else None
        if quantity is not None:
            decision["units_approved"] = _units(quantity.get("value"), f"{item_where}.authorizedDetail")
    elif outcome == "denied":
        reason = _sub_value(action, "reasonCode", "valueCodeableConcept") or {}
        coding: dict = next(iter(reason.get("coding") or []), {})
        decision["denial_code"] = coding.get("code", "")
        decision["denial_reason"] = (
            reason.get("text") or coding.get("display") or claim_response.get("disposition") or ""
        )
    else:
        notes = [note.get("text", "") for note in claim_response.get("processNote", []) if note.get("text")]
        reference = _extension(item, codes.EXT_ADMINISTRATION_REFERENCE, "valueString")
        decision["information_requested"] = (
            "\n".join(notes)
            or claim_response.get("disposition", "")
            or "Pended by the payer (X12 review action A4"
            + (f", reference {reference}" if reference else "")
            + "); the response names no information."
        )
    return PasAnswer(
        claim_id=claim_id,
        patient_id=patient_id,
        review_action=code,
        outcome=outcome,
        decision=decision,
        claim_response=claim_response,
    )


def _claim_response(body: Any) -> tuple[dict, str]:
    if not isinstance(body, dict):
        raise PasInputError(
            "not_pas_response", "Send a PAS response Bundle or a ClaimResponse (a JSON object)."
        )
    kind = body.get("resourceType")
    if kind == "ClaimResponse":
        return body, "ClaimResponse"
    if kind != "Bundle":
        raise PasInputError(
            "not_pas_response",
            f"Send a PAS response Bundle or a ClaimResponse, not {kind or 'a body without resourceType'}.",
            expression="resourceType",
        )
    _validate(body, "Bundle")
    if body.get("type") != "collection":
        raise PasInputError(
            "not_pas_response",
            "A PAS response Bundle is of type collection.",
            expression="Bundle.type",
        )
    entries = body.get("entry") or []
    first = (entries[0].get("resource") or {}) if entries else {}
    if first.get("resourceType") != "ClaimResponse":
        raise PasInputError(
            "not_pas_response",
            "A PAS response Bundle has the ClaimResponse as its first entry.",
            expression="Bundle.entry[0].resource",
        )
    return first, "Bundle.entry[0].resource"


def _validate(resource: dict, where: str) -> None:
    """The structure FHIR R4 gives the resource (fhir.resources' R4B models accept R4)."""
    from fhir.resources.R4B import get_fhir_model_class

    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(part) for part in first["loc"] if not str(part).startswith("function-"))
        raise PasInputError(
            "invalid_resource",
            f"{where}.{path}: {first['msg']}" if path else f"{where}: {first['msg']}",
            expression=f"{where}.{path}" if path else where,
        ) from exc


def _reference_id(reference: Any, kind: str, where: str) -> str:
    text = (reference or {}).get("reference", "") if isinstance(reference, dict) else ""
    match = REFERENCE.match(text)
    if not match or match["type"] != kind:
        raise PasInputError(
            "reference_invalid",
            f"{where} must reference a {kind} of this service ({kind}/<id>), not {text or 'nothing'}.",
            expression=where,
        )
    return match["id"]


def _item(claim_response: dict, where: str) -> tuple[dict, str]:
    items = claim_response.get("item") or []
    if not items:
        raise PasInputError(
            "review_action_missing",
            "The ClaimResponse has no item, so no review action.",
            expression=f"{where}.item",
        )
    for index, item in enumerate(items):
        if item.get("itemSequence") != 1:
            raise PasInputError(
                "item_unknown",
                "The request has one item (sequence 1); the response answers item "
                f"{item.get('itemSequence')}.",
                expression=f"{where}.item[{index}].itemSequence",
            )
    if len(items) > 1:
        raise PasInputError(
            "item_unknown", "The request has one item; answer it once.", expression=f"{where}.item[1]"
        )
    return items[0], f"{where}.item[0]"


def _review_action(item: dict, where: str) -> tuple[dict, str]:
    for a_index, adjudication in enumerate(item.get("adjudication") or []):
        for e_index, extension in enumerate(adjudication.get("extension") or []):
            if extension.get("url") == codes.EXT_REVIEW_ACTION:
                return extension, f"{where}.adjudication[{a_index}].extension[{e_index}]"
    raise PasInputError(
        "review_action_missing",
        f"The item's adjudication has no review action ({codes.EXT_REVIEW_ACTION}).",
        expression=f"{where}.adjudication",
    )


def _review_action_code(action: dict, where: str) -> str:
    concept = _sub_value(action, codes.EXT_REVIEW_ACTION_CODE, "valueCodeableConcept") or {}
    coding = next(
        (c for c in concept.get("coding") or [] if c.get("system") == codes.X12_REVIEW_ACTION), None
    )
    if coding is None:
        raise PasInputError(
            "review_action_missing",
            f"The review action has no code of {codes.X12_REVIEW_ACTION}.",
            expression=f"{where}.extension('reviewActionCode')",
        )
    code = coding.get("code", "")
    if code not in codes.REVIEW_ACTIONS:
        raise PasInputError(
            "review_action_unsupported",
            f"Review action {code!r} is not one this service records: A1 (approved), A2 (in part), "
            "A3 (denied), A4 (pended) or A6 (modified).",
            expression=f"{where}.extension('reviewActionCode')",
            status=422,
        )
    return code


def _extension(element: dict, url: str, value_key: str | None = None) -> Any:
    for extension in element.get("extension") or []:
        if extension.get("url") == url:
            return extension.get(value_key) if value_key else extension
    return None


def _sub_value(extension: dict, url: str, value_key: str) -> Any:
    return _extension(extension, url, value_key)


def _sub_string(extension: dict, url: str) -> str:
    return (_sub_value(extension, url, "valueString") or "").strip()


DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _date(value: Any, where: str) -> date | None:
    """The calendar date a FHIR date or dateTime names, as written (its first ten characters)."""
    if value is None:
        return None
    match = DATE.match(str(value))
    try:
        return date.fromisoformat(match.group()) if match else date.fromisoformat("")
    except ValueError:
        raise PasInputError(
            "date_invalid", f"{where}: give a full date (YYYY-MM-DD), not {value!r}.", expression=where
        ) from None


def _units(value: Any, where: str) -> int:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or amount != amount.to_integral_value() or amount < 0:
        raise PasInputError(
            "units_invalid",
            f"{where}: the quantity approved is a whole number of billing units, not {value!r}.",
            expression=f"{where}.quantity",
        )
    return int(amount)
