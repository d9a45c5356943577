"""`Cache-Control: no-store` on every answer that can carry patient data.

The admin, the tablet pages, the API and FHIR show patients; a shared workstation's browser cache, a
proxy or the back button must keep none of it. Static files and the health check stay cacheable.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(tuple(settings.NO_STORE_URL_PREFIXES)) and "no-store" not in response.get(
            "Cache-Control", ""
        ):
            add_never_cache_headers(response)
        return response
