"""End to end through a real Celery worker on the real Redis: book through the scheduling service, move
the clock with time-machine, let beat's task (sent here as beat would) run on the worker, and read what
reached the SMS folder."""

from datetime import date

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker

from clinic.notifications.models import Notification
from clinic.tasks import outbox_dispatch
from config.celery import app
from scheduling import services
from tests.notifications.conftest import NOW, at
from tests.notifications.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def queue_is_idle() -> bool:
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        return client.llen("celery") == 0 and client.hlen("unacked") == 0


def tick() -> None:
    """Beat's every-minute task, run by the worker; returns once the worker has done all it started."""
    outbox_dispatch.delay()
    wait_for(queue_is_idle, timeout=20, every=0.05, what="the worker to finish")


def test_reminders_reach_the_patient_once_at_the_right_local_time_through_a_worker(
    site, chairs, patient, sms
):
    with time_machine.travel(NOW, tick=True) as clock:
        booking = services.booking_create(
            patient=patient, chair=chairs[0], start=at(date(2027, 3, 4), "10:00"), duration_minutes=240
        )
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        ):
            clock.move_to(at(date(2027, 3, 1), "09:59"))
            tick()
            assert sms.messages() == []

            clock.move_to(at(date(2027, 3, 1), "10:00"))
            tick()
            tick()  # a second tick (or a second beat) changes nothing
            assert len(sms.messages()) == 1

            clock.move_to(at(date(2027, 3, 3), "09:59:30"))
            tick()
            assert len(sms.messages()) == 1
            clock.move_to(at(date(2027, 3, 3), "10:00:30"))
            tick()
            tick()

    messages = sms.messages()
    assert len(messages) == 2
    assert all("Thursday 4 March 2027 at 10:00 AM" in m["body"] for m in messages)
    sent = {r.kind: r for r in Notification.objects.filter(record_id=booking.pk)}
    assert sent["appointment_72h"].sent_at.astimezone(site.zone).strftime("%a %H:%M") == "Mon 10:00"
    assert sent["appointment_24h"].sent_at.astimezone(site.zone).strftime("%a %H:%M") == "Wed 10:00"


def test_a_cancelled_booking_gets_nothing_through_a_worker(site, chairs, patient, sms):
    with time_machine.travel(NOW, tick=True) as clock:
        booking = services.booking_create(
            patient=patient, chair=chairs[0], start=at(date(2027, 3, 4), "10:00"), duration_minutes=240
        )
        services.booking_cancel(booking=booking, reason="Patient is travelling")
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        ):
            clock.move_to(at(date(2027, 3, 3), "10:01"))
            tick()

    assert sms.messages() == []
