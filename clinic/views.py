"""The JSON error pages of the API (404 and 500 under /api/; under /fhir/ an OperationOutcome); other
paths get Django's pages."""

from django.http import JsonResponse

from clinic.errors import error_body
from clinic.middleware import error_code_and_detail, fhir_error_response, is_api_path, is_fhir_path


def _is_api(request) -> bool:
    return is_api_path(request.path)


def not_found(request, exception=None):
    if is_fhir_path(request.path):
        return fhir_error_response(*error_code_and_detail(404), 404)
    if _is_api(request):
        return JsonResponse(error_body("not_found", "No such endpoint or record."), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    if is_fhir_path(request.path):
        return fhir_error_response(*error_code_and_detail(500), 500)
    if _is_api(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side; it has been logged."), status=500
        )
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)
