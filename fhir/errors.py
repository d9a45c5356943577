"""FHIR errors: raised anywhere under /fhir/, answered as an OperationOutcome with a 4xx status.

`FhirError(status, code, detail)` carries our stable code; `exception_handler` turns it, and every
DRF exception (authentication, permission, parse, content negotiation), into the OperationOutcome of
`clinic.errors.operation_outcome`, the one shape the middleware and the error pages answer too.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from clinic.errors import Conflict, operation_outcome


class FhirError(Exception):
    def __init__(self, status: int, code: str, detail: str, *, expression: list[str] | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.expression = expression


def bad_request(code: str, detail: str, *, param: str | None = None) -> FhirError:
    return FhirError(400, code, detail, expression=[param] if param else None)


def not_found(type_name: str, resource_id: str) -> FhirError:
    return FhirError(404, "not_found", f"No {type_name} with id {resource_id} here.")


def outcome_response(status: int, code: str, detail: str, expression=None, headers=None) -> Response:
    return Response(
        operation_outcome(code, detail, status, expression=expression), status=status, headers=headers
    )


def exception_handler(exc, context):
    """Every error of a FHIR view as an OperationOutcome; None (a 500, logged) for anything else."""
    if isinstance(exc, FhirError):
        set_rollback()
        headers = {"WWW-Authenticate": 'Bearer realm="fhir"'} if exc.status == 401 else None
        return outcome_response(exc.status, exc.code, exc.detail, exc.expression, headers)
    if isinstance(exc, Conflict):
        set_rollback()
        return outcome_response(409, exc.code, exc.detail)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None, code=getattr(exc, "code", None))
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        authenticate_header = context["view"].get_authenticate_header(context["request"])
        if authenticate_header:
            headers["WWW-Authenticate"] = authenticate_header
        else:
            exc.status_code = 403
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
    if isinstance(exc.detail, dict | list):
        detail = str(exc.default_detail)
    return outcome_response(exc.status_code, str(code), str(detail), headers=headers)
