"""Who may act on a visit page: whoever holds a live link to it, from an address under the rate limit.

Every view of selfservice goes through `link_view`: it counts the request (`throttle`), resolves the
token (`tokens.link_resolve`), answers one neutral page for any token that does not work, and renders
the rest in the patient's language. Nobody logs in: the link is the key, so it opens one booking only.
"""

from collections.abc import Callable
from functools import wraps

from django.utils import translation
from django.views.decorators.cache import never_cache

from selfservice import throttle, tokens
from selfservice.models import LinkPurpose, LinkToken
from selfservice.pages import page

NEUTRAL_STATUS = 404


def _secure(response):
    # The token is in the URL: no page of ours may hand it to another site or a search engine.
    # same-origin, not no-referrer: the browser must still name our origin on the page's own form posts
    # (without it Chromium sends "Origin: null" and CSRF refuses them).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def neutral_page(request):
    """The one answer for a wrong, expired, revoked, used or malformed link: the same text and status
    for all of them, in the browser's language (the patient's is not known)."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        return _secure(page(request, "selfservice/neutral.html", status=NEUTRAL_STATUS))


def too_many(request):
    language = translation.get_language_from_request(request)
    with translation.override(language):
        response = page(request, "selfservice/too_many.html", status=429)
    response["Retry-After"] = str(throttle.retry_after())
    return _secure(response)


def link_view(purpose: str = LinkPurpose.VISIT) -> Callable:
    """Decorate `view(request, link, token)`: rate limit, resolve, neutral page, patient's language."""

    def decorate(view: Callable) -> Callable:
        @never_cache
        @wraps(view)
        def wrapped(request, token: str, *args, **kwargs):
            if throttle.over_limit(request):
                return too_many(request)
            link: LinkToken | None = tokens.link_resolve(token, purpose=purpose)
            if link is None:
                return neutral_page(request)
            with translation.override(link.patient.preferred_language or "en"):
                response = view(request, link, token, *args, **kwargs)
                if hasattr(response, "render"):
                    response.render()
            return _secure(response)

        return wrapped

    return decorate


@never_cache
def malformed(request, rest: str = ""):
    """Anything under /v/ that is not a token's shape: the neutral page, counted like the others."""
    if throttle.over_limit(request):
        return too_many(request)
    return neutral_page(request)
