"""Coverage: a patient's insurance with one payer (member id, plan, order, period)."""

from django.db.models import Q
from django.utils import timezone

from fhir.mappers.common import PAYER_SYSTEM, drop_empty, reference
from fhir.model_types import model_type
from fhir.registry import ResourceType, SearchParam, register
from fhir.search import filter_constant, filter_reference, split_values
from insurance.models import Coverage

COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"


def coverage_resource(coverage: Coverage) -> dict:
    payer = coverage.payer
    return drop_empty(
        {
            "resourceType": "Coverage",
            "id": str(coverage.pk),
            "identifier": [{"system": f"{PAYER_SYSTEM}:{payer.code}:member", "value": coverage.member_id}],
            "status": "active",
            "subscriberId": coverage.member_id,
            "beneficiary": reference("Patient", coverage.patient_id),
            "relationship": {"coding": [{"system": RELATIONSHIP, "code": "self"}]},
            "period": drop_empty(
                {
                    "start": coverage.valid_from.isoformat(),
                    "end": coverage.valid_to.isoformat() if coverage.valid_to else None,
                }
            ),
            "payor": [
                {"identifier": {"system": PAYER_SYSTEM, "value": payer.code}, "display": payer.name},
            ],
            "class": [
                {
                    "type": {"coding": [{"system": COVERAGE_CLASS, "code": "plan"}]},
                    "value": coverage.plan_name,
                    "name": coverage.plan_name,
                }
            ]
            if coverage.plan_name
            else [],
            "order": coverage.priority,
        }
    )


def _payor(queryset, values, query):
    for alternatives in split_values(values):
        codes = [value.rpartition("|")[2] for value in alternatives]
        queryset = queryset.filter(payer__code__in=codes)
    return queryset


def _in_force(queryset, values, query):
    """`active=true`: in force today (`false`: ended, or not yet begun)."""
    today = timezone.localdate()
    in_force = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    for alternatives in split_values(values):
        if not set(alternatives) <= {"true", "false"}:
            from fhir.errors import bad_request

            raise bad_request("token_invalid", "in-force is true or false.", param="in-force")
        if alternatives == ["true"]:
            queryset = queryset.filter(in_force)
        elif alternatives == ["false"]:
            queryset = queryset.exclude(in_force)
    return queryset


def _patient(name):
    return lambda qs, values, query: filter_reference(qs, name, values, "Patient", "patient_id")


PARAMS = {
    "patient": SearchParam(
        "patient", "reference", "The patient covered (Patient/id or id).", _patient("patient")
    ),
    "beneficiary": SearchParam("beneficiary", "reference", "Same as patient.", _patient("beneficiary")),
    "payor": SearchParam("payor", "token", "The payer's code (e.g. acme-health).", _payor),
    "status": SearchParam(
        "status",
        "token",
        "active (a coverage on file is active; see in-force for its dates).",
        lambda qs, values, query: filter_constant(
            qs, "status", values, {"active", "cancelled", "draft", "entered-in-error"}, {"active"}
        ),
    ),
    "in-force": SearchParam("in-force", "token", "true: in force today; false: not.", _in_force),
}

read, search = model_type(
    "Coverage",
    rows=lambda request: Coverage.objects.select_related("payer"),
    to_resource=coverage_resource,
    params=PARAMS,
    patients=lambda row: [row.patient_id],
)

register(
    ResourceType(
        name="Coverage",
        permission="insurance.view_coverage",
        params=PARAMS,
        read=read,
        search=search,
        documentation="A patient's insurance: payer, member id (subscriberId), plan, order and period.",
    )
)
