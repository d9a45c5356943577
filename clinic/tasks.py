"""Celery tasks of notification delivery. Thin: they take ids (or nothing) and call the dispatcher.

Beat runs `outbox_dispatch` every minute and `notifications_plan` every five (PeriodicTask rows made
by clinic/migrations/0003_outbox_periodic_tasks.py, read by django-celery-beat's DatabaseScheduler).
Running either twice at once, from two beats or a redelivered message, is harmless: rows are claimed
with SKIP LOCKED under a token, so each is sent by one worker.
"""

import logging
import math

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from clinic.notifications import dispatch, registry

logger = logging.getLogger(__name__)


@shared_task(name="clinic.outbox_dispatch")
def outbox_dispatch() -> int:
    """Start enough drainers for what is due (each claims its own rows); return how many."""
    due = dispatch.outbox_due_count(now=timezone.now())
    drainers = min(settings.OUTBOX_DRAINERS, math.ceil(due / settings.OUTBOX_BATCH_SIZE))
    # Leases of dead workers lapse even when nothing new is due.
    dispatch.outbox_recover(now=timezone.now())
    for _ in range(drainers):
        outbox_drain.delay()
    return drainers


@shared_task(name="clinic.outbox_drain")
def outbox_drain() -> dict:
    result = dispatch.outbox_drain()
    return {k: getattr(result, k) for k in ("sent", "cancelled", "deferred", "retried", "failed", "lost")}


@shared_task(name="clinic.outbox_send")
def outbox_send(notification_id: int) -> str:
    """Send one row now if it is pending and due (after a resend, or a message due at once)."""
    result = dispatch.outbox_drain(only=notification_id, batch=1)
    return result.outcomes.get(notification_id, "not_due")


@shared_task(name="clinic.notifications_plan")
def notifications_plan() -> dict:
    """Run every registered planner (staff digests, "your next cycle is due"); one failing does not stop
    the others."""
    registry.load_modules()
    now = timezone.now()
    scheduled = {}
    for name, plan in registry.REGISTRY.planners.items():
        try:
            scheduled[name] = plan(now)
        except Exception:
            logger.exception("planner %s failed", name)
            scheduled[name] = -1
    return scheduled
