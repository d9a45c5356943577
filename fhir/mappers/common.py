"""Code systems and small builders the resource mappers share (pure: no queries)."""

from datetime import datetime
from decimal import Decimal

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
# Our own identifiers: the MRN, a coverage's member id per payer, a chair.
MRN_SYSTEM = "urn:infusion-clinic:mrn"
PAYER_SYSTEM = "urn:infusion-clinic:payer"


def reference(type_name: str, pk, display: str | None = None) -> dict:
    ref = {"reference": f"{type_name}/{pk}"}
    if display:
        ref["display"] = display
    return ref


def instant(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def number(value: Decimal | int | float) -> float | int:
    """A JSON number that keeps what the value says (70 stays 70, 0.4 stays 0.4)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def quantity(value, unit: str, code: str | None = None) -> dict:
    return {"value": number(value), "unit": unit, "system": UCUM, "code": code or unit}


def drop_empty(resource: dict) -> dict:
    """FHIR allows no empty strings, lists or objects: leave such elements out."""
    return {key: value for key, value in resource.items() if value not in (None, "", [], {})}
