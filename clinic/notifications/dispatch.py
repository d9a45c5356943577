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
from concurrent.futures import ThreadPoolExecutor
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


_COLUMNS = [f.column for f in Notification._meta.concrete_fields]
_ATTNAMES = [f.attname for f in Notification._meta.concrete_fields]
_TABLE = Notification._meta.db_table

_CLAIM_SQL = f"""
UPDATE {_TABLE} SET status = %s, claim_token = %s, lease_until = %s, updated_at = %s
WHERE id IN (
    SELECT id FROM {_TABLE}
    WHERE status = %s AND due_at <= %s {{only}}
    ORDER BY due_at
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
RETURNING {", ".join(f'"{c}"' for c in _COLUMNS)}
"""  # noqa: S608 - only the table and column names are interpolated


def outbox_claim(
    *, now: datetime, limit: int, only: int | None = None
) -> tuple[uuid.UUID, list[Notification]]:
    """Claim up to `limit` due pending rows (or just row `only`) for this worker; return the token and
    the claimed rows themselves (the claim's RETURNING: no second read), in id order."""
    token = uuid.uuid4()
    sql = _CLAIM_SQL.replace("{only}", "AND id = %s" if only is not None else "")
    params: list = [Status.CLAIMED, token, now + lease(), now, Status.PENDING, now]
    if only is not None:
        params.append(only)
    params.append(limit)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    # What the ORM applies to each column it reads (backend and field converters).
    converters = []
    for f in Notification._meta.concrete_fields:
        col = f.get_col(_TABLE)
        converters.append((f, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    rows = []
    for values in fetched:
        values = list(values)
        for n, (f, field_converters) in enumerate(converters):
            for converter in field_converters:
                values[n] = converter(values[n], f, connection)
        rows.append(Notification.from_db(connection.alias, _ATTNAMES, values))
    return token, sorted(rows, key=lambda row: row.pk)


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

    if not isinstance(outcome, registry.Message):
        _settle_without_sending(row, token, outcome, result)
        return
    registry.before_send()

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
        _settle_error(row, token, exc, now, result)
        return

    if _release(pk, token, status=Status.SENT, sent_at=timezone.now(), provider_message_id=message_id[:100]):
        result.count(pk, "sent")
    else:
        # Our lease lapsed mid-call and another worker re-sent with the same key; the provider
        # delivered once and that worker records it.
        result.count(pk, "lost")


_SENDING_SQL = f"""
UPDATE {_TABLE} SET status = %s, lease_until = %s, attempts = attempts + 1, updated_at = %s
WHERE id = ANY(%s) AND claim_token = %s AND status = %s
RETURNING id, attempts
"""  # noqa: S608

_SENT_SQL = f"""
UPDATE {_TABLE} AS n SET status = %s, sent_at = %s, provider_message_id = v.message_id,
    claim_token = NULL, lease_until = NULL, updated_at = %s
FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS message_id) AS v
WHERE n.id = v.id AND n.claim_token = %s
RETURNING n.id
"""  # noqa: S608


def _preload(rows: list[Notification]) -> None:
    """Read the records of the batch's rows in one query per kind (the kinds that offer `load`)."""
    by_kind: dict[str, list[Notification]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    for name, kind_rows in by_kind.items():
        load = registry.get_kind(name).load
        if load is None:
            continue
        records = load(sorted({row.record_id for row in kind_rows}))
        for row in kind_rows:
            row.preloaded_record = records.get(row.record_id)


def _send_sms(job) -> str | channels.SendError:
    to, body, key = job
    try:
        return channels.get_sms_backend().send(to=to, body=body, idempotency_key=key)
    except channels.SendError as exc:
        return exc


def outbox_send_batch(rows: list[Notification], token: uuid.UUID, result: DrainResult) -> None:
    """Send a claimed batch of SMS rows (whose provider honours the idempotency key) with a constant
    number of queries: the move to `sending` in one UPDATE, their records in one query per kind, the
    provider calls in parallel threads (settings.OUTBOX_SEND_THREADS; no database in them), and the
    `sent` marks in one UPDATE. A crash between a provider call and that last UPDATE leaves rows
    `sending`: recovery sends them again with the same key, and the provider delivers nothing new (the
    module docstring's step 3-4 case, for several rows at once)."""
    if not rows:
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _SENDING_SQL,
            [Status.SENDING, now + lease(), now, [r.pk for r in rows], token, Status.CLAIMED],
        )
        attempts = dict(cursor.fetchall())
    live = []
    for row in rows:
        if row.pk not in attempts:
            result.count(row.pk, "lost")  # another worker took it after our lease lapsed
            continue
        row.status, row.attempts = Status.SENDING, attempts[row.pk]
        live.append(row)
    _preload(live)
    jobs: list[tuple[Notification, tuple[str, str, str]]] = []
    for row in live:
        try:
            outcome = registry.get_kind(row.kind).render(row, now)
        except Exception:
            logger.exception("outbox %s (%s): rendering failed", row.pk, row.kind)
            _release(row.pk, token, status=Status.FAILED, last_error="render_error: see the worker log")
            result.count(row.pk, "failed")
            continue
        if not isinstance(outcome, registry.Message):
            _settle_without_sending(row, token, outcome, result)
            continue
        jobs.append((row, (outcome.to[0], outcome.body, row.idempotency_key)))
    if jobs:
        registry.before_send()
    threads = max(1, min(settings.OUTBOX_SEND_THREADS, len(jobs)))
    if threads == 1:
        answers = [_send_sms(job) for _, job in jobs]
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            answers = list(pool.map(_send_sms, [job for _, job in jobs]))
    sent: list[tuple[int, str]] = []
    for (row, _job), answer in zip(jobs, answers, strict=True):
        if isinstance(answer, channels.SendError):
            _settle_error(row, token, answer, now, result)
        else:
            sent.append((row.pk, answer[:100]))
    if not sent:
        return
    at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _SENT_SQL, [Status.SENT, at, at, [pk for pk, _ in sent], [mid for _, mid in sent], token]
        )
        recorded = {pk for (pk,) in cursor.fetchall()}
    for pk, _ in sent:
        # Not recorded: our lease lapsed mid-call and another worker re-sent with the same key; the
        # provider delivered once and that worker records it.
        result.count(pk, "sent" if pk in recorded else "lost")


def _settle_without_sending(row: Notification, token: uuid.UUID, outcome, result: DrainResult) -> None:
    """A rendered row that is not sent now: skipped, deferred or rerouted."""
    if isinstance(outcome, registry.Skip):
        _release(row.pk, token, status=Status.CANCELLED, last_error=outcome.reason[:300])
        result.count(row.pk, "cancelled")
    elif isinstance(outcome, registry.Defer):
        # Not an attempt: give it back.
        _release(row.pk, token, status=Status.PENDING, due_at=outcome.until, attempts=F("attempts") - 1)
        result.count(row.pk, "deferred")
    else:  # Reroute
        _reroute(row, token, outcome.channel)
        result.count(row.pk, "cancelled")


def _settle_error(row: Notification, token: uuid.UUID, exc, now: datetime, result: DrainResult) -> None:
    attempts = row.attempts  # this one included (counted when it went to sending)
    if exc.transient and attempts < settings.OUTBOX_MAX_ATTEMPTS:
        _release(
            row.pk, token, status=Status.PENDING, due_at=now + backoff(attempts), last_error=str(exc)[:300]
        )
        result.count(row.pk, "retried")
    else:
        _release(row.pk, token, status=Status.FAILED, last_error=str(exc)[:300])
        result.count(row.pk, "failed")
    logger.warning("outbox %s (%s): %s", row.pk, row.kind, exc.code)


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
        token, rows = outbox_claim(now=now, limit=batch, only=only)
        if not rows:
            break
        # SMS in a batch; a channel whose provider ignores the idempotency key (SMTP email) one row at
        # a time, so that a crash leaves at most one of them with an unknown outcome.
        batched = [row for row in rows if row.channel == Channel.SMS and channel_is_idempotent(Channel.SMS)]
        outbox_send_batch(batched, token, result)
        in_batch = {row.pk for row in batched}
        for row in rows:
            if row.pk not in in_batch:
                outbox_send_claimed(row.pk, token, result)
        if only is not None or len(rows) < batch:
            break  # the queue is empty (rows due meanwhile wait for the next tick)
    return result


def outbox_due_count(*, now: datetime) -> int:
    return Notification.objects.filter(status=Status.PENDING, due_at__lte=now).count()
