"""The dispatcher: claims due outbox rows and sends each exactly once.

How a row travels, and why (the worker may be SIGKILLed at any line):

1. **Claim** (one statement, committed): up to `batch` due pending rows, `FOR UPDATE SKIP LOCKED` so
   concurrent dispatchers (two beats, many workers) take disjoint rows, become `claimed` under a fresh
   `claim_token` with a lease. Nothing has been sent yet: if the worker dies now, recovery puts them back
   to pending when the lease lapses.
2. **Sending** (one conditional UPDATE, committed, `WHERE claim_token = ours AND status = 'claimed'`):
   if another worker took the row after our lease lapsed, the update touches nothing and we stop
   (healthchecks' `if num_updated != 1: return`). From here on the provider may have the message.
3. **Provider call** with the idempotency key `outbox-<id>-<resends>`.
4. **Sent** (conditional UPDATE on our token): status, time and the provider's message id.

A crash between 3 and 4 is the dangerous one: the provider delivered, our row still says `sending`.
When its lease lapses, recovery re-queues it only for a channel whose provider honours the idempotency
key (the SMS backends): the repeat call with the same key returns the first message's id and delivers
nothing new. For a channel without one (SMTP email) it marks the row failed with `outcome_unknown`, for
staff to check and resend: a patient never gets the same message twice, at the price of a manual step
after a crash. Holding a row lock across the provider call instead would avoid the lease, but then the
crash leaves no trace of which rows were in flight, so email could not be treated differently.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from clinic.notifications import channels, registry
from clinic.notifications.models import Channel, Notification, Status

logger = logging.getLogger(__name__)


@dataclass
class DrainResult:
    sent: int = 0
    cancelled: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0
    outcomes: dict[int, str] = field(default_factory=dict)

    def count(self, pk: int, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.outcomes[pk] = outcome


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the n-th failed attempt, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def channel_is_idempotent(channel: str) -> bool:
    if channel == Channel.SMS:
        return channels.get_sms_backend().idempotent
    return channels.email_is_idempotent()


def outbox_recover(*, now: datetime) -> int:
    """Release rows whose worker's lease lapsed (it died or hung) and return how many."""
    released = Notification.objects.filter(status=Status.CLAIMED, lease_until__lt=now).update(
        status=Status.PENDING, claim_token=None, lease_until=None, updated_at=now
    )
    for channel in Channel.values:
        stuck = Notification.objects.filter(status=Status.SENDING, lease_until__lt=now, channel=channel)
        if channel_is_idempotent(channel):
            # Same key again: the provider delivers it if it never got it, and only then.
            released += stuck.update(
                status=Status.PENDING, claim_token=None, lease_until=None, updated_at=now
            )
        else:
            released += stuck.update(
                status=Status.FAILED,
                claim_token=None,
                lease_until=None,
                last_error="outcome_unknown: the worker stopped while sending; check before resending",
                updated_at=now,
            )
    return released


_CLAIM_SQL = f"""
UPDATE {Notification._meta.db_table} SET status = %s, claim_token = %s, lease_until = %s, updated_at = %s
WHERE id IN (
    SELECT id FROM {Notification._meta.db_table}
    WHERE status = %s AND due_at <= %s {{only}}
    ORDER BY due_at
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
RETURNING id
"""  # noqa: S608 - only the table name is interpolated


def outbox_claim(*, now: datetime, limit: int, only: int | None = None) -> tuple[uuid.UUID, list[int]]:
    """Claim up to `limit` due pending rows (or just row `only`) for this worker; return token and ids."""
    token = uuid.uuid4()
    sql = _CLAIM_SQL.replace("{only}", "AND id = %s" if only is not None else "")
    params: list = [Status.CLAIMED, token, now + lease(), now, Status.PENDING, now]
    if only is not None:
        params.append(only)
    params.append(limit)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = sorted(row[0] for row in cursor.fetchall())
    return token, ids


def _mine(pk: int, token: uuid.UUID):
    return Notification.objects.filter(pk=pk, claim_token=token)


def _release(pk: int, token: uuid.UUID, **fields) -> int:
    return _mine(pk, token).update(claim_token=None, lease_until=None, updated_at=timezone.now(), **fields)


def outbox_send_claimed(pk: int, token: uuid.UUID, result: DrainResult) -> None:
    """Render and send one claimed row (steps 2-4 of the module docstring)."""
    now = timezone.now()
    if (
        not _mine(pk, token)
        .filter(status=Status.CLAIMED)
        .update(status=Status.SENDING, lease_until=now + lease(), attempts=F("attempts") + 1, updated_at=now)
    ):
        result.count(pk, "lost")  # another worker took it after our lease lapsed
        return
    row = Notification.objects.get(pk=pk)
    try:
        outcome = registry.get_kind(row.kind).render(row, now)
    except Exception:
        # A bug, not the provider: stop retrying and show it to staff. The traceback names no patient.
        logger.exception("outbox %s (%s): rendering failed", pk, row.kind)
        _release(pk, token, status=Status.FAILED, last_error="render_error: see the worker log")
        result.count(pk, "failed")
        return

    if isinstance(outcome, registry.Skip):
        _release(pk, token, status=Status.CANCELLED, last_error=outcome.reason[:300])
        result.count(pk, "cancelled")
        return
    if isinstance(outcome, registry.Defer):
        # Not an attempt: give it back.
        _release(pk, token, status=Status.PENDING, due_at=outcome.until, attempts=F("attempts") - 1)
        result.count(pk, "deferred")
        return
    if isinstance(outcome, registry.Reroute):
        _reroute(row, token, outcome.channel)
        result.count(pk, "cancelled")
        return

    try:
        if row.channel == Channel.SMS:
            message_id = channels.get_sms_backend().send(
                to=outcome.to[0], body=outcome.body, idempotency_key=row.idempotency_key
            )
        else:
            message_id = channels.send_email(
                to=outcome.to, subject=outcome.subject, body=outcome.body, idempotency_key=row.idempotency_key
            )
    except channels.SendError as exc:
        attempts = row.attempts  # this one included (counted when it went to sending)
        if exc.transient and attempts < settings.OUTBOX_MAX_ATTEMPTS:
            _release(
                pk, token, status=Status.PENDING, due_at=now + backoff(attempts), last_error=str(exc)[:300]
            )
            result.count(pk, "retried")
        else:
            _release(pk, token, status=Status.FAILED, last_error=str(exc)[:300])
            result.count(pk, "failed")
        logger.warning("outbox %s (%s): %s", pk, row.kind, exc.code)
        return

    if _release(pk, token, status=Status.SENT, sent_at=timezone.now(), provider_message_id=message_id[:100]):
        result.count(pk, "sent")
    else:
        # Our lease lapsed mid-call and another worker re-sent with the same key; the provider
        # delivered once and that worker records it.
        result.count(pk, "lost")


def _reroute(row: Notification, token: uuid.UUID, channel: str) -> None:
    from clinic.notifications.services import notification_schedule

    with transaction.atomic():
        if _release(row.pk, token, status=Status.CANCELLED, last_error=f"rerouted to {channel}"):
            notification_schedule(
                kind=row.kind,
                channel=channel,
                recipient=row.recipient,
                record=row.record,
                record_key=row.record_key,
                due_at=timezone.now(),
            )


def outbox_drain(
    *, seconds: float | None = None, batch: int | None = None, only: int | None = None
) -> DrainResult:
    """Claim and send due rows until none are left or `seconds` have passed; return what happened."""
    deadline = timezone.now() + timedelta(seconds=seconds or settings.OUTBOX_DRAIN_SECONDS)
    batch = batch or settings.OUTBOX_BATCH_SIZE
    result = DrainResult()
    while timezone.now() < deadline:
        now = timezone.now()
        outbox_recover(now=now)
        token, ids = outbox_claim(now=now, limit=batch, only=only)
        if not ids:
            break
        for pk in ids:
            outbox_send_claimed(pk, token, result)
        if only is not None or len(ids) < batch:
            break  # the queue is empty (rows due meanwhile wait for the next tick)
    return result


def outbox_due_count(*, now: datetime) -> int:
    return Notification.objects.filter(status=Status.PENDING, due_at__lte=now).count()
