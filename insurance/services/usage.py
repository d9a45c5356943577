"""Units of a prior authorization held by bookings: reserved when a cycle is booked
(`cycle_authorize`), moved with the booking, released when it is cancelled, used when it is given.

Raise `Conflict` (409): `authorization_required` (with what is missing), and what `_move` raises.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from clinic.db import validated_save
from clinic.errors import Conflict
from insurance import selectors
from insurance.models import (
    AWAITING_PAYER,
    GRANTED,
    AuthorizationEvent,
    AuthorizationOverride,
    AuthorizationUsage,
    Coverage,
    PriorAuthorization,
    UsageStatus,
)
from insurance.services.authorizations import S, _label


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


def _window(auth: PriorAuthorization) -> tuple[date, date] | None:
    """The days a granted authorization's reservations may move to (None: none)."""
    if auth.status in GRANTED and auth.valid_from is not None and auth.valid_to is not None:
        return auth.valid_from, auth.valid_to
    return None


def _covers(auth: PriorAuthorization, day: date) -> bool:
    window = _window(auth)
    return window is not None and window[0] <= day <= window[1]


def usage_move_window(*, booking_id: int) -> tuple[date | None, date | None] | None:
    """The days a booked session may move to and keep its reservation, as `usage_move` allows them:
    (first, last), both None when it reserved nothing (it moves freely); None when its authorization
    covers no day any more (it may not move)."""
    usage = (
        AuthorizationUsage.objects.select_related("authorization")
        .filter(booking_id=booking_id, status=UsageStatus.RESERVED)
        .first()
    )
    if usage is None:
        return None, None
    return _window(usage.authorization)


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
    if not _covers(auth, service_date):
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
