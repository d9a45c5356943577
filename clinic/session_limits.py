"""Idle logoff, the absolute cap and the screen lock, for every signed-in session.

- Every session ends `SESSION_ABSOLUTE_HOURS` after its login.
- A staff session ends after `SESSION_IDLE_MINUTES` without a request.

Every person's session begins at a login page (the admin's, the tablet's, the browsable API's), and
these limits hold for those, and for sessions from before the limits existed (aged from the first
request seen). A session made in code (`force_login` in tests, a shell) never saw a login page and is
not aged: tests that move the clock by hours keep their user.
- A session that logged in at a door with a screen lock (`SCREEN_LOCK_DOORS`: the tablet) is locked
  instead after `CHAIRSIDE_LOCK_MINUTES` without a request, and the tablet's own script locks it after
  as long without a touch. A locked session reaches nothing but its unlock and logout pages: pages
  redirect to the unlock page, the API answers 401 `session_locked`. The tablet's queued entries stay on
  the tablet meanwhile and are sent once the nurse has typed her password again.

The rule itself is `clinic.session_age.session_verdict`.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone

from clinic.errors import error_body
from clinic.session_age import EXPIRED, IDLE, LOCK, session_verdict

LOGIN_AT = "clinic.login_at"
SEEN_AT = "clinic.seen_at"
SCREEN_LOCK = "clinic.screen_lock"
LOGIN_PAGE = "clinic.login_page"
LOCKED = "clinic.locked"
# A session is written back at most once a minute for being seen, not on every request.
SEEN_RESOLUTION_SECONDS = 60
LOCKED_CODE = "session_locked"


def _now() -> float:
    return timezone.now().timestamp()


@receiver(user_logged_in, dispatch_uid="clinic.session_limits.start")
def start_session(sender, request, user, **kwargs) -> None:
    """Stamp the login; note whether it happened at a door with a screen lock."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = _now()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session[LOCKED] = False
    path = getattr(request, "path", "") or ""
    session[LOGIN_PAGE] = path or None
    session[SCREEN_LOCK] = any(path.startswith(door) for door in settings.SCREEN_LOCK_DOORS)


def lock(request) -> None:
    request.session[LOCKED] = True


def unlock(request) -> None:
    request.session[LOCKED] = False
    request.session[SEEN_AT] = _now()


def is_locked(request) -> bool:
    return bool(request.session.get(LOCKED))


def has_screen_lock(request) -> bool:
    return bool(request.session.get(SCREEN_LOCK))


def _exempt(path: str) -> bool:
    return path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/") or (
        path in {reverse(name) for name in settings.SCREEN_LOCK_OPEN_URLS}
    )


def _locked_response(request):
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            error_body(LOCKED_CODE, "The screen is locked: enter your password on the tablet to go on."),
            status=401,
        )
    unlock_url = reverse(settings.SCREEN_LOCK_UNLOCK_URL)
    return HttpResponseRedirect(f"{unlock_url}?{urlencode({'next': request.get_full_path()})}")


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = _now()
        login_at = session.get(LOGIN_AT)
        if login_at is None:  # a session from before these limits: its age counts from now
            login_at = session[LOGIN_AT] = now
            session[LOGIN_PAGE] = "(before the session limits)"
        elif not session.get(LOGIN_PAGE):
            return None  # made in code, not at a login page
        seen_at = session.get(SEEN_AT, login_at)
        screen_lock = bool(session.get(SCREEN_LOCK))
        idle_minutes = settings.CHAIRSIDE_LOCK_MINUTES if screen_lock else settings.SESSION_IDLE_MINUTES
        verdict = session_verdict(
            now=now,
            login_at=login_at,
            seen_at=seen_at,
            # `seen_at` is written at most once a minute, so the limit is kept to the minute.
            idle_after=idle_minutes * 60 + SEEN_RESOLUTION_SECONDS,
            absolute_after=settings.SESSION_ABSOLUTE_HOURS * 60 * 60,
            locks_instead=screen_lock,
        )
        if verdict in (EXPIRED, IDLE):
            logout(request)
            if not request.path.startswith("/api/"):
                messages.info(
                    request,
                    f"You were signed out {settings.SESSION_ABSOLUTE_HOURS} hours after logging in; "
                    "please log in again."
                    if verdict == EXPIRED
                    else f"You were signed out after {idle_minutes} minutes without activity; "
                    "please log in again.",
                )
            return None
        if verdict == LOCK:
            session[LOCKED] = True
        if session.get(LOCKED) and not _exempt(request.path):
            return _locked_response(request)
        if now < seen_at or now - seen_at >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_AT] = now
        return None


def screen_lock_context(request) -> dict:
    """Template context: how many idle minutes lock a tablet page (None where the session has no lock)."""
    session = getattr(request, "session", None)
    if session is None or not session.get(SCREEN_LOCK):
        return {"screen_lock_minutes": None}
    return {"screen_lock_minutes": settings.CHAIRSIDE_LOCK_MINUTES}
