"""The payer's decision: approve, partially approve, deny or pend. Decisions from the insurer API and
decisions staff take by phone or fax go through the same `authorization_decide`; the insurer API's
retries go through `authorization_decision_once` (its Idempotency-Key protocol).

Raise `Conflict` (409): `already_decided`, `transition_invalid`, `idempotency_key_reused`;
`ValidationError` (400) with field names: `terms_required`, `number_required`, `units_over_requested`,
`units_below_requested`, `units_invalid`, `dates_invalid`, `information_required`.
"""

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.errors import Conflict
from insurance.models import GRANTED, DecisionRequest, PriorAuthorization
from insurance.services.authorizations import S, _invalid, _label, _locked, _move

IDEMPOTENCY_KEY_MAX: int = DecisionRequest._meta.get_field("key").max_length or 200

DECISIONS = (S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.PENDED)
DECISION_CHOICES = [(s.value, s.label) for s in DECISIONS]
# What a payer may decide on: a request waiting for it, or one it pended (the answer may come by fax).
DECIDABLE = (S.SUBMITTED, S.APPEALED, S.PENDED)


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
                "valid_from": str(auth.valid_from),  # a date's ISO form; set by the terms just granted
                "valid_to": str(auth.valid_to),
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


def authorization_decision_once(
    *,
    authorization: PriorAuthorization,
    application,
    idempotency_key: str,
    request_body: Mapping[str, Any],
    render: Callable[[PriorAuthorization], Mapping[str, Any]],
    via: str,
    by=None,
    **decision: Any,
) -> tuple[Mapping[str, Any], bool]:
    """Decide (`authorization_decide` with `decision`) at most once per `idempotency_key` of the insurer's
    `application`, and return `(answer, replayed)`. `render` makes the answer from the decided
    authorization; it is stored with the key, so a retry with the same key and the same request body gets
    that first answer again, `replayed` True, whatever happened since. Without a key every call decides.

    Raises ValidationError `idempotency_key_too_long` (over 200 characters), Conflict
    `idempotency_key_reused` when the key came with a different request body (or for another
    authorization), and whatever `authorization_decide` raises (nothing is stored then, so the insurer
    may retry the key with a corrected body).
    """
    key = (idempotency_key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            {
                "Idempotency-Key": ValidationError(
                    f"An Idempotency-Key has at most {IDEMPOTENCY_KEY_MAX} characters.",
                    code="idempotency_key_too_long",
                )
            }
        )
    if not key:
        authorization_decide(authorization=authorization, via=via, by=by, **decision)
        return render(authorization), False
    body_hash = hashlib.sha256(
        json.dumps({"authorization": authorization.pk, **request_body}, sort_keys=True, default=str).encode()
    ).hexdigest()
    try:
        with transaction.atomic():
            # The authorization's lock makes a concurrent retry wait, then find this answer.
            PriorAuthorization.objects.select_for_update().filter(pk=authorization.pk).first()
            earlier = DecisionRequest.objects.filter(application=application, key=key).first()
            if earlier is not None:
                return _replayed(earlier, body_hash), True
            authorization_decide(authorization=authorization, via=via, by=by, **decision)
            answer = render(authorization)
            DecisionRequest.objects.create(
                application=application,
                key=key,
                authorization=authorization,
                body_hash=body_hash,
                response_status=200,
                response_body=json.loads(json.dumps(answer, default=str)),
            )
            return answer, False
    except IntegrityError:
        # Another request with this key (for another authorization) got there first.
        earlier = DecisionRequest.objects.get(application=application, key=key)
        return _replayed(earlier, body_hash), True


def _replayed(earlier: DecisionRequest, body_hash: str) -> Mapping[str, Any]:
    if earlier.body_hash != body_hash:
        raise Conflict(
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request; use a new key.",
        )
    return earlier.response_body
