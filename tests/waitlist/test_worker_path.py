"""From a cancellation to the offer's SMS through a real Celery worker on the real Redis: the cancel
commits, the worker makes the offers (waitlist.slot_offer), their outbox rows are due at once and the
worker sends them (clinic.outbox_send). Prints the time each step took (the figure in the README)."""

import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker

from clinic.notifications.models import Notification, Status
from config.celery import app
from infusions import cycles
from scheduling.services import booking_cancel
from tests.infusions.calendar import at, make_clinic, make_order
from tests.notifications.processes import wait_for
from tests.waitlist.conftest import NOW, waitlisted
from tests.waitlist.test_offer_message import sms  # noqa: F401 - the SMS folder fixture
from waitlist.models import FreedSlot, Offer

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_cancellation_reaches_three_waitlisted_phones_through_the_worker_within_seconds(manager, sms):  # noqa: F811
    with time_machine.travel(NOW, tick=True):
        _, chairs = make_clinic()
        entries = [waitlisted(manager) for _ in range(4)]
        [booking] = cycles.cycle_book(
            order=make_order(manager), chair=chairs["R1"], start=at("2027-03-03"), created_by=manager
        )
        app.control.purge()  # what earlier in-process tests queued for no worker
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        ):
            began = time.perf_counter()
            booking_cancel(booking=booking, reason="Patient unwell", by=manager)
            wait_for(
                lambda: Notification.objects.filter(kind="waitlist_offer", status=Status.SENT).count() == 3,
                timeout=30,
                every=0.02,
                what="three offers sent",
            )
            elapsed = time.perf_counter() - began

    slot = FreedSlot.objects.get(freed_booking=booking)
    offers = list(Offer.objects.filter(slot=slot).order_by("rank"))
    rows = {r.record_id: r for r in Notification.objects.filter(kind="waitlist_offer")}
    assert [o.entry_id for o in offers] == [e.pk for e in entries[:3]]
    assert sorted(m["to"] for m in sms.messages()) == sorted(e.patient.phone for e in entries[:3])

    def after_cancel(moments):
        return max((m - slot.freed_at).total_seconds() for m in moments)

    print(
        f"\nwaitlist, cancel -> worker starts offering {after_cancel(o.offered_at for o in offers):.3f} s"
        f" -> outbox rows due {after_cancel(rows[o.pk].created_at for o in offers):.3f} s"
        f" -> last SMS sent {after_cancel(rows[o.pk].sent_at for o in offers):.3f} s (wall {elapsed:.3f} s)"
    )
    assert elapsed < 10
