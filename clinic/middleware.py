"""Under /api/ every error is the API's JSON, and under /fhir/ a FHIR OperationOutcome, whatever DEBUG says.

Django answers some errors before any API view runs: a URL the resolver does not know (with DEBUG on,
its HTML "Page not found" page, not `handler404`), or an exception's debug page. This replaces such an
HTML answer by `{"code", "detail", "fields"}`; DRF's own answers (JSON, or the browsable API's page
for a browser that asked for HTML) are left as they are, and so are the browsable API's own login
and logout pages under `/api/auth/`: they are pages for people (a lockout there says so on the page).
Under /fhir/ any error that is not already an OperationOutcome (Django's own 404 or 500, the API's
JSON error body) becomes one, keeping its status and its stable code.
"""

import json

from django.http import JsonResponse
from rest_framework.response import Response

from clinic.errors import FHIR_JSON, error_body, operation_outcome

FHIR_PREFIX = "/fhir/"
API_PREFIXES = ("/api/", FHIR_PREFIX)
HTML_PAGES = ("/api/auth/",)  # the browsable API's login and logout pages

ERRORS = {
    400: ("bad_request", "The request could not be read."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "No such endpoint or record."),
    405: ("method_not_allowed", "This method is not allowed here."),
    406: ("not_acceptable", "This endpoint answers JSON only."),
    413: ("request_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    429: ("too_many_requests", "Too many requests; wait a moment and try again."),
    500: ("server_error", "Something went wrong on our side; it has been logged."),
}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) and not path.startswith(HTML_PAGES)


def is_fhir_path(path: str) -> bool:
    return path.startswith(FHIR_PREFIX)


def error_code_and_detail(status: int) -> tuple[str, str]:
    fallback = ERRORS[500] if status >= 500 else ("error", "The request could not be served.")
    return ERRORS.get(status, fallback)


def fhir_error_response(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse(operation_outcome(code, detail, status), status=status, content_type=FHIR_JSON)


def _as_operation_outcome(response):
    """The OperationOutcome for an error answer under /fhir/ (None when it already is one)."""
    code, detail = error_code_and_detail(response.status_code)
    if "json" in response.get("Content-Type", ""):
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            body = None
        if isinstance(body, dict):
            if body.get("resourceType") == "OperationOutcome":
                return None
            if isinstance(body.get("code"), str) and isinstance(body.get("detail"), str):
                code, detail = body["code"], body["detail"]
    return fhir_error_response(code, detail, response.status_code)


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 400 and is_fhir_path(request.path):
            outcome = _as_operation_outcome(response)
            if outcome is None:
                return response
            for header in ("Allow", "WWW-Authenticate"):
                if response.has_header(header):
                    outcome[header] = response[header]
            return outcome
        if (
            response.status_code < 400
            or isinstance(response, Response)
            or not is_api_path(request.path)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        code, detail = ERRORS.get(status) or (
            ERRORS[500] if status >= 500 else ("error", response.reason_phrase)
        )
        json_response = JsonResponse(error_body(code, detail), status=status)
        if response.has_header("Allow"):
            json_response["Allow"] = response["Allow"]
        return json_response
