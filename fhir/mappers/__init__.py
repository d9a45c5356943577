"""One module per FHIR resource type: a pure mapper (model -> dict) and its registration.

Importing this package registers every type (fhir/apps.py imports it when Django starts).
"""

from fhir.mappers import observation, patient  # noqa: F401
