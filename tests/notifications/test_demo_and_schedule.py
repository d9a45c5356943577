"""The demo outbox and beat's schedule, as `migrate` and `seed_demo` leave them."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from clinic.notifications.models import Notification
from demo.notifications import seed_notifications


@pytest.mark.django_db
def test_migrate_gives_the_one_beat_its_two_periodic_tasks():
    tasks = {t.name: t for t in PeriodicTask.objects.select_related("interval")}

    assert tasks["outbox-dispatch"].task == "clinic.outbox_dispatch"
    assert (tasks["outbox-dispatch"].interval.every, tasks["outbox-dispatch"].interval.period) == (
        1,
        "minutes",
    )
    assert tasks["notifications-plan"].task == "clinic.notifications_plan"
    assert tasks["outbox-dispatch"].enabled and tasks["notifications-plan"].enabled


@pytest.mark.django_db
def test_the_demo_bookings_have_their_reminders_and_seeding_the_outbox_again_adds_none(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pw-for-tests")
    call_command("seed_demo", quiet=True)
    first = sorted(Notification.objects.values_list("kind", "record_id", "record_key", "channel", "due_at"))
    seed_notifications()

    assert any(kind.startswith("appointment_") for kind, *_ in first)
    assert (
        sorted(Notification.objects.values_list("kind", "record_id", "record_key", "channel", "due_at"))
        == first
    )
