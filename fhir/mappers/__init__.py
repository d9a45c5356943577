"""One module per FHIR resource type: a pure mapper (model -> dict) and its registration.

Importing this package registers every type (fhir/apps.py imports it when Django starts).
"""

from fhir.mappers import (  # noqa: F401
    adverse_event,
    appointment,
    coverage,
    location,
    medication_administration,
    medication_request,
    observation,
    patient,
    schedule,
    slot,
)
