"""Writes of prior authorizations and their usage. Every change goes through one of these.

Transitions follow `TRANSITIONS`; each records who, when, how (`via`) and why as an AuthorizationEvent,
which is also what the insurer's changes feed reads. Decisions from the insurer API and decisions
staff take by phone or fax go through the same `authorization_decide`.

Raise `Conflict` (409): `transition_invalid`, `already_decided`, `authorization_required`;
`ValidationError` (400) with field names: `terms_required`, `number_required`, `units_over_requested`,
`units_below_requested`, `dates_invalid`, `reason_required`, `information_required`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from clinic.db import validated_save
from clinic.errors import Conflict
from clinic.roles import is_manager
from insurance import selectors
from insurance.models import (
    AWAITING_PAYER,
    DECISION_WINDOWS,
    GRANTED,
    AuthorizationEvent,
    AuthorizationOverride,
    AuthorizationUsage,
    AuthStatus,
    Coverage,
    PriorAuthorization,
    UsageStatus,
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
DECISIONS = (S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.PENDED)
DECISION_CHOICES = [(s.value, s.label) for s in DECISIONS]
# What a payer may decide on: a request waiting for it, or one it pended (the answer may come by fax).
DECIDABLE = (S.SUBMITTED, S.APPEALED, S.PENDED)
VIAS = ("admin", "insurer_api", "phone", "fax", "system")


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
            if auth.status in GRANTED and auth.valid_to < today:
                _move(auth, S.EXPIRED, at=now, by=None, via="system", reason="Valid period ended.")
                done += 1
    return done


def authorization_decide(
    *,
    authorization: PriorAuthorization,
    outcome: str,
    via: str,
    by=None,
    number: str = "",
    units_approved: int | None = None,
    infusions_approved: int | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    denial_code: str = "",
    denial_reason: str = "",
    information_requested: str = "",
    note: str = "",
    now: datetime | None = None,
) -> PriorAuthorization:
    """Record the payer's decision (approved, partially_approved, denied or pended) and return it.

    Approvals give the authorization number, units and/or infusions and valid dates (an approval
    defaults to what was requested); a partial one grants less than requested. Denials give a code
    and text, pends the information requested.

    Raises Conflict already_decided (not awaiting a decision), ValidationError (see module docstring).
    """
    if outcome not in DECISIONS:
        raise _invalid("outcome", "invalid_choice", f"Decide one of: {', '.join(DECISIONS)}.")
    now = now or timezone.now()
    with transaction.atomic():
        auth = _locked(authorization)
        if auth.status not in DECIDABLE:
            raise Conflict(
                "already_decided",
                f"This authorization is {_label(auth.status)}; it is not awaiting a decision.",
                field="status",
                status=auth.status,
            )
        data: dict = {"outcome": outcome}
        if outcome in GRANTED:
            _grant_terms(
                auth,
                outcome=outcome,
                number=number,
                units=units_approved,
                infusions=infusions_approved,
                valid_from=valid_from,
                valid_to=valid_to,
            )
            auth.denial_code = auth.denial_reason = ""
            data |= {
                "units_approved": auth.units_approved,
                "infusions_approved": auth.infusions_approved,
                "valid_from": auth.valid_from.isoformat(),
                "valid_to": auth.valid_to.isoformat(),
            }
        elif outcome == S.DENIED:
            if not denial_code.strip() or not denial_reason.strip():
                raise _invalid(
                    "denial_reason", "reason_required", "A denial gives a reason code and a specific reason."
                )
            auth.denial_code, auth.denial_reason = denial_code.strip(), denial_reason.strip()
            data |= {"denial_code": auth.denial_code}
        else:
            if not information_requested.strip():
                raise _invalid(
                    "information_requested", "information_required", "Say what information is needed."
                )
            auth.information_requested = information_requested.strip()
        auth.decided_at = now
        if outcome != S.PENDED:
            auth.due_at = None
        _move(
            auth,
            outcome,
            at=now,
            by=by,
            via=via,
            reason=note or denial_reason or information_requested,
            data=data,
        )
    return auth


def _grant_terms(auth, *, outcome, number, units, infusions, valid_from, valid_to) -> None:
    number = (number or auth.number).strip()
    if not number:
        raise _invalid("number", "number_required", "Give the authorization number.")
    if outcome == S.APPROVED:
        units = auth.units_requested if units is None and infusions is None else units
        infusions = auth.infusions_requested if infusions is None else infusions
        valid_from = valid_from or auth.requested_from
        valid_to = valid_to or auth.requested_to
    if units is None and infusions is None:
        raise _invalid("units_approved", "terms_required", "Give the units or infusions approved.")
    if valid_from is None or valid_to is None:
        raise _invalid("valid_to", "terms_required", "Give the dates the approval is valid.")
    if valid_to < valid_from:
        raise _invalid("valid_to", "dates_invalid", "The approval ends on or after it starts.")
    if units is not None and units > auth.units_requested:
        raise _invalid(
            "units_approved",
            "units_over_requested",
            f"{units} units is more than the {auth.units_requested} requested.",
        )
    if outcome == S.APPROVED and units is not None and units < auth.units_requested:
        raise _invalid(
            "units_approved",
            "units_below_requested",
            f"{units} of {auth.units_requested} units is a partial approval: decide partially_approved.",
        )
    if units is not None and units <= 0:
        raise _invalid("units_approved", "units_invalid", "Approve at least one unit (or deny).")
    auth.number, auth.units_approved, auth.infusions_approved = number, units, infusions
    auth.valid_from, auth.valid_to = valid_from, valid_to


# --- usage ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleGrant:
    """What let a cycle be booked: an authorization (its units now reserved), a manager's override,
    or no need for one (no coverage on file, or a payer that does not require authorization)."""

    authorization: PriorAuthorization | None = None
    override: AuthorizationOverride | None = None
    reason: str = ""


def _usage_event(auth_id: int, payer_id: int, *, booking_id: int, status: str, units: int, at) -> None:
    AuthorizationEvent.objects.create(
        authorization_id=auth_id,
        payer_id=payer_id,
        kind=AuthorizationEvent.Kind.USAGE,
        at=at,
        via="system",
        data={"booking": booking_id, "status": status, "units": units},
    )


def cycle_authorize(
    *,
    patient_id: int,
    order_id: int,
    cycle: int | None,
    hcpcs_code: str,
    sessions: Sequence[tuple[int | None, date, int]],
    reserve: bool = True,
) -> CycleGrant:
    """Find what allows a cycle and reserve its units: `sessions` are (booking id, date, units), and
    `cycle` is the cycle's number (what a used-up override records).

    The patient's coverage on the first date decides: none on file at all means self-pay (allowed);
    a payer that does not require authorization, allowed; otherwise a granted authorization for the
    HCPCS code, valid on every session date, with enough remaining units (after reservations) and
    infusions, gets the reservations (and is linked to `order_id` if it was not yet). Failing that an
    unused manager's override for the order is used up. Call inside the booking's transaction.
    With `reserve=False` it only checks (nothing is reserved, locked or used up).

    Raises Conflict authorization_required, whose detail and `missing` say what is missing.
    """
    first, last = min(d for _, d, _ in sessions), max(d for _, d, _ in sessions)
    need_units = sum(units for _, _, units in sessions)
    coverages = list(Coverage.objects.filter(patient_id=patient_id).select_related("payer"))
    if not coverages:
        return CycleGrant(reason="no coverage on file (self-pay)")
    valid = sorted((c for c in coverages if c.covers(first) and c.covers(last)), key=lambda c: c.priority)
    missing: dict | None = None
    if not valid:
        missing = {
            "code": "coverage",
            "detail": f"No coverage is valid from {first:%Y-%m-%d} to {last:%Y-%m-%d}.",
        }
    elif not valid[0].payer.requires_authorization:
        return CycleGrant(reason=f"{valid[0].payer} does not require authorization")
    else:
        grant, missing = _reserve(
            patient_id=patient_id,
            order_id=order_id,
            hcpcs_code=hcpcs_code,
            first=first,
            last=last,
            need_units=need_units,
            sessions=sessions,
            reserve=reserve,
        )
        if grant is not None:
            return grant
    overrides = AuthorizationOverride.objects.filter(order_id=order_id, used_at__isnull=True)
    override = (overrides.select_for_update() if reserve else overrides).first()
    if override is not None and not reserve:
        return CycleGrant(override=override, reason=override.reason)
    if override is not None:
        override.used_cycle, override.used_at = cycle, timezone.now()
        override.save(update_fields=["used_cycle", "used_at"])
        return CycleGrant(override=override, reason=override.reason)
    raise Conflict(
        "authorization_required",
        f"{missing['detail']} A clinic manager may override for one cycle, with a reason.",
        missing=missing,
        units_needed=need_units,
    )


def _reserve(*, patient_id, order_id, hcpcs_code, first, last, need_units, sessions, reserve):
    rows = PriorAuthorization.objects.filter(patient_id=patient_id, hcpcs_code=hcpcs_code)
    if reserve:
        # Locked, so two desks booking cycles against one authorization cannot both take its last units.
        rows = rows.select_for_update(of=("self",))
    candidates = list(selectors.with_usage(rows).order_by("valid_to", "pk"))
    for_order = [a for a in candidates if a.order_id in (None, order_id)]
    granted = [a for a in for_order if a.status in GRANTED]
    covering = [a for a in granted if a.valid_from <= first and last <= a.valid_to]
    if not covering:
        return None, _missing_authorization(for_order, granted, hcpcs_code, first, last)
    short = None
    # Prefer the authorization already linked to this order.
    for auth in sorted(covering, key=lambda a: a.order_id != order_id):
        units_left, infusions_left = auth.remaining_units, auth.remaining_infusions
        if units_left is not None and units_left < need_units:
            short = short or {
                "code": "units",
                "detail": f"Authorization {auth.number} has {units_left} units left after reservations; "
                f"this cycle needs {need_units}.",
                "authorization": auth.pk,
                "remaining_units": units_left,
            }
            continue
        if infusions_left is not None and infusions_left < len(sessions):
            short = short or {
                "code": "infusions",
                "detail": f"Authorization {auth.number} has {infusions_left} infusion(s) left; "
                f"this cycle needs {len(sessions)}.",
                "authorization": auth.pk,
                "remaining_infusions": infusions_left,
            }
            continue
        if not reserve:
            return CycleGrant(authorization=auth), None
        now = timezone.now()
        for booking_id, day, units in sessions:
            validated_save(
                AuthorizationUsage(authorization=auth, booking_id=booking_id, units=units, service_date=day)
            )
            _usage_event(
                auth.pk,
                auth.payer_id,
                booking_id=booking_id,
                status=UsageStatus.RESERVED,
                units=units,
                at=now,
            )
        fields: dict = {"units_per_cycle": need_units}
        if auth.order_id is None:
            fields["order_id"] = order_id
        PriorAuthorization.objects.filter(pk=auth.pk).update(updated_at=now, **fields)
        return CycleGrant(authorization=auth), None
    return None, short


def _missing_authorization(for_order, granted, hcpcs_code, first, last) -> dict:
    period = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
    detail = f"No approved authorization for {hcpcs_code} covers {period}."
    waiting = [a for a in for_order if a.status in (*AWAITING_PAYER, S.PENDED, S.DRAFT)]
    if waiting:
        a = waiting[0]
        detail += f" Authorization #{a.pk} is {_label(a.status)}"
        detail += f" (decision due {a.due_at:%Y-%m-%d %H:%M} UTC)." if a.due_at else "."
    elif granted:
        a = granted[0]
        detail += f" Authorization {a.number} is valid {a.valid_from:%Y-%m-%d} to {a.valid_to:%Y-%m-%d}."
    return {"code": "authorization", "detail": detail}


def usage_release(*, booking_id: int) -> int:
    """Give back the units a cancelled session reserved; return how many reservations were released."""
    now = timezone.now()
    released = 0
    rows = AuthorizationUsage.objects.select_for_update().select_related("authorization")
    for usage in rows.filter(booking_id=booking_id, status=UsageStatus.RESERVED):
        usage.status = UsageStatus.RELEASED
        usage.save(update_fields=["status", "updated_at"])
        auth = usage.authorization
        _usage_event(
            auth.pk,
            auth.payer_id,
            booking_id=booking_id,
            status=UsageStatus.RELEASED,
            units=usage.units,
            at=now,
        )
        PriorAuthorization.objects.filter(pk=auth.pk).update(updated_at=now)
        released += 1
    return released


def usage_move(*, booking_id: int, service_date: date) -> AuthorizationUsage | None:
    """A booked session moved to `service_date`: its reservation moves with it, if the authorization is
    still valid that day. Returns the reservation (None when the session reserved nothing: self-pay, no
    requirement, or a manager's override).

    Raises Conflict authorization_required (with `missing`) when the new day is outside the
    authorization's valid dates; call it inside the move's transaction, so the move is undone.
    """
    usage = (
        AuthorizationUsage.objects.select_for_update()
        .select_related("authorization")
        .filter(booking_id=booking_id, status=UsageStatus.RESERVED)
        .first()
    )
    if usage is None or usage.service_date == service_date:
        return usage
    auth = usage.authorization
    if not (auth.status in GRANTED and auth.valid_from <= service_date <= auth.valid_to):
        raise Conflict(
            "authorization_required",
            f"Authorization {auth.number or f'#{auth.pk}'} is valid {auth.valid_from:%Y-%m-%d} to "
            f"{auth.valid_to:%Y-%m-%d}; {service_date:%Y-%m-%d} is outside it. Choose a day it covers, "
            "or cancel this session and book the cycle again against another authorization.",
            missing={"code": "authorization", "authorization": auth.pk},
        )
    usage.service_date = service_date
    usage.save(update_fields=["service_date", "updated_at"])
    return usage


def usage_record(
    *, booking_id: int, units: int, given_on: date, patient_id: int, order_id: int, hcpcs_code: str
) -> AuthorizationUsage | None:
    """Record the units an infusion used and return the usage (None when no authorization applies:
    self-pay, a payer without the requirement, or a manager's override).

    The session's reservation becomes usage with the units actually given. A session that reserved
    nothing is charged to the granted authorization for the order valid that day. Recording the same
    session again updates it (a corrected dose), never counts it twice.
    """
    now = timezone.now()
    with transaction.atomic():
        usage = (
            AuthorizationUsage.objects.select_for_update()
            .select_related("authorization")
            .filter(booking_id=booking_id)
            .exclude(status=UsageStatus.RELEASED)
            .first()
        )
        if usage is None:
            auth = (
                PriorAuthorization.objects.filter(
                    Q(order_id__isnull=True) | Q(order_id=order_id),
                    patient_id=patient_id,
                    hcpcs_code=hcpcs_code,
                    status__in=(*GRANTED, S.EXPIRED),
                    valid_from__lte=given_on,
                    valid_to__gte=given_on,
                )
                # The authorization linked to the order first, then the one ending soonest.
                .order_by(F("order_id").asc(nulls_last=True), "valid_to")
                .first()
            )
            if auth is None:
                return None
            usage = AuthorizationUsage(
                authorization=auth, booking_id=booking_id, service_date=given_on, units=units
            )
        auth = usage.authorization
        usage.status, usage.units, usage.service_date = UsageStatus.USED, units, given_on
        validated_save(usage)
        _usage_event(
            auth.pk, auth.payer_id, booking_id=booking_id, status=UsageStatus.USED, units=units, at=now
        )
        PriorAuthorization.objects.filter(pk=auth.pk).update(updated_at=now)
    return usage


def usage_mark_given(*, booking_id: int, given_on: date) -> AuthorizationUsage | None:
    """A session was completed with no dose reported (yet): its reservation becomes usage as planned.
    Returns the usage, or None when the session reserved nothing. A later `usage_record` corrects it."""
    with transaction.atomic():
        usage = (
            AuthorizationUsage.objects.select_for_update()
            .select_related("authorization")
            .filter(booking_id=booking_id, status=UsageStatus.RESERVED)
            .first()
        )
        if usage is None:
            return None
        usage.status, usage.service_date = UsageStatus.USED, given_on
        usage.save(update_fields=["status", "service_date", "updated_at"])
        auth, now = usage.authorization, timezone.now()
        _usage_event(
            auth.pk, auth.payer_id, booking_id=booking_id, status=UsageStatus.USED, units=usage.units, at=now
        )
        PriorAuthorization.objects.filter(pk=auth.pk).update(updated_at=now)
    return usage


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
