"""MedicationRequest: a treatment order (product, dose per cycle, interval, the protocol's rate steps).

The dose is per kg (g/kg) or fixed (g); each titration step of the order's protocol is one
`dosageInstruction.doseAndRate` entry with its rate in mL/kg/h (UCUM), in the protocol's order: the
rates a nurse steps through. The step's minutes are in the dosage text (FHIR's doseAndRate has no
duration).
"""

from fhir.mappers.common import HCPCS, ICD10CM, drop_empty, instant, number, quantity, reference
from fhir.model_types import model_type
from fhir.registry import ResourceType, SearchParam, register
from fhir.search import filter_date, filter_reference, filter_token, split_values
from infusions.models import OrderStatus, TreatmentOrder

SNOMED = "http://snomed.info/sct"
DOSE_RATE_TYPE = "http://terminology.hl7.org/CodeSystem/dose-rate-type"
ROUTES = {"IV": ("47625008", "Intravenous route"), "SC": ("34206005", "Subcutaneous route")}
STATUS = {OrderStatus.ACTIVE: "active", OrderStatus.ON_HOLD: "on-hold", OrderStatus.DISCONTINUED: "stopped"}
FHIR_STATUSES = [
    "active",
    "on-hold",
    "cancelled",
    "completed",
    "entered-in-error",
    "stopped",
    "draft",
    "unknown",
]
BY_FHIR_STATUS = {code: [ours for ours, theirs in STATUS.items() if theirs == code] for code in FHIR_STATUSES}


def medication_concept(product) -> dict:
    return {
        "coding": [{"system": HCPCS, "code": product.hcpcs_code}],
        "text": f"{product} ({product.manufacturer})",
    }


def route_concept(route: str) -> dict | None:
    if route not in ROUTES:
        return None
    code, display = ROUTES[route]
    return {"coding": [{"system": SNOMED, "code": code, "display": display}]}


def _steps_text(steps) -> str:
    parts = [
        f"{number(step.rate_ml_per_kg_h)} mL/kg/h"
        + (f" for {step.minutes} min" if step.minutes else " to the end")
        for step in steps
    ]
    return "Rates: " + ", then ".join(parts) if parts else ""


def medication_request_resource(order: TreatmentOrder) -> dict:
    steps = list(order.protocol.steps.all())
    if order.dose_grams_per_kg is not None:
        dose = quantity(order.dose_grams_per_kg, "g/kg")
        dose_text = f"{number(order.dose_grams_per_kg)} g/kg per cycle"
    else:
        dose = quantity(order.fixed_grams, "g")
        dose_text = f"{number(order.fixed_grams)} g per cycle"
    if order.split_days > 1:
        dose_text += f" over {order.split_days} days"
    ordered = {"coding": [{"system": DOSE_RATE_TYPE, "code": "ordered", "display": "Ordered"}]}
    dose_and_rate = [
        drop_empty(
            {
                "type": ordered,
                "doseQuantity": dose if i == 0 else None,
                "rateQuantity": quantity(step.rate_ml_per_kg_h, "mL/kg/h"),
            }
        )
        for i, step in enumerate(steps)
    ] or [{"type": ordered, "doseQuantity": dose}]
    repeat = drop_empty(
        {"count": order.cycles, "frequency": 1, "period": order.interval_days, "periodUnit": "d"}
        if order.interval_days
        else {"count": order.cycles}
    )
    return drop_empty(
        {
            "resourceType": "MedicationRequest",
            "id": str(order.pk),
            "status": STATUS[order.status],
            "statusReason": {"text": order.discontinued_reason} if order.discontinued_reason else None,
            "intent": "order",
            "medicationCodeableConcept": medication_concept(order.product),
            "subject": reference("Patient", order.patient_id),
            "authoredOn": instant(order.created_at),
            "requester": {"display": order.prescriber},
            "reasonCode": [
                {
                    "coding": [{"system": ICD10CM, "code": order.indication.code}],
                    "text": order.indication.description,
                }
            ],
            "note": [{"text": f"Premedication: {order.premedication}"}] if order.premedication else [],
            "dosageInstruction": [
                drop_empty(
                    {
                        "sequence": 1,
                        "text": "; ".join(
                            t for t in (dose_text, f"protocol {order.protocol.name}", _steps_text(steps)) if t
                        ),
                        "timing": {"repeat": repeat} if repeat else None,
                        "route": route_concept(order.product.route),
                        "doseAndRate": dose_and_rate,
                    }
                )
            ],
            "dispenseRequest": {"validityPeriod": {"start": order.start_date.isoformat()}},
            "priorPrescription": reference("MedicationRequest", order.replaces_id)
            if order.replaces_id
            else None,
        }
    )


def _code(queryset, values, query):
    for alternatives in split_values(values):
        queryset = queryset.filter(product__hcpcs_code__in=[v.rpartition("|")[2] for v in alternatives])
    return queryset


PARAMS = {
    "patient": SearchParam(
        "patient",
        "reference",
        "The patient (Patient/id or id).",
        lambda qs, values, query: filter_reference(qs, "patient", values, "Patient", "patient_id"),
    ),
    "subject": SearchParam(
        "subject",
        "reference",
        "Same as patient.",
        lambda qs, values, query: filter_reference(qs, "subject", values, "Patient", "patient_id"),
    ),
    "status": SearchParam(
        "status",
        "token",
        "active, on-hold, stopped (discontinued).",
        lambda qs, values, query: filter_token(qs, "status", values, BY_FHIR_STATUS, "status"),
    ),
    "authoredon": SearchParam(
        "authoredon",
        "date",
        "When the order was written (eq, ge, gt, le, lt).",
        lambda qs, values, query: filter_date(query, qs, "authoredon", values, "created_at"),
    ),
    "date": SearchParam(
        "date",
        "date",
        "The order's first cycle date (eq, ge, gt, le, lt).",
        lambda qs, values, query: filter_date(query, qs, "date", values, "start_date", is_date=True),
    ),
    "code": SearchParam("code", "token", "The product's HCPCS code (e.g. J1459).", _code),
}

read, search = model_type(
    "MedicationRequest",
    rows=lambda request: TreatmentOrder.objects.select_related(
        "product", "indication", "protocol"
    ).prefetch_related("protocol__steps"),
    to_resource=medication_request_resource,
    params=PARAMS,
    patients=lambda row: [row.patient_id],
)

register(
    ResourceType(
        name="MedicationRequest",
        permission="infusions.view_treatmentorder",
        params=PARAMS,
        read=read,
        search=search,
        documentation="Treatment orders: product (HCPCS), dose per cycle, interval, rate steps in mL/kg/h.",
    )
)
