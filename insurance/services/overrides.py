"""A manager's override: the order's next cycle may be booked without an authorization."""

from django.core.exceptions import PermissionDenied

from clinic.db import validated_save
from clinic.roles import is_manager
from insurance.models import (
    AuthorizationOverride,
)
from insurance.services.authorizations import _invalid


def may_override(user) -> bool:
    return is_manager(user)


class OverrideNotAllowed(PermissionDenied):
    code = "override_not_allowed"
    detail = "Only a clinic manager may book a cycle without an authorization."


def authorization_override_record(*, order_id: int, reason: str, by) -> AuthorizationOverride:
    """Let the order's next cycle be booked without an authorization; return the override.

    Raises OverrideNotAllowed (403), ValidationError reason_required, override_exists.
    """
    if not may_override(by):
        raise OverrideNotAllowed(OverrideNotAllowed.detail)
    if not (reason or "").strip():
        raise _invalid(
            "reason", "reason_required", "Say why the cycle may be booked without an authorization."
        )
    return validated_save(
        AuthorizationOverride(order_id=order_id, reason=(reason or "").strip(), overridden_by=by)
    )
