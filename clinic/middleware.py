"""Under /api/ (and /fhir/) every error is the API's JSON, whatever DEBUG says.

Django answers some errors before any API view runs: a URL the resolver does not know (with DEBUG on,
its HTML "Page not found" page, not `handler404`), or an exception's debug page. This replaces such an
HTML answer by `{"code", "detail", "fields"}`; DRF's own answers (JSON, or the browsable API's page
for a browser that asked for HTML) are left as they are, and so are the browsable API's own login
and logout pages under `/api/auth/`: they are pages for people (a lockout there says so on the page).
"""

from django.http import JsonResponse
from rest_framework.response import Response

from clinic.errors import error_body

API_PREFIXES = ("/api/", "/fhir/")
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


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or isinstance(response, Response)
            or not is_api_path(request.path)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        fallback = ERRORS[500] if status >= 500 else ("error", response.reason_phrase)
        code, detail = ERRORS.get(status, fallback)
        json_response = JsonResponse(error_body(code, detail), status=status)
        if response.has_header("Allow"):
            json_response["Allow"] = response["Allow"]
        return json_response
