"""A vitals reading as a FHIR R4 Observation: the vital-signs panel with one component per value.

Codes and units from shared DOMAIN.md: panel 85353-1, blood pressure 85354-9 (systolic 8480-6,
diastolic 8462-4), heart rate 8867-4, respiratory rate 9279-1, body temperature 8310-5, SpO2 2708-6 and
59408-5 (pulse oximetry); UCUM units mm[Hg], /min, Cel, %.
"""

from charting.models import InfusionSession, VitalsReading

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
