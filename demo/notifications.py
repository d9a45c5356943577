"""Demo outbox for `seed_demo`: the reminders of the demo bookings are already there (booking schedules
them); this runs the planners once, so the staff digest and "your next cycle is due" rows exist too,
and makes sure beat's two periodic tasks exist. Idempotent: the outbox's unique constraint holds each
message once however often it runs."""

from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from clinic.notifications import registry

PERIODIC_TASKS = (
    ("outbox-dispatch", "clinic.outbox_dispatch", 1),
    ("notifications-plan", "clinic.notifications_plan", 5),
)


def seed_notifications() -> None:
    for name, task, minutes in PERIODIC_TASKS:
        interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period=IntervalSchedule.MINUTES)
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": interval})
    registry.load_modules()
    now = timezone.now()
    for plan in registry.REGISTRY.planners.values():
        plan(now)
