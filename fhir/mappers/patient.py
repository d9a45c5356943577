"""Patient: identity and contact of a patient (MRN as the identifier)."""

from django.db.models import Q

from fhir.mappers.common import MRN_SYSTEM, V2_0203, drop_empty
from fhir.model_types import model_type
from fhir.registry import ResourceType, SearchParam, register
from fhir.search import filter_date, split_values
from patients.models import Patient


def patient_resource(patient: Patient) -> dict:
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone, "use": "mobile"})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    return drop_empty(
        {
            "resourceType": "Patient",
            "id": str(patient.pk),
            "identifier": [
                {
                    "use": "usual",
                    "type": {
                        "coding": [{"system": V2_0203, "code": "MR", "display": "Medical record number"}]
                    },
                    "system": MRN_SYSTEM,
                    "value": patient.mrn,
                }
            ],
            "active": True,
            "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
            "telecom": telecom,
            "gender": patient.sex or "unknown",
            "birthDate": patient.date_of_birth.isoformat(),
        }
    )


def _identifier(queryset, values, query):
    for alternatives in split_values(values):
        mrns = [value.rpartition("|")[2].strip().upper() for value in alternatives]
        queryset = queryset.filter(mrn__in=mrns)
    return queryset


def _name(field_names):
    def apply(queryset, values, query):
        for alternatives in split_values(values):
            condition = Q()
            for value in alternatives:
                for field_name in field_names:
                    condition |= Q(**{f"{field_name}__istartswith": value})
            queryset = queryset.filter(condition)
        return queryset

    return apply


PARAMS = {
    "identifier": SearchParam("identifier", "token", "The MRN (system|value or value).", _identifier),
    "family": SearchParam("family", "string", "Family name, starts with (any case).", _name(["family_name"])),
    "given": SearchParam("given", "string", "Given name, starts with (any case).", _name(["given_name"])),
    "name": SearchParam(
        "name", "string", "Family or given name, starts with.", _name(["family_name", "given_name"])
    ),
    "birthdate": SearchParam(
        "birthdate",
        "date",
        "Date of birth (eq, ge, gt, le, lt).",
        lambda qs, values, query: filter_date(query, qs, "birthdate", values, "date_of_birth", is_date=True),
    ),
}

read, search = model_type(
    "Patient",
    rows=lambda request: Patient.objects.all(),
    to_resource=patient_resource,
    params=PARAMS,
    patients=lambda row: [row.pk],
)

register(
    ResourceType(
        name="Patient",
        permission="patients.view_patient",
        params=PARAMS,
        read=read,
        search=search,
        documentation="The clinic's patients; identifier is the MRN.",
    )
)
