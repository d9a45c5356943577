"""The two periodic tasks of notification delivery, as django-celery-beat rows, so that the one beat
(DatabaseScheduler) runs them on every deployment without a manual step. Idempotent."""

from django.db import migrations

TASKS = (
    # name, task, every (minutes)
    ("outbox-dispatch", "clinic.outbox_dispatch", 1),
    ("notifications-plan", "clinic.notifications_plan", 5),
)


def create_tasks(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in TASKS:
        interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={"task": task, "interval": interval, "enabled": True, "expires": None},
        )
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    # Tell a running beat that its schedule changed.
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_tasks(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _, _ in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_tasks, delete_tasks)]
