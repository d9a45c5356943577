"""Writes that answer what the tablet asked: a flagged vitals reading's answer (slow, pause, record a
reaction, or go on with a reason), and the order's premedication given in one tap ("give as ordered").

Each returns `(row(s), replayed)` and is idempotent by the tablet's `client_id`. Both go through the one
write path: the rows they store (a rate change, premedications) are written by `rate_change_record` and
`premedication_record` (`chairside_write`); an answer itself is stored on its reading, once, under the
session's lock, so the same answer sent again is a replay. They raise
- `ValidationError` (400): `not_flagged`, `answer_invalid`, `reason_required`, `nothing_ordered`,
  and what `rate_change_record` and `premedication_record` raise (`not_slower`, `time_in_future`...);
- `Conflict` (409): `already_answered`, `session_not_in_progress`, `client_id_reused`.
"""

import uuid
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from charting import ordered_premedication
from charting.models import FlagAnswer, InfusionSession, Premedication, RateKind, SessionStatus, VitalsReading
from charting.services.records import rate_change_record
from charting.services.session import premedication_record
from charting.services.submissions import checked_time, client_uuid, invalid, locked
from clinic.errors import Conflict


def vitals_flag_answer(
    *,
    reading: VitalsReading,
    by,
    client_id,
    answer: str,
    reason: str = "",
    rate_ml_per_hour: Decimal | None = None,
    at: datetime | None = None,
) -> tuple[VitalsReading, bool]:
    """Record how the nurse answered a flagged reading. `slowed` and `paused` also set the pump (a rate
    change "slow" to `rate_ml_per_hour`, or "pause", whose reason names the flags); `reaction` says a
    reaction is being recorded; `continued` needs the `reason`. Answered once: the same answer again is
    a replay, another one a 409 `already_answered`. Returns (reading, replayed)."""
    client_id = client_uuid(client_id)
    reason = (reason or "").strip()
    with transaction.atomic():
        session = locked(reading.session)
        reading = VitalsReading.objects.select_for_update().get(pk=reading.pk, session=session)
        if reading.flag_answer:
            if reading.flag_answer == answer:
                return reading, True
            raise Conflict(
                "already_answered",
                f"This reading was already answered: {reading.get_flag_answer_display().lower()}.",
                field="answer",
            )
        if not reading.flags:
            raise invalid("answer", "not_flagged", "This reading has no flag to answer.")
        if answer not in FlagAnswer.values:
            raise invalid("answer", "answer_invalid", "Choose slow, pause, a reaction, or continue.")
        at = checked_time(at, "at", now=timezone.now(), session=session)
        flagged = " ".join(f["message"] for f in reading.flags)
        if answer in (FlagAnswer.SLOWED, FlagAnswer.PAUSED):
            if session.status != SessionStatus.RUNNING:
                raise invalid("answer", "answer_invalid", "The infusion is not running: nothing to slow.")
            rate_change_record(
                session=session,
                by=by,
                client_id=uuid.uuid5(client_id, answer),
                kind=RateKind.SLOW if answer == FlagAnswer.SLOWED else RateKind.PAUSE,
                at=at,
                rate_ml_per_hour=rate_ml_per_hour,
                reason=(f"{reason}. " if reason else "") + f"Flagged vitals: {flagged}",
            )
        elif answer == FlagAnswer.CONTINUED and not reason:
            raise invalid("reason", "reason_required", "Say why the infusion goes on unchanged.")
        reading.flag_answer, reading.flag_answer_reason = answer, reason
        reading.flag_answered_at, reading.flag_answered_by = at, by
        reading.save(
            update_fields=["flag_answer", "flag_answer_reason", "flag_answered_at", "flag_answered_by"]
        )
    return reading, False


def premedication_as_ordered(
    *, session: InfusionSession, by, client_id, given_at: datetime | None = None
) -> tuple[list[Premedication], bool]:
    """Record each medication the order prescribes (`charting.ordered_premedication`), given now or at
    `given_at`, in one step. Parts of the order that are not a dose to record (hydration, a dose per
    kg) are left to the nurse. Returns (premedications, replayed)."""
    client_id = client_uuid(client_id)
    items, _ = ordered_premedication.ordered_items(session.order.premedication)
    if not items:
        raise invalid(
            "premedication",
            "nothing_ordered",
            "The order prescribes no premedication that can be recorded in one step: record it below.",
        )
    given_at = given_at or timezone.now()
    rows, replays = [], []
    with transaction.atomic():
        for item in items:
            row, replayed = premedication_record(
                session=session,
                by=by,
                client_id=uuid.uuid5(client_id, item.text),
                drug=item.drug,
                dose=item.dose,
                route=item.route,
                given_at=given_at,
            )
            rows.append(row)
            replays.append(replayed)
    return rows, all(replays)
