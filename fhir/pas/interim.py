"""Interim Coverage and MedicationRequest mappers until fhir/mappers/ has them (part A of issue 20)."""

from fhir.mappers.common import HCPCS, PAYER_SYSTEM, V2_0203

RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"


def coverage_resource(coverage) -> dict:
    resource = {
        "resourceType": "Coverage",
        "id": str(coverage.pk),
        "identifier": [
            {
                "type": {"coding": [{"system": V2_0203, "code": "MB"}]},
                "system": f"{PAYER_SYSTEM}:{coverage.payer.code}:member",
                "value": coverage.member_id,
            }
        ],
        "status": "active",
        "subscriberId": coverage.member_id,
        "beneficiary": {"reference": f"Patient/{coverage.patient_id}"},
        "relationship": {"coding": [{"system": RELATIONSHIP, "code": "self"}]},
        "period": {"start": coverage.valid_from.isoformat()},
        "payor": [{"reference": f"Organization/payer-{coverage.payer_id}"}],
        "order": coverage.priority,
    }
    if coverage.valid_to:
        resource["period"]["end"] = coverage.valid_to.isoformat()
    return resource


def medication_request_resource(order) -> dict:
    return {
        "resourceType": "MedicationRequest",
        "id": str(order.pk),
        "status": "active" if order.status == "active" else "stopped",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": HCPCS, "code": order.product.hcpcs_code}],
            "text": order.product.brand,
        },
        "subject": {"reference": f"Patient/{order.patient_id}"},
        "authoredOn": order.created_at.isoformat(),
        "requester": {"display": order.prescriber},
    }
