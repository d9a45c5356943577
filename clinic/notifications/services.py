"""Writes to the outbox. Apps schedule, move and cancel their messages only through these functions."""

import logging
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from clinic.notifications.models import Notification, Status

logger = logging.getLogger(__name__)


def _ct(obj: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(obj, for_concrete_model=False)


def notification_schedule(
    *,
    kind: str,
    channel: str,
    recipient: models.Model,
    record: models.Model,
    due_at: datetime,
    record_key: str = "",
) -> Notification:
    """Put a message in the outbox, due at `due_at`, and return its row.

    Idempotent: the row for (kind, record, record_key, channel, recipient) is created once. If it is
    still pending, its due time moves to `due_at`; if it was cancelled (say a booking was moved too
    close and then back) it is pending again; a sent or failed row stays as it is.
    A row due now is handed to a worker when the transaction commits, without waiting for the next tick.
    """
    row, created = Notification.objects.get_or_create(
        kind=kind,
        channel=channel,
        recipient_type=_ct(recipient),
        recipient_id=recipient.pk,
        record_type=_ct(record),
        record_id=record.pk,
        record_key=record_key,
        defaults={"due_at": due_at},
    )
    if (
        not created
        and row.status in (Status.PENDING, Status.CANCELLED)
        and (row.due_at != due_at or row.status == Status.CANCELLED)
    ):
        Notification.objects.filter(pk=row.pk, status__in=(Status.PENDING, Status.CANCELLED)).update(
            due_at=due_at, status=Status.PENDING, last_error="", updated_at=timezone.now()
        )
        row.refresh_from_db()
    if row.status == Status.PENDING and row.due_at <= timezone.now():
        _send_on_commit(row.pk)
    return row


def notifications_sync(
    *,
    record: models.Model,
    recipient: models.Model,
    channel: str,
    due_by_kind: dict[str, datetime | None],
    reason: str,
    fresh: bool = False,
) -> None:
    """Make the record's messages of these kinds match what should be: `due_by_kind[kind]` is when that
    message is due, or None when it should not go out (any more).

    Pending rows move to their new due time; cancelled ones come back if due again; rows to another
    channel or recipient (preferences changed) and rows no longer wanted are cancelled with `reason`;
    sent and failed rows stay. `fresh` (a record just created, nothing in the outbox yet) skips the read,
    so booking a chair costs one INSERT.
    """
    now = timezone.now()
    recipient_type, record_type = _ct(recipient), _ct(record)
    rows = [] if fresh else list(notifications_for(record=record, kinds=list(due_by_kind)))
    ours = {
        row.kind: row
        for row in rows
        if row.channel == channel
        and (row.recipient_type_id, row.recipient_id) == (recipient_type.pk, recipient.pk)
    }
    new, stale = [], [row.pk for row in rows if row.kind not in ours or ours[row.kind].pk != row.pk]
    for kind, due in due_by_kind.items():
        row = ours.get(kind)
        if due is None:
            if row is not None:
                stale.append(row.pk)
        elif row is None:
            new.append(
                Notification(
                    kind=kind,
                    channel=channel,
                    recipient_type=recipient_type,
                    recipient_id=recipient.pk,
                    record_type=record_type,
                    record_id=record.pk,
                    due_at=due,
                )
            )
        elif row.status in (Status.PENDING, Status.CANCELLED) and (
            row.due_at != due or row.status == Status.CANCELLED
        ):
            Notification.objects.filter(pk=row.pk, status__in=(Status.PENDING, Status.CANCELLED)).update(
                due_at=due, status=Status.PENDING, last_error="", updated_at=now
            )
    if new:
        Notification.objects.bulk_create(new, ignore_conflicts=True)
    if stale:
        Notification.objects.filter(pk__in=stale, status=Status.PENDING).update(
            status=Status.CANCELLED, last_error=reason[:300], updated_at=now
        )


def notifications_for(*, record: models.Model, kinds: list[str] | None = None) -> models.QuerySet:
    rows = Notification.objects.filter(record_type=_ct(record), record_id=record.pk)
    return rows.filter(kind__in=kinds) if kinds is not None else rows


def notifications_cancel(*, record: models.Model, reason: str, kinds: list[str] | None = None) -> int:
    """Cancel the record's pending messages (of `kinds`, or all) and return how many.

    Rows already claimed by a worker are left to it: their renderer reads the record again at send time
    and skips what must no longer go out.
    """
    return (
        notifications_for(record=record, kinds=kinds)
        .filter(status=Status.PENDING)
        .update(status=Status.CANCELLED, last_error=reason[:300], updated_at=timezone.now())
    )


def notification_resend(*, notification: Notification) -> bool:
    """Queue a failed message again, due now, with a fresh provider idempotency key (the old key's
    answer, a refusal, may be cached by the provider). Returns False when the row is not failed."""
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
            status=Status.PENDING,
            due_at=timezone.now(),
            attempts=0,
            resends=models.F("resends") + 1,
            last_error="",
            updated_at=timezone.now(),
        )
        if updated:
            _send_on_commit(notification.pk)
    return bool(updated)


def broker_reachable() -> bool:
    """Whether the Celery broker (Redis) answers now; a quick check, for pages that say what happens."""
    from clinic.tasks import outbox_send

    try:
        with outbox_send.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:
        return False


def _send_now(pk: int) -> None:
    from clinic.tasks import outbox_send

    try:
        outbox_send.delay(pk)
    except Exception:
        # The broker is down: the row is pending and due, so the every-minute dispatch sends it once
        # the broker is back. Saying so beats failing the request that queued it.
        logger.warning("outbox row %s left for the next dispatch: the broker is unreachable", pk)


def _send_on_commit(pk: int) -> None:
    transaction.on_commit(lambda: _send_now(pk))
