"""Exactly once under failure: real worker processes on real Redis and PostgreSQL, the provider's HTTP
boundary faked (tests/notifications/fake_provider.py), and the worker SIGKILLed mid-dispatch."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from clinic.notifications.models import Notification
from patients.models import Patient
from scheduling.models import Booking
from tests.notifications.fake_provider import FakeProvider
from tests.notifications.processes import Processes, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider():
    fake = FakeProvider(delay=0.01).start()  # each delivery takes a moment before the provider answers
    yield fake
    fake.stop()


@pytest.fixture
def processes(tmp_path, provider):
    procs = Processes(
        tmp_path,
        SMS_BACKEND="http",
        SMS_HTTP_BASE_URL=provider.url,
        SMS_HTTP_ACCOUNT_SID="AC123",
        SMS_HTTP_AUTH_TOKEN="token",
        SMS_FROM_NUMBER="+15555550000",
        OUTBOX_LEASE_SECONDS="3",
    )
    procs.purge()
    yield procs
    procs.stop_all()
    procs.purge()


def due_reminders(site, chair, count: int, *, spread: timedelta = timedelta(0)) -> list[Notification]:
    """`count` patients, each booked (directly, for speed), each with a 24 h reminder due now (or over
    the next `spread`)."""
    now = timezone.now()
    patients = Patient.objects.bulk_create(
        Patient(
            mrn=f"C{n:06d}",
            given_name="Test",
            family_name=f"Patient{n}",
            date_of_birth="1970-01-01",
            sex="female",
            phone=f"+1555{n:07d}",
        )
        for n in range(count)
    )
    first = now + timedelta(days=2)
    bookings = Booking.objects.bulk_create(
        Booking(
            site=site,
            chair=chair,
            patient=p,
            start=first + timedelta(minutes=15 * n),
            end=first + timedelta(minutes=15 * (n + 1)),
        )
        for n, p in enumerate(patients)
    )
    patient_type, booking_type = (
        ContentType.objects.get_for_model(Patient),
        ContentType.objects.get_for_model(Booking),
    )
    return Notification.objects.bulk_create(
        Notification(
            kind="appointment_24h",
            channel="sms",
            recipient_type=patient_type,
            recipient_id=b.patient_id,
            record_type=booking_type,
            record_id=b.pk,
            due_at=now + spread * n / count,
        )
        for n, b in enumerate(bookings)
    )


def assert_each_sent_exactly_once(provider: FakeProvider, rows: list[Notification]) -> None:
    keys = [d["key"] for d in provider.deliveries]
    phones = [d["to"] for d in provider.deliveries]
    assert len(provider.deliveries) == len(rows)  # 0 lost, 0 duplicates
    assert len(set(keys)) == len(rows)
    assert len(set(phones)) == len(rows)  # no patient got a second SMS
    by_key = {d["key"]: d["sid"] for d in provider.deliveries}
    sent = Notification.objects.filter(pk__in=[r.pk for r in rows], status="sent")
    assert sent.count() == len(rows)
    assert all(by_key[row.idempotency_key] == row.provider_message_id for row in sent)


def test_a_worker_killed_mid_dispatch_sends_each_of_500_reminders_exactly_once(
    site, chairs, provider, processes
):
    rows = due_reminders(site, chairs[0], 500)

    worker = processes.worker(concurrency=4)
    processes.send("clinic.outbox_dispatch")
    wait_for(lambda: len(provider.deliveries) >= 150, timeout=60, what="150 deliveries")
    processes.kill(worker)  # SIGKILL, the whole process group

    at_kill = len(provider.deliveries)
    in_flight = Notification.objects.filter(status__in=("claimed", "sending")).count()
    assert 0 < at_kill < 500
    assert in_flight > 0  # the kill did catch rows mid-dispatch

    processes.worker(concurrency=4)

    # Beat's next ticks: until the dead worker's leases lapse (3 s here) its rows stay taken.
    def done():
        if Notification.objects.filter(status="sent").count() == 500:
            return True
        processes.send("clinic.outbox_dispatch")
        return False

    wait_for(done, timeout=90, every=1.0, what="all 500 sent")

    assert_each_sent_exactly_once(provider, rows)
    replays = len(provider.requests) - len(provider.deliveries)
    print(
        f"\nchaos: {at_kill} delivered before the kill, {in_flight} in flight, {replays} repeats deduplicated"
    )


def test_a_second_beat_does_not_cause_duplicates(site, chairs, provider, processes):
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name="outbox-dispatch",
        defaults={"task": "clinic.outbox_dispatch", "interval": every_second, "enabled": True},
    )
    rows = due_reminders(site, chairs[0], 200, spread=timedelta(seconds=6))

    processes.worker(concurrency=4)
    beats = [processes.beat(), processes.beat()]
    wait_for(
        lambda: Notification.objects.filter(status="sent").count() == 200,
        timeout=90,
        every=0.5,
        what="200 sent",
    )
    wait_for(
        lambda: all(processes.log(b).count("Sending due task outbox-dispatch") >= 3 for b in beats),
        timeout=30,
        what="both beats ticking",
    )

    assert_each_sent_exactly_once(provider, rows)
    assert len(provider.requests) == 200  # not even a repeat for the provider to deduplicate
