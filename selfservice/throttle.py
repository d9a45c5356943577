"""Requests to the patients' link pages, counted per address in Redis (Django's cache).

django-axes counts failed logins; a link page has no login, so this is a plain fixed-window counter:
`SELFSERVICE_RATE_LIMIT` requests per `SELFSERVICE_RATE_WINDOW_SECONDS` from one address, every request
counted (a right token or a wrong one), so guessing tokens from one address is slow as well as hopeless
(256 random bits). The address is the one the audit trail writes down, kept in the key only as a hash.
The counter is not authoritative data: losing Redis only resets the windows.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from clinic.login_throttle import client_address


def _key(request) -> str:
    address = client_address(request) or "unknown"
    return "selfservice:rate:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def over_limit(request) -> bool:
    """Count this request; True when the address has made more than the limit in the current window."""
    key = _key(request)
    window = settings.SELFSERVICE_RATE_WINDOW_SECONDS
    # add() sets the window's counter and its expiry only when there is none; incr() is atomic in Redis.
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr: this request opens a new window
        cache.add(key, 1, timeout=window)
        count = 1
    return count > settings.SELFSERVICE_RATE_LIMIT


def retry_after() -> int:
    return settings.SELFSERVICE_RATE_WINDOW_SECONDS
