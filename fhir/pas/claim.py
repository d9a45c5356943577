"""A prior authorization request as a Da Vinci PAS request Bundle, and its decision as a ClaimResponse.

Mappers: rows in (already loaded, nothing is queried here), FHIR JSON out. The Bundle is a
`collection` whose first entry is the PAS Claim (`use = preauthorization`), followed by the Patient,
the Coverage, the MedicationRequest (the treatment order, when the request names one) and the two
Organizations (the payer as insurer, the clinic as requestor), as the guide's
`Bundle-ReferralAuthorizationBundleExample` holds them. The Claim's one item is the product's HCPCS
code with the billing units requested as its quantity (500 mg units for IVIG), the period requested,
the diagnosis, and the treatment order through PAS's `extension-requestedService`.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime

from fhir.mappers.common import PAYER_SYSTEM
from fhir.pas import codes

IDENTIFIER_SYSTEM = "urn:infusion-clinic:prior-authorization"
CLINIC_ORGANIZATION_ID = "clinic"


def instant(value: datetime) -> str:
    """A FHIR instant in UTC, to the second (`2027-03-01T14:00:00Z`)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def payer_organization_id(payer_id: int) -> str:
    return f"payer-{payer_id}"


def claim_status(status: str) -> str:
    """FHIR's Claim status (financial-resource-status) for the request's own status."""
    return {"draft": "draft", "cancelled": "cancelled"}.get(status, "active")


def _coding(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, display: str | None = None) -> dict:
    return {"coding": [_coding(system, code, display)]}


def _extension(url: str, **value) -> dict:
    return {"url": url, **value}


def pas_claim(auth, *, medication_request_id: str | None, product_name: str | None = None) -> dict:
    """The PAS Claim of one authorization request (`auth` with its payer, coverage and patient)."""
    expedited = auth.urgency == "expedited"
    item_extensions = [
        _extension(
            codes.EXT_SERVICE_ITEM_REQUEST_TYPE,
            valueCodeableConcept=_concept(codes.X12_REQUEST_TYPE, "HS", "Health Services Review"),
        ),
        _extension(
            codes.EXT_CERTIFICATION_TYPE,
            valueCodeableConcept=_concept(codes.X12_CERTIFICATION_TYPE, "I", "Initial"),
        ),
    ]
    if medication_request_id:
        item_extensions.append(
            _extension(
                codes.EXT_REQUESTED_SERVICE,
                valueReference={"reference": f"MedicationRequest/{medication_request_id}"},
            )
        )
    if auth.number:
        item_extensions.append(_extension(codes.EXT_AUTHORIZATION_NUMBER, valueString=auth.number))
    claim: dict = {
        "resourceType": "Claim",
        "id": str(auth.pk),
        "meta": {"profile": [codes.PROFILE_CLAIM]},
    }
    if expedited:
        claim["extension"] = [
            _extension(
                codes.EXT_LEVEL_OF_SERVICE,
                valueCodeableConcept=_concept(codes.X12_LEVEL_OF_SERVICE, "U", "Urgent"),
            )
        ]
    claim |= {
        "identifier": [{"system": IDENTIFIER_SYSTEM, "value": str(auth.pk)}],
        "status": claim_status(auth.status),
        "type": _concept(codes.CLAIM_TYPE, "professional"),
        "use": "preauthorization",
        "patient": {"reference": f"Patient/{auth.patient_id}"},
        "created": instant(auth.submitted_at or auth.created_at),
        "insurer": {"reference": f"Organization/{payer_organization_id(auth.payer_id)}"},
        "provider": {"reference": f"Organization/{CLINIC_ORGANIZATION_ID}"},
        "priority": _concept(codes.PROCESS_PRIORITY, "stat" if expedited else "normal"),
        "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": _concept(codes.ICD10CM, auth.icd10_code)}],
        "insurance": [
            {"sequence": 1, "focal": True, "coverage": {"reference": f"Coverage/{auth.coverage_id}"}}
        ],
        "item": [
            {
                "extension": item_extensions,
                "sequence": 1,
                "diagnosisSequence": [1],
                "category": _concept(codes.X12_SERVICE_TYPE, "1", "Medical Care"),
                "productOrService": _concept(codes.HCPCS, auth.hcpcs_code, product_name),
                "servicedPeriod": {
                    "start": auth.requested_from.isoformat(),
                    "end": auth.requested_to.isoformat(),
                },
                "quantity": {"value": auth.units_requested, "unit": "billing units"},
            }
        ],
    }
    return claim


def insurer_organization(payer) -> dict:
    return {
        "resourceType": "Organization",
        "id": payer_organization_id(payer.pk),
        "meta": {"profile": [codes.PROFILE_INSURER]},
        "identifier": [{"system": PAYER_SYSTEM, "value": payer.code}],
        "active": True,
        "type": [_concept(codes.X12_ENTITY_TYPE, "PR", "Payer")],
        "name": payer.name,
    }


def requestor_organization(name: str) -> dict:
    return {
        "resourceType": "Organization",
        "id": CLINIC_ORGANIZATION_ID,
        "meta": {"profile": [codes.PROFILE_REQUESTOR]},
        "active": True,
        "type": [_concept(codes.X12_ENTITY_TYPE, "X3", "Utilization Management Organization")],
        "name": name,
    }


def _entry(base: str, resource: dict) -> dict:
    return {"fullUrl": f"{base}{resource['resourceType']}/{resource['id']}", "resource": resource}


def request_bundle(claim: dict, others: Iterable[dict], *, base: str, timestamp: datetime) -> dict:
    """The PAS request Bundle: the Claim first, then the resources it references. `base` ends in `/`."""
    return {
        "resourceType": "Bundle",
        "id": f"pas-request-{claim['id']}",
        "meta": {"profile": [codes.PROFILE_REQUEST_BUNDLE]},
        "identifier": {"system": IDENTIFIER_SYSTEM, "value": claim["id"]},
        "type": "collection",
        "timestamp": instant(timestamp),
        "entry": [_entry(base, claim), *(_entry(base, resource) for resource in others)],
    }


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def pas_claim_response(auth, *, created: datetime) -> dict:
    """The clinic's record of the payer's decision on `auth`, as a PAS ClaimResponse (answer to a POST)."""
    review = codes.STATUS_REVIEW_ACTION.get(auth.status)
    action_extensions = []
    if auth.number and review in ("A1", "A2"):
        action_extensions.append({"url": "number", "valueString": auth.number})
    if review:
        display = codes.REVIEW_ACTIONS[review][1]
        action_extensions.append(
            _extension(
                codes.EXT_REVIEW_ACTION_CODE,
                valueCodeableConcept=_concept(codes.X12_REVIEW_ACTION, review, display),
            )
        )
    if review == "A3" and auth.denial_code:
        action_extensions.append(
            {
                "url": "reasonCode",
                "valueCodeableConcept": {
                    "coding": [_coding(codes.X12_REVIEW_REASON, auth.denial_code)],
                    "text": auth.denial_reason,
                },
            }
        )
    item_extensions = []
    if review in ("A1", "A2") and auth.valid_from and auth.valid_to:
        item_extensions.append(
            _extension(
                codes.EXT_PREAUTH_PERIOD,
                valuePeriod={"start": _date(auth.valid_from), "end": _date(auth.valid_to)},
            )
        )
        if auth.units_approved is not None:
            item_extensions.append(
                {
                    "url": codes.EXT_AUTHORIZED_DETAIL,
                    "extension": [
                        {
                            "url": "productOrServiceCode",
                            "valueCodeableConcept": _concept(codes.HCPCS, auth.hcpcs_code),
                        },
                        {"url": "quantity", "valueQuantity": {"value": auth.units_approved}},
                    ],
                }
            )
    item: dict = {"itemSequence": 1}
    if item_extensions:
        item["extension"] = item_extensions
    item["adjudication"] = [
        {
            "extension": [{"url": codes.EXT_REVIEW_ACTION, "extension": action_extensions}],
            "category": _concept(codes.ADJUDICATION, "submitted"),
        }
    ]
    response: dict = {
        "resourceType": "ClaimResponse",
        "id": str(auth.pk),
        "meta": {"profile": [codes.PROFILE_CLAIM_RESPONSE]},
        "identifier": [{"system": IDENTIFIER_SYSTEM, "value": str(auth.pk)}],
        "status": "active",
        "type": _concept(codes.CLAIM_TYPE, "professional"),
        "use": "preauthorization",
        "patient": {"reference": f"Patient/{auth.patient_id}"},
        "created": instant(created),
        "insurer": {"reference": f"Organization/{payer_organization_id(auth.payer_id)}"},
        "requestor": {"reference": f"Organization/{CLINIC_ORGANIZATION_ID}"},
        "request": {"reference": f"Claim/{auth.pk}"},
        "outcome": "complete" if review else "queued",
    }
    if auth.number and review in ("A1", "A2"):
        response["preAuthRef"] = auth.number
    if auth.status == "denied":
        response["disposition"] = auth.denial_reason
    elif auth.status == "pended":
        response["disposition"] = auth.information_requested
    response["item"] = [item]
    return response
