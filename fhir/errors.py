"""FHIR errors: raised anywhere under /fhir/, answered as an OperationOutcome with a 4xx status.

`FhirError(status, code, detail)` carries our stable code; `exception_handler` turns it, and every
DRF exception (authentication, permission, parse, content negotiation), into the OperationOutcome of
`clinic.errors.operation_outcome`, the one shape the middleware and the error pages answer too.
"""

from rest_framework.response import Response
from rest_framework.views import set_rollback

from clinic.errors import exception_handler as api_exception_handler
from clinic.errors import operation_outcome


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


KEPT_HEADERS = ("WWW-Authenticate", "Retry-After", "Allow")


def exception_handler(exc, context):
    """Every error of a FHIR view as an OperationOutcome; None (a 500, logged) for anything else.

    A FhirError carries its own code; anything else (DRF's authentication, permission, parse and
    negotiation errors, a service's ValidationError or Conflict) is first answered by the API's own
    handler (clinic/errors.py), so its stable code and sentence are the ones /api/ gives, then
    wrapped as an OperationOutcome with the same status and headers."""
    if isinstance(exc, FhirError):
        set_rollback()
        headers = {"WWW-Authenticate": 'Bearer realm="fhir"'} if exc.status == 401 else None
        return outcome_response(exc.status, exc.code, exc.detail, exc.expression, headers)
    response = api_exception_handler(exc, context)
    if response is None:
        return None
    body = response.data if isinstance(response.data, dict) else {}
    code = str(body.get("code") or "error")
    detail = str(body.get("detail") or "The request could not be served.")
    fields = body.get("fields") or {}
    expression = sorted(fields)[:5] if isinstance(fields, dict) and fields else None
    headers = {
        name: value
        for name, value in response.items()
        if name in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    return outcome_response(response.status_code, code, detail, expression, headers)
