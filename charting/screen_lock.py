"""The tablet's screen lock: lock now, ask whether locked, unlock with the nurse's own password.

The lock itself lives in the session (clinic.session_limits); these views only move it. The tablet's
script (static chairside/lock.js) covers the page and holds back its queued entries while locked.
Unlocking goes through `authenticate()`, so wrong passwords count towards the login lockout.
"""

import json

from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from clinic import session_limits
from clinic.errors import error_body
from clinic.login_throttle import lockout_message


def _wants_json(request) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


@login_required(login_url="chairside:login")
@require_http_methods(["GET", "POST"])
def lock_view(request):
    """GET: is this session locked (the tablet asks when it wakes)? POST: lock it now."""
    if request.method == "POST":
        session_limits.lock(request)
    return JsonResponse({"locked": session_limits.is_locked(request)})


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/chairside/"


@login_required(login_url="chairside:login")
@require_http_methods(["GET", "POST"])
def unlock_view(request):
    """The unlock page (where a locked tablet's page loads land), and the password check behind it."""
    if request.method == "GET":
        if not session_limits.is_locked(request):
            return HttpResponseRedirect(_next_url(request))
        return render(request, "chairside/unlock.html", {"next": _next_url(request)})
    return _unlock(request)


def _unlock(request):
    as_json = _wants_json(request)
    if as_json:
        try:
            password = str(json.loads(request.body or b"{}").get("password") or "")
        except (ValueError, AttributeError):
            password = ""
    else:
        password = request.POST.get("password", "")
    user = authenticate(request, username=request.user.get_username(), password=password)
    if user is not None and user.pk == request.user.pk:
        session_limits.unlock(request)
        if as_json:
            return JsonResponse({"locked": False})
        return HttpResponseRedirect(_next_url(request))
    if getattr(request, "axes_locked_out", False):
        code, detail, status = "too_many_login_failures", lockout_message(request), 429
    else:
        code, detail, status = "wrong_password", "That is not your password. Try again.", 400
    if as_json:
        return JsonResponse(error_body(code, detail), status=status)
    return render(
        request, "chairside/unlock.html", {"next": _next_url(request), "error": detail}, status=status
    )
