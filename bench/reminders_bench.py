"""Dispatch throughput of the notification outbox: messages per second one worker sends.

    DATABASE_URL=.../clinic_bench REDIS_URL=... .venv/bin/python bench/reminders_bench.py [--messages 2000]

Without the URLs: `.venv/bin/python -m config.devservers -- .venv/bin/python bench/reminders_bench.py`.
Builds a scratch test database with N patients, each booked and with a reminder due now, then sends them:
1. in-process, one drainer (what one worker process does), to the file backend and to a local fake of
   a Twilio-style HTTP API (tests/notifications/fake_provider.py, no added latency);
2. through a real Celery worker (`--concurrency` processes, default 4) on Redis, to the HTTP fake,
   timed from beat's dispatch task to the last row marked sent;
3. one drainer in-process and the Celery worker again, to the HTTP fake answering each message after
   `--latency-ms` (default 100, a real provider's order): the batch's provider calls run in
   OUTBOX_SEND_THREADS threads (one per row of a batch by default), so the rate holds up (the
   target: 200 msg/s).
Prints messages/second and queries per message; drops the database.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["REMINDER_QUIET_HOURS"] = ""  # the real clock may be at night at the site

import django

django.setup()

from benchlib import QueryCounter
from celery import Celery
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from clinic.notifications.dispatch import outbox_drain
from clinic.notifications.models import Notification
from patients.models import Patient
from scheduling.models import Booking, Chair, Site
from tests.notifications.fake_provider import FakeProvider


def fill(count: int, offset: int) -> None:
    site, _ = Site.objects.get_or_create(
        name="Bench Infusion Center", defaults={"time_zone": "America/New_York", "address": "1 Bench Rd"}
    )
    chair, _ = Chair.objects.get_or_create(site=site, name="C01")
    now = timezone.now()
    base = offset * 1_000_000
    patients = Patient.objects.bulk_create(
        Patient(
            mrn=f"BR{base + n:07d}",
            given_name="Given",
            family_name="Family",
            date_of_birth="1970-01-01",
            sex="female",
            phone=f"+1555{base + n:07d}",
        )
        for n in range(count)
    )
    first = now + timedelta(days=2 + 30 * offset)
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
    Notification.objects.bulk_create(
        Notification(
            kind="appointment_24h",
            channel="sms",
            recipient_type=patient_type,
            recipient_id=b.patient_id,
            record_type=booking_type,
            record_id=b.pk,
            due_at=now,
        )
        for b in bookings
    )


def in_process(label: str, count: int, offset: int) -> None:
    fill(count, offset)
    with QueryCounter() as queries:
        t0 = time.perf_counter()
        result = outbox_drain(seconds=600)
        elapsed = time.perf_counter() - t0
    assert result.sent == count, result
    per_message = len(queries) / count
    rate = count / elapsed
    print(f"{label:<44} {rate:8.0f} msg/s   {per_message:.1f} queries/msg   ({count} in {elapsed:.2f} s)")


def test_database_url() -> str:
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(
        (url.scheme, url.netloc, f"/{connection.settings_dict['NAME']}", url.query, "")
    )


def with_worker(count: int, offset: int, concurrency: int, provider: FakeProvider, note: str = "") -> None:
    fill(count, offset)
    url = urllib.parse.urlsplit(os.environ["REDIS_URL"])
    broker = urllib.parse.urlunsplit(
        (url.scheme, url.netloc, f"/{int((url.path or '/0').strip('/') or 0) + 1}", "", "")
    )
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": broker,
        "SMS_BACKEND": "http",
        "SMS_HTTP_BASE_URL": provider.url,
        "SMS_HTTP_ACCOUNT_SID": "AC1",
        "SMS_HTTP_AUTH_TOKEN": "t",
        "SMS_FROM_NUMBER": "+15555550000",
        "OUTBOX_DRAINERS": str(concurrency),
    }
    celery = str(Path(sys.executable).with_name("celery"))
    log = Path(tempfile.mkdtemp(prefix="bench-worker-")) / "worker.log"
    worker = subprocess.Popen(
        [celery, "-A", "config", "worker", f"--concurrency={concurrency}", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    client = Celery(broker=broker)
    try:
        time.sleep(4)  # let the worker boot, so that its start-up is not in the figure
        t0 = time.perf_counter()
        client.send_task("clinic.outbox_dispatch")
        pending = Notification.objects.exclude(status="sent")
        while pending.exists():
            time.sleep(0.02)
            if time.perf_counter() - t0 > 300:
                raise SystemExit(f"worker did not finish; see {log}")
        elapsed = time.perf_counter() - t0
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        client.close()
    label = f"celery worker, {concurrency} processes, HTTP API{note}"
    print(f"{label:<44} {count / elapsed:8.0f} msg/s   ({count} in {elapsed:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency-ms", type=int, default=100, help="the slow provider's answer time")
    args = parser.parse_args()

    old_config = setup_databases(verbosity=0, interactive=False)
    provider = FakeProvider().start()
    slow = FakeProvider(delay=args.latency_ms / 1000).start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings.SMS_BACKEND, settings.SMS_FILE_DIR = "file", Path(folder)
            in_process("one drainer, in-process, file backend", args.messages, 0)
        settings.SMS_BACKEND, settings.SMS_HTTP_BASE_URL = "http", provider.url
        settings.SMS_HTTP_ACCOUNT_SID, settings.SMS_FROM_NUMBER = "AC1", "+15555550000"
        in_process("one drainer, in-process, HTTP API", args.messages, 1)
        with_worker(args.messages, 2, args.concurrency, provider)
        assert len(provider.deliveries) == len({d["key"] for d in provider.deliveries}) == 2 * args.messages
        deliveries, requests = len(provider.deliveries), len(provider.requests)
        print(f"provider deliveries {deliveries}, requests {requests} (no duplicates)")
        settings.SMS_HTTP_BASE_URL = slow.url
        in_process(f"one drainer, in-process, HTTP API +{args.latency_ms} ms", args.messages, 3)
        with_worker(args.messages, 4, args.concurrency, slow, note=f" +{args.latency_ms} ms")
        assert len(slow.deliveries) == len({d["key"] for d in slow.deliveries}) == 2 * args.messages
        deliveries, requests = len(slow.deliveries), len(slow.requests)
        print(f"slow provider deliveries {deliveries}, requests {requests} (no duplicates)")
    finally:
        provider.stop()
        slow.stop()
        connection.close()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
