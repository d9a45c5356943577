"""The one JSON error format of the REST API: {"code": stable_code, "detail": sentence, "fields": {...}}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


def _flatten(details, prefix="") -> dict[str, list[dict[str, str]]]:
    """Turn DRF's nested error details into {"field.sub": [{"code", "detail"}]}."""
    fields: dict[str, list[dict[str, str]]] = {}
    if isinstance(details, dict):
        for key, value in details.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, errors in _flatten(value, name).items():
                fields.setdefault(field, []).extend(errors)
    elif isinstance(details, list):
        for index, value in enumerate(details):
            if isinstance(value, dict) and set(value) == {"message", "code"}:
                fields.setdefault(prefix or "non_field_errors", []).append(
                    {"code": str(value["code"]), "detail": str(value["message"])}
                )
            else:
                for field, errors in _flatten(value, f"{prefix}.{index}" if prefix else str(index)).items():
                    fields.setdefault(field, []).extend(errors)
    return fields


def error_body(code: str, detail: str, fields: dict | None = None, **extra) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}, **extra}


class Conflict(Exception):
    """A write refused because of other records (a booked chair, a decided authorization): HTTP 409.

    Services raise it without knowing about HTTP; the API turns it into the error body, with `extra`
    (e.g. {"conflict": {"booking": 12, "start": "..."}}) next to code and detail.
    """

    def __init__(self, code: str, detail: str, *, field: str | None = None, **extra):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field
        self.extra = extra


def exception_handler(exc, context):
    """Every 4xx is `{"code": stable_code, "detail": sentence, "fields": {field: [{code, detail}]}}`."""
    if isinstance(exc, Conflict):
        fields = {exc.field: [{"code": exc.code, "detail": exc.detail}]} if exc.field else {}
        set_rollback()
        return Response(error_body(exc.code, exc.detail, fields, **exc.extra), status=409)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # A service may raise PermissionDenied("sentence") with a `code` attribute for a specific 403.
        exc = exceptions.PermissionDenied(detail=str(exc) or None, code=getattr(exc, "code", None))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.get_full_details())
        first_field, first_errors = next(iter(fields.items()), ("non_field_errors", [{"code": "invalid"}]))
        first = first_errors[0]
        where = "" if first_field == "non_field_errors" else f"{first_field}: "
        response.data = error_body(first["code"], where + first.get("detail", "Invalid input."), fields)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
        response.data = error_body(code, str(exc.detail))
    return response


# --- FHIR: under /fhir/ every error is an OperationOutcome (built here, so the middleware, the error
# pages and the FHIR views answer the one shape) --------------------------------------------------------
FHIR_JSON = "application/fhir+json"
# Our stable error codes, in each issue's `details.coding` (the issue's `code` is FHIR's coarse type).
ERROR_CODE_SYSTEM = "urn:infusion-clinic:error-code"
# HTTP status -> FHIR IssueType (http://hl7.org/fhir/issue-type).
ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    410: "deleted",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    429: "throttled",
}


def operation_outcome(code: str, detail: str, status: int, *, expression: list[str] | None = None) -> dict:
    """A FHIR R4 OperationOutcome of one error issue: FHIR's issue type for the HTTP status, our
    stable `code` as a coding, the sentence as its text."""
    issue: dict = {
        "severity": "fatal" if status >= 500 else "error",
        "code": ISSUE_TYPES.get(status, "exception" if status >= 500 else "processing"),
        "details": {"coding": [{"system": ERROR_CODE_SYSTEM, "code": code}], "text": detail},
        "diagnostics": detail,
    }
    if expression:
        issue["expression"] = expression
    return {"resourceType": "OperationOutcome", "issue": [issue]}
