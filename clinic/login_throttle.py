"""Login throttling: too many failed logins lock the account and the address for a cool-off.

django-axes counts failures (its database handler: the same PostgreSQL as everything else, so it holds
across web processes and under the embedded and the TCP servers alike, and its cool-off follows the
clock, which tests move with time_machine). This module is what axes does not know about this project:

- the login forms say why a login is refused when it is locked (`LockoutAwareLoginForm`);
- the lockout answer: the login page again with that message, or JSON on the API (`lockout_response`);
- the insurer token endpoint, which authenticates OAuth2 clients without Django's `authenticate()`,
  so it counts its failures itself (`ThrottledTokenView`);
- one audit row for every lockout and every login refused while locked (`record_lockout`).

A lockout always ends after `LOGIN_COOLOFF_MINUTES`; a clinic manager can lift it sooner by deleting
the attempts under *Access attempts* in the admin.
"""

import base64
import binascii
import math
from urllib.parse import unquote

from auditlog.models import LogEntry
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider.views import TokenView

from clinic.audit import AuditMiddleware
from clinic.errors import error_body

LOCKED_CODE = "too_many_login_failures"


def client_address(request) -> str | None:
    """The address a failure is counted against: the same one the audit trail writes down."""
    return AuditMiddleware._get_remote_addr(request)


def cool_off_minutes(request=None) -> int:
    return math.ceil(get_cool_off(request).total_seconds() / 60)


def lockout_message(request=None) -> str:
    minutes = cool_off_minutes(request)
    return (
        f"Too many failed logins: logging in with this account or from this device is blocked for "
        f"{minutes} minutes. Wait, then try again, or ask a clinic manager to lift the block."
    )


def _is_locked_out(request) -> bool:
    return bool(request is not None and getattr(request, "axes_locked_out", False))


class LockoutAwareLoginForm(AuthenticationForm):
    """Django's login form, but a locked login says so instead of "did not match"."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if _is_locked_out(self.request):
                raise ValidationError(lockout_message(self.request), code="locked_out") from None
            raise


class LockoutAwareAdminLoginForm(AdminAuthenticationForm):
    """The admin's login form (staff only), with the same lockout message."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if _is_locked_out(self.request):
                raise ValidationError(lockout_message(self.request), code="locked_out") from None
            raise


def _locked_json(request) -> JsonResponse:
    response = JsonResponse(error_body(LOCKED_CODE, lockout_message(request)), status=429)
    response["Retry-After"] = str(cool_off_minutes(request) * 60)
    return response


def lockout_response(request, original_response=None, credentials=None):
    """What a locked login gets (settings.AXES_LOCKOUT_CALLABLE): HTTP 429 either way.

    Pages: the login page they posted to, re-rendered by its view with the lockout message on the
    form. The API: the project's JSON error with a stable code.
    """
    if request.path.startswith("/api/") and not getattr(original_response, "is_rendered", False):
        return _locked_json(request)
    if original_response is None:
        return _locked_json(request)
    original_response.status_code = 429
    original_response["Retry-After"] = str(cool_off_minutes(request) * 60)
    return original_response


def _door(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/chairside/"):
        return "chairside"
    if path.startswith("/api/v1/oauth/"):
        return "api_token"
    if path.startswith("/api/auth/"):
        return "api_login"
    return "other"


@receiver(user_locked_out, dispatch_uid="clinic.login_throttle.record_lockout")
def record_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """One audit row per lockout, and one per login refused while locked (an attack leaves a trail).

    The row points at the failure record axes keeps for this name and address.
    """
    first = getattr(request, "axes_failures_since_start", None) is not None
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address).order_by("-pk").first()
        or AccessAttempt.objects.filter(ip_address=ip_address).order_by("-pk").first()
        or AccessAttempt.objects.filter(username=username).order_by("-pk").first()
    )
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(AccessAttempt),
        object_pk=str(attempt.pk) if attempt else "",
        object_id=attempt.pk if attempt else None,
        object_repr=f"login lockout of {username or '(no username)'}",
        action=LogEntry.Action.ACCESS,
        actor=None,
        remote_addr=ip_address,
        additional_data={
            "via": _door(request),
            "detail": "lockout" if first else "refused_while_locked",
            "username": username or "",
            "cool_off_minutes": cool_off_minutes(request),
        },
    )


def _oauth_client_id(request) -> str | None:
    """The client id a token request names: HTTP Basic (RFC 6749 2.3.1, form-encoded) or the body."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return unquote(decoded.partition(":")[0]) or None
    return request.POST.get("client_id") or None


@method_decorator(sensitive_post_parameters("client_secret"), name="dispatch")
class ThrottledTokenView(TokenView):
    """The OAuth2 token endpoint, with the same lockout per client id and per address as the logins."""

    def post(self, request, *args, **kwargs):
        credentials = {settings.AXES_USERNAME_FORM_FIELD: _oauth_client_id(request)}
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.axes_locked_out = True
            user_login_failed.send(sender=type(self), credentials=credentials, request=request)
            return _locked_json(request)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 401:  # invalid_client: an unknown id or a wrong secret
            user_login_failed.send(sender=type(self), credentials=credentials, request=request)
            if _is_locked_out(request):
                return _locked_json(request)
        return response
