"""The JSON error pages of the API (404 and 500 under /api/ and /fhir/); other paths get Django's pages."""

from django.http import JsonResponse

from clinic.errors import error_body
from clinic.middleware import is_api_path


def _is_api(request) -> bool:
    return is_api_path(request.path)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("not_found", "No such endpoint or record."), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side; it has been logged."), status=500
        )
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)
