"""Writes of a prior authorization's life: create, submit, appeal, cancel and expire, and the
transition rule they all follow (`TRANSITIONS`, `_move`). Each transition records who, when, how (`via`)
and why as an AuthorizationEvent, which is also what the insurer's changes feed reads.

Raise `Conflict` (409): `transition_invalid`; `ValidationError` (400) with field names:
`reason_required`, `information_required`, `dates_invalid`.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.db import validated_save
from clinic.errors import Conflict
from insurance.models import (
    DECISION_WINDOWS,
    GRANTED,
    AuthorizationEvent,
    AuthStatus,
    Coverage,
    PriorAuthorization,
)

S = AuthStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.PENDED, S.CANCELLED}),
    S.PENDED: frozenset({S.SUBMITTED, S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.CANCELLED}),
    S.APPROVED: frozenset({S.EXPIRED, S.CANCELLED}),
    S.PARTIALLY_APPROVED: frozenset({S.APPEALED, S.EXPIRED, S.CANCELLED}),
    S.DENIED: frozenset({S.APPEALED, S.CANCELLED}),
    S.APPEALED: frozenset({S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.PENDED, S.CANCELLED}),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}


def _invalid(field: str, code: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _label(status: str) -> str:
    return AuthStatus(status).label.split(" (")[0].lower()


def _event(auth: PriorAuthorization, *, kind: str, at: datetime, by=None, via: str, **fields) -> None:
    AuthorizationEvent.objects.create(
        authorization=auth, payer_id=auth.payer_id, kind=kind, at=at, by=by, via=via, **fields
    )


def _locked(authorization: PriorAuthorization) -> PriorAuthorization:
    return PriorAuthorization.objects.select_for_update().get(pk=authorization.pk)


def _move(auth: PriorAuthorization, to: str, *, at: datetime, by, via: str, reason: str, data=None) -> None:
    """Save `auth` (already changed) in status `to` and record the transition."""
    if to not in TRANSITIONS[auth.status]:
        raise Conflict(
            "transition_invalid",
            f"This authorization is {_label(auth.status)}; it cannot become {_label(to)}.",
            field="status",
            status=auth.status,
            allowed=sorted(TRANSITIONS[auth.status]),
        )
    from_status, auth.status = auth.status, to
    validated_save(auth)
    _event(
        auth,
        kind=AuthorizationEvent.Kind.TRANSITION,
        at=at,
        by=by,
        via=via,
        from_status=from_status,
        to_status=to,
        reason=reason,
        data=data or {},
    )


def authorization_create(
    *,
    coverage: Coverage,
    hcpcs_code: str,
    icd10_code: str,
    units_requested: int,
    requested_from: date,
    requested_to: date,
    urgency: str = "standard",
    infusions_requested: int | None = None,
    order_id: int | None = None,
    notes: str = "",
    created_by=None,
    via: str = "admin",
) -> PriorAuthorization:
    """Create a draft authorization request for a coverage and return it. Raises ValidationError."""
    auth = PriorAuthorization(
        coverage=coverage,
        payer_id=coverage.payer_id,
        patient_id=coverage.patient_id,
        hcpcs_code=hcpcs_code.strip().upper(),
        icd10_code=icd10_code.strip().upper(),
        units_requested=units_requested,
        infusions_requested=infusions_requested,
        requested_from=requested_from,
        requested_to=requested_to,
        urgency=urgency,
        order_id=order_id,
        notes=notes,
        created_by=created_by,
    )
    with transaction.atomic():
        validated_save(auth)
        _event(
            auth,
            kind=AuthorizationEvent.Kind.TRANSITION,
            at=timezone.now(),
            by=created_by,
            via=via,
            to_status=S.DRAFT,
        )
    return auth


def authorization_submit(
    *, authorization: PriorAuthorization, by=None, via: str = "admin", reason: str = "", now=None
) -> PriorAuthorization:
    """Submit a draft, or resubmit a pended request with the information asked for, and return it.
    The decision is due 72 hours (expedited) or 7 days (standard) from now. Raises Conflict
    transition_invalid."""
    now = now or timezone.now()
    with transaction.atomic():
        auth = _locked(authorization)
        auth.submitted_at = now
        auth.due_at = now + DECISION_WINDOWS[auth.urgency]
        _move(auth, S.SUBMITTED, at=now, by=by, via=via, reason=reason)
    return auth


def authorization_appeal(
    *, authorization: PriorAuthorization, reason: str, by=None, via: str = "admin", now=None
) -> PriorAuthorization:
    """Appeal a denial (or a partial approval) with the clinic's reason; the payer's decision is due
    again. Raises ValidationError reason_required, Conflict transition_invalid."""
    if not (reason or "").strip():
        raise _invalid("reason", "reason_required", "Say why the decision is appealed.")
    now = now or timezone.now()
    with transaction.atomic():
        auth = _locked(authorization)
        auth.due_at = now + DECISION_WINDOWS[auth.urgency]
        _move(auth, S.APPEALED, at=now, by=by, via=via, reason=reason.strip())
    return auth


def authorization_cancel(
    *, authorization: PriorAuthorization, reason: str, by=None, via: str = "admin", now=None
) -> PriorAuthorization:
    """Withdraw a request or give up an authorization. Raises ValidationError reason_required,
    Conflict transition_invalid."""
    if not (reason or "").strip():
        raise _invalid("reason", "reason_required", "Say why the authorization is cancelled.")
    now = now or timezone.now()
    with transaction.atomic():
        auth = _locked(authorization)
        auth.due_at = None
        _move(auth, S.CANCELLED, at=now, by=by, via=via, reason=reason.strip())
    return auth


def authorizations_expire(*, today: date | None = None) -> int:
    """Mark granted authorizations whose last valid day has passed as expired; return how many."""
    today = today or timezone.localdate()
    now = timezone.now()
    done = 0
    for auth_id in PriorAuthorization.objects.filter(status__in=GRANTED, valid_to__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            auth = PriorAuthorization.objects.select_for_update().get(pk=auth_id)
            # Another worker process may have expired it first.
            if auth.status in GRANTED and auth.valid_to is not None and auth.valid_to < today:
                _move(auth, S.EXPIRED, at=now, by=None, via="system", reason="Valid period ended.")
                done += 1
    return done
