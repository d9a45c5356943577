"""FHIR's JSON: `application/fhir+json` in and out (plain `application/json` is accepted as well)."""

from rest_framework import renderers

from clinic.errors import FHIR_JSON
from clinic.parsers import JSONParser as DepthLimitedJSONParser


class FhirJSONRenderer(renderers.JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir+json"
    charset = None  # JSON is UTF-8; FHIR clients read the bare media type


class JSONRenderer(renderers.JSONRenderer):
    """For a client that accepts only application/json: the same body."""


class FhirJSONParser(DepthLimitedJSONParser):
    media_type = FHIR_JSON


class PlainJSONParser(DepthLimitedJSONParser):
    pass
