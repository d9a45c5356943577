"""The dispatcher's rules: retries with backoff, permanent failures, leases of dead workers, resend."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.utils import timezone

from clinic.notifications import dispatch
from clinic.notifications.models import Notification
from clinic.notifications.services import notification_schedule
from tests.factories import PatientFactory
from tests.notifications.fake_provider import FakeProvider

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def provider(settings):
    fake = FakeProvider().start()
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_BASE_URL = fake.url
    settings.SMS_HTTP_ACCOUNT_SID = "AC123"
    settings.SMS_HTTP_AUTH_TOKEN = "secret-token"
    settings.SMS_FROM_NUMBER = "+15555550000"
    settings.REMINDER_QUIET_HOURS = None
    yield fake
    fake.stop()


def reminder(site, patient=None, *, kind="appointment_24h", due=None, channel="sms"):
    """A due reminder for a booking (the renderer reads it, so it is a real one)."""
    from tests.scheduling.factories import BookingFactory

    patient = patient or PatientFactory(reminder_channel=channel)
    booking = BookingFactory(
        chair__site=site, site=site, patient=patient, start=timezone.now() + timedelta(days=1, hours=2)
    )
    return Notification.objects.create(
        kind=kind,
        channel=channel,
        recipient=patient,
        record=booking,
        due_at=due or timezone.now(),
    )


def test_it_posts_the_message_to_the_provider_with_an_idempotency_key(site, provider):
    row = reminder(site)

    dispatch.outbox_drain(seconds=5)

    [request] = provider.requests
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["auth"].startswith("Basic ")
    assert request["key"] == f"outbox-{row.pk}-0"
    assert request["to"] == row.recipient.phone
    row.refresh_from_db()
    assert (row.status, row.attempts, row.provider_message_id) == ("sent", 1, provider.deliveries[0]["sid"])


def test_a_transient_error_is_retried_later_with_backoff(site, provider, clock):
    provider.fail_next = 2
    row = reminder(site)

    dispatch.outbox_drain(seconds=5)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.due_at) == ("pending", 1, timezone.now() + timedelta(minutes=1))
    assert row.last_error.startswith("provider_error: HTTP 503")

    clock.shift(timedelta(minutes=1))
    dispatch.outbox_drain(seconds=5)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.due_at) == ("pending", 2, timezone.now() + timedelta(minutes=2))

    clock.shift(timedelta(minutes=2))
    dispatch.outbox_drain(seconds=5)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 3)
    assert len(provider.deliveries) == 1


def test_a_permanent_error_fails_the_message_and_says_why(site, provider):
    patient = PatientFactory(phone="+15555550666")
    provider.refuse_numbers.add("+15555550666")
    row = reminder(site, patient)

    dispatch.outbox_drain(seconds=5)

    row.refresh_from_db()
    assert row.status == "failed"
    assert "HTTP 400 21211" in row.last_error
    assert "+15555550666" not in row.last_error


def test_transient_errors_give_up_after_the_last_attempt(site, provider, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    provider.fail_next = 1
    row = reminder(site)

    dispatch.outbox_drain(seconds=5)

    row.refresh_from_db()
    assert row.status == "failed"


def test_a_row_claimed_by_a_dead_worker_goes_back_to_the_queue_when_its_lease_lapses(site, provider, clock):
    row = reminder(site)
    _token, rows = dispatch.outbox_claim(now=timezone.now(), limit=10)  # ... and the worker dies
    assert [r.pk for r in rows] == [row.pk] and rows[0].status == "claimed"
    assert dispatch.outbox_drain(seconds=5).sent == 0  # still leased

    clock.shift(timedelta(seconds=121))
    assert dispatch.outbox_drain(seconds=5).sent == 1
    assert len(provider.deliveries) == 1


def test_an_sms_in_flight_when_its_worker_died_is_resent_with_the_same_key_and_delivered_once(
    site, provider, clock
):
    row = reminder(site)
    # The worker handed it to the provider and died before recording it.
    from clinic.notifications.channels import get_sms_backend

    get_sms_backend().send(to=row.recipient.phone, body="...", idempotency_key=row.idempotency_key)
    Notification.objects.filter(pk=row.pk).update(
        status="sending",
        claim_token=uuid.uuid4(),
        lease_until=timezone.now() + timedelta(seconds=120),
        attempts=1,
    )

    clock.shift(timedelta(seconds=121))
    dispatch.outbox_drain(seconds=5)

    row.refresh_from_db()
    assert row.status == "sent"
    assert len(provider.requests) == 2
    assert len(provider.deliveries) == 1
    assert row.provider_message_id == provider.deliveries[0]["sid"]


def test_an_email_in_flight_when_its_worker_died_is_failed_as_unknown_not_sent_twice(site, clock):
    row = reminder(site, channel="email")
    Notification.objects.filter(pk=row.pk).update(
        status="sending",
        claim_token=uuid.uuid4(),
        lease_until=timezone.now() + timedelta(seconds=120),
        attempts=1,
    )

    clock.shift(timedelta(seconds=121))
    dispatch.outbox_drain(seconds=5)

    row.refresh_from_db()
    assert row.status == "failed"
    assert row.last_error.startswith("outcome_unknown")
    assert mail.outbox == []


def test_resending_a_failed_message_uses_a_fresh_key(site, provider, manager, client):
    patient = PatientFactory(phone="+15555550666")
    provider.refuse_numbers.add("+15555550666")
    row = reminder(site, patient)
    dispatch.outbox_drain(seconds=5)
    provider.refuse_numbers.clear()

    client.force_login(manager)
    response = client.post(
        "/admin/clinic/notification/", {"action": "resend", "_selected_action": [row.pk]}, follow=True
    )
    assert response.status_code == 200
    dispatch.outbox_drain(seconds=5)

    row.refresh_from_db()
    assert (row.status, row.resends) == ("sent", 1)
    assert [r["key"] for r in provider.requests] == [f"outbox-{row.pk}-0", f"outbox-{row.pk}-1"]


def test_the_admin_lists_failed_messages_by_status_kind_and_patient(site, provider, manager, client):
    patient = PatientFactory(phone="+15555550666")
    provider.refuse_numbers.add("+15555550666")
    failed = reminder(site, patient)
    other = reminder(site, kind="appointment_72h")
    dispatch.outbox_drain(seconds=5)

    client.force_login(manager)
    page = client.get("/admin/clinic/notification/", {"status": "failed", "kind": "appointment_24h"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [failed]
    history = client.get("/admin/clinic/notification/", {"patient": other.recipient_id})
    assert list(history.context["cl"].result_list) == [other]
    assert client.get(f"/admin/clinic/notification/{failed.pk}/change/").status_code == 200
    patient_page = client.get(f"/admin/patients/patient/{patient.pk}/change/")
    assert f"/admin/clinic/notification/?patient={patient.pk}" in patient_page.content.decode()


@pytest.mark.parametrize("count", [4, 40])
def test_a_batch_costs_the_same_queries_however_many_messages(
    site, provider, django_assert_num_queries, count
):
    for _ in range(3):
        reminder(site)
    dispatch.outbox_drain(seconds=5)  # warm caches
    for _ in range(count):
        reminder(site)

    # Recover (3 updates) and claim (1, returning the rows; in a savepoint here: +2); then for the
    # whole batch: to sending, the bookings with their sites and patients, the visit links the
    # reminders carry (one INSERT, selfservice), to sent.
    with django_assert_num_queries(6 + 4):
        assert dispatch.outbox_drain(seconds=5, batch=50).sent == count
    assert len({d["key"] for d in provider.deliveries}) == len(provider.deliveries) == 3 + count


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_each_message_once(site, provider, settings):
    rows = [reminder(site) for _ in range(60)]
    barrier = threading.Barrier(3)

    def run():
        barrier.wait()
        try:
            dispatch.outbox_drain(seconds=20, batch=5)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Notification.objects.filter(status="sent").count() == len(rows)
    assert len(provider.requests) == len(rows)
    assert len({d["key"] for d in provider.deliveries}) == len(rows)


def test_a_staff_message_goes_to_the_roles_email(site, clock, manager, settings):
    from scheduling.reminders import digest_plan

    settings.STAFF_DIGEST_HOUR = 7
    clock.move_to(timezone.now() + timedelta(hours=1, minutes=5))  # 07:05 in New York
    assert digest_plan(timezone.now()) == 1
    dispatch.outbox_drain(seconds=5)

    [email] = mail.outbox
    assert email.to == [manager.email]
    assert email.subject == "Riverside Infusion Center: staff digest for Monday 1 March 2027"
    row = Notification.objects.get(kind="staff_digest")
    assert row.recipient == Group.objects.get(name="clinic_manager")
    assert row.record_key == "2027-03-01"
    assert notification_schedule  # the planner's only write path
