"""The tablet's language: the nurse's own choice (her `clinic.StaffPreference`), else her browser's.

Only the tablet is translated. Its pages (/chairside/) are activated here, and so are the API calls its
script makes (it names the page's language in `X-Chairside-Language`), so a question the server asks
(a reason for ending short, a repeated set) reaches the nurse in the language of the page. The admin,
the desk and every other API client stay English: their pages and reports are written for the clinic's
office, and a half-translated admin (Django's own strings in French, the clinic's in English) would
read worse than one language. What is stored (flags, reasons, audit rows) is never translated: it is
written in English and shown translated (charting/templatetags/chairside.py).
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from clinic.preferences import staff_language

PAGES = "/chairside/"
API = "/api/"
HEADER = "X-Chairside-Language"


def page_language(request) -> str:
    """The language of a tablet page for this request: the nurse's choice, else Accept-Language."""
    return staff_language(request.user) or translation.get_language_from_request(request)


class ChairsideLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.known = dict(settings.LANGUAGES)

    def __call__(self, request):
        if request.path.startswith(PAGES):
            language = page_language(request)
        elif request.path.startswith(API) and request.headers.get(HEADER) in self.known:
            language = request.headers[HEADER]
        else:
            return self.get_response(request)
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            if request.path.startswith(PAGES):
                patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
