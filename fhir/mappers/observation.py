"""Observation: a vitals reading as the vital-signs panel with one component per value.

(Moved here from charting/fhir.py: one mapping per resource type. The old URL,
/api/v1/sessions/{s}/vitals/{id}/fhir/, now redirects to /fhir/R4/Observation/vitals-{id}.)

Codes and units from shared DOMAIN.md: panel 85353-1, blood pressure 85354-9 (systolic 8480-6,
diastolic 8462-4), heart rate 8867-4, respiratory rate 9279-1, body temperature 8310-5, SpO2 2708-6 and
59408-5 (pulse oximetry); UCUM units mm[Hg], /min, Cel, %.
"""

import re

from django.db.models import Q

from charting.models import InfusionSession, VitalsReading
from charting.selectors import access_sessions
from fhir.model_types import model_type
from fhir.registry import ResourceType, SearchParam, register
from fhir.search import filter_constant, filter_date, filter_reference, token_codes

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"

# field -> (codings [(code, display)], unit, display unit)
COMPONENTS = (
    ("systolic", [("8480-6", "Systolic blood pressure")], "mm[Hg]", "mmHg"),
    ("diastolic", [("8462-4", "Diastolic blood pressure")], "mm[Hg]", "mmHg"),
    ("heart_rate", [("8867-4", "Heart rate")], "/min", "/min"),
    ("respiratory_rate", [("9279-1", "Respiratory rate")], "/min", "/min"),
    ("temperature_c", [("8310-5", "Body temperature")], "Cel", "Cel"),
    (
        "spo2",
        [
            ("2708-6", "Oxygen saturation in Arterial blood"),
            ("59408-5", "Oxygen saturation by Pulse oximetry"),
        ],
        "%",
        "%",
    ),
)
# Which flag codes mark a component high (H) or low (L).
FLAG_FIELDS = {
    "systolic_high": ("systolic", "H"),
    "systolic_low": ("systolic", "L"),
    "diastolic_high": ("diastolic", "H"),
    "heart_rate_high": ("heart_rate", "H"),
    "heart_rate_low": ("heart_rate", "L"),
    "temperature_high": ("temperature_c", "H"),
    "temperature_rise": ("temperature_c", "H"),
    "respiratory_rate_high": ("respiratory_rate", "H"),
    "spo2_low": ("spo2", "L"),
}


def _concept(codings, text: str | None = None) -> dict:
    concept = {"coding": [{"system": LOINC, "code": code, "display": display} for code, display in codings]}
    if text:
        concept["text"] = text
    return concept


def vitals_observation(reading: VitalsReading, session: InfusionSession) -> dict:
    """Return the FHIR R4 Observation JSON of one vitals set (components for the values taken)."""
    interpretations = {}
    for flag in reading.flags:
        field, code = FLAG_FIELDS.get(flag["code"], (None, None))
        if field:
            interpretations[field] = code
    components = []
    for field, codings, unit, display_unit in COMPONENTS:
        value = getattr(reading, field)
        if value is None:
            continue
        component = {
            "code": _concept(codings),
            "valueQuantity": {"value": float(value), "unit": display_unit, "system": UCUM, "code": unit},
        }
        if field in interpretations:
            component["interpretation"] = [
                {"coding": [{"system": INTERPRETATION, "code": interpretations[field]}]}
            ]
        components.append(component)
    observation = {
        "resourceType": "Observation",
        "id": f"vitals-{reading.pk}",
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{reading.client_id}"}],
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}],
        "code": _concept(
            [("85353-1", "Vital signs, weight, height, head circumference, oxygen saturation and BMI panel")],
            "Vital signs",
        ),
        "subject": {"reference": f"Patient/{session.patient_id}"},
        "encounter": {"reference": f"Encounter/infusion-session-{session.pk}"},
        "effectiveDateTime": reading.taken_at.isoformat(),
        "issued": reading.recorded_at.isoformat(),
        "component": components,
    }
    if reading.symptoms:
        observation["note"] = [{"text": reading.symptoms}]
    return observation


def _rows(request):
    sessions = access_sessions(request.user, InfusionSession.objects.all())
    return VitalsReading.objects.select_related("session").filter(session__in=sessions)


def _code(queryset, values, query):
    for alternatives in token_codes("code", values, CODES, system=LOINC):
        if None in alternatives:
            continue  # the panel itself: every reading
        condition = Q()
        for field in alternatives:
            condition |= Q(**{f"{field}__isnull": False})
        queryset = queryset.filter(condition)
    return queryset


PARAMS = {
    "patient": SearchParam(
        "patient",
        "reference",
        "The patient (Patient/id or id).",
        lambda qs, values, query: filter_reference(qs, "patient", values, "Patient", "session__patient_id"),
    ),
    "subject": SearchParam(
        "subject",
        "reference",
        "Same as patient.",
        lambda qs, values, query: filter_reference(qs, "subject", values, "Patient", "session__patient_id"),
    ),
    "date": SearchParam(
        "date",
        "date",
        "When the vitals were taken (eq, ge, gt, le, lt).",
        lambda qs, values, query: filter_date(query, qs, "date", values, "taken_at"),
    ),
    "status": SearchParam(
        "status",
        "token",
        "final (a reading is final once charted).",
        lambda qs, values, query: filter_constant(qs, "status", values, OBSERVATION_STATUSES, {"final"}),
    ),
    "category": SearchParam(
        "category",
        "token",
        "vital-signs.",
        lambda qs, values, query: filter_constant(qs, "category", values, {"vital-signs"}, {"vital-signs"}),
    ),
    "code": SearchParam(
        "code",
        "token",
        "85353-1 (the vital-signs panel), or a component's LOINC code: the panels that have that value.",
        _code,
    ),
}
# LOINC code -> the reading's field that holds it (the panel's own code: none, every reading has it).
CODES: dict[str, str | None] = {"85353-1": None} | {
    code: field for field, codings, _, _ in COMPONENTS for code, _ in codings
}
OBSERVATION_STATUSES = {
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
}


def _pk(resource_id: str) -> int:
    return int(resource_id.removeprefix("vitals-"))


read, search = model_type(
    "Observation",
    rows=_rows,
    to_resource=lambda reading: vitals_observation(reading, reading.session),
    params=PARAMS,
    patients=lambda reading: [reading.session.patient_id],
    row_pk=_pk,
)

register(
    ResourceType(
        name="Observation",
        permission="charting.view_vitalsreading",
        params=PARAMS,
        read=read,
        search=search,
        documentation="Vitals charted at the chair: the vital-signs panel (LOINC 85353-1) with components.",
        profile="http://hl7.org/fhir/StructureDefinition/vitalsigns",
        id_pattern=re.compile(r"^vitals-[1-9][0-9]{0,17}$"),
        id_hint="vitals- and a whole number",
    )
)
