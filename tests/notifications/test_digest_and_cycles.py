"""The staff digest (one per site per morning, sections from the apps) and "your next cycle is due"."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinic.notifications.digest import DigestLine, digest_sections
from clinic.notifications.dispatch import outbox_drain
from clinic.notifications.models import Notification
from infusions.reminders import cycle_due_plan
from scheduling.reminders import digest_plan
from tests.factories import EgfrFactory
from tests.infusions.calendar import make_order
from tests.infusions.factories import cycle_day
from tests.notifications.conftest import at
from tests.scheduling.factories import BookingFactory

pytestmark = pytest.mark.usefixtures("clock")
MONDAY = date(2027, 3, 1)


def cycle(order, chair, number: int, day: date, clock: str = "09:00", **kwargs):
    booking = BookingFactory(
        chair=chair,
        site=chair.site,
        patient=order.patient,
        start=at(day, clock),
        end=at(day, clock) + timedelta(hours=4),
        **kwargs,
    )
    cycle_day(booking, order, number)
    return booking


@pytest.fixture
def due_order(manager, chairs):
    """Cycle 1 three weeks ago; cycle 2 (every 21 days) is due today and not booked."""
    order = make_order(manager)
    cycle(order, chairs[0], 1, MONDAY - timedelta(days=21), status="completed")
    return order


def test_the_digest_lists_maintenance_cycles_due_but_not_booked(site, chairs, manager, due_order):
    booked = make_order(manager)
    cycle(booked, chairs[1], 1, MONDAY - timedelta(days=21), status="completed")
    cycle(booked, chairs[1], 2, MONDAY + timedelta(days=1))

    sections = {s.key: s for s in digest_sections(site_id=site.pk, day=MONDAY)}

    assert sections["cycles_due_unbooked"].lines == [
        DigestLine(
            f"{due_order.patient.mrn}: cycle 2 due Mon 01 Mar (order #{due_order.pk}), not booked",
            f"/admin/infusions/treatmentorder/{due_order.pk}/change/",
        )
    ]


def test_the_digest_lists_patients_whose_egfr_will_be_stale_at_their_next_infusion(site, chairs, manager):
    stale, fresh = make_order(manager), make_order(manager)
    stale.patient.lab_results.update(collected_at=timezone.now() - timedelta(days=40))
    EgfrFactory(patient=fresh.patient, collected_at=timezone.now() - timedelta(days=1))
    cycle(stale, chairs[0], 1, date(2027, 3, 4))
    cycle(fresh, chairs[1], 1, date(2027, 3, 4))

    [line] = {s.key: s for s in digest_sections(site_id=site.pk, day=MONDAY)}["egfr_due"].lines

    assert (
        line.text
        == f"{stale.patient.mrn}: infusion Thu 04 Mar 09:00, last eGFR 20 Jan is over 30 days old by then"
    )


def test_one_digest_per_site_goes_out_each_morning_to_its_staff(
    site, chairs, manager, scheduler, due_order, clock
):
    clock.move_to(at(MONDAY, "06:59"))
    assert digest_plan(timezone.now()) == 0
    clock.move_to(at(MONDAY, "07:00"))
    digest_plan(timezone.now())
    clock.move_to(at(MONDAY, "07:05"))
    digest_plan(timezone.now())
    outbox_drain(seconds=5)
    outbox_drain(seconds=5)

    [email] = mail.outbox
    assert email.to == sorted([manager.email, scheduler.email])
    assert "Maintenance cycles due but not booked (1)" in email.body
    assert f"{due_order.patient.mrn}: cycle 2 due" in email.body
    assert "http://127.0.0.1:8000/admin/infusions/treatmentorder/" in email.body
    assert due_order.patient.family_name not in email.body
    assert str(due_order.product) not in email.body

    clock.move_to(at(MONDAY + timedelta(days=1), "07:00"))
    digest_plan(timezone.now())
    outbox_drain(seconds=5)
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(kind="staff_digest").count() == 2


def test_the_patient_hears_once_that_the_next_cycle_is_due(site, chairs, sms, due_order, clock):
    clock.move_to(at(MONDAY, "10:00"))

    assert cycle_due_plan(timezone.now()) == 1
    cycle_due_plan(timezone.now())
    outbox_drain(seconds=5)
    outbox_drain(seconds=5)

    [message] = sms.messages()
    assert message["to"] == due_order.patient.phone
    assert "time to book your next treatment" in message["body"]
    assert "+15555550199" in message["body"]
    assert str(due_order.product).lower() not in message["body"].lower()
    row = Notification.objects.get(kind="cycle_due")
    assert (row.record_key, row.status) == ("cycle:2", "sent")


def test_nobody_is_told_to_book_a_cycle_that_was_booked_meanwhile(site, chairs, sms, due_order, clock):
    clock.move_to(at(MONDAY, "10:00"))
    cycle_due_plan(timezone.now())
    cycle(due_order, chairs[0], 2, MONDAY + timedelta(days=2))

    outbox_drain(seconds=5)

    assert sms.messages() == []
    assert Notification.objects.get(kind="cycle_due").status == "cancelled"


def test_a_cycle_not_yet_due_or_beyond_the_orders_last_is_not_announced(site, chairs, manager):
    early = make_order(manager)
    cycle(early, chairs[0], 1, MONDAY - timedelta(days=10), status="completed")
    finished = make_order(manager, cycles=1)
    cycle(finished, chairs[1], 1, MONDAY - timedelta(days=30), status="completed")

    assert cycle_due_plan(timezone.now()) == 0


def test_the_digest_lists_authorizations_overdue_expiring_or_short_of_units(site, chairs, manager, clock):
    from insurance.models import AuthorizationUsage, PriorAuthorization
    from tests.insurance.factories import CoverageFactory, make_authorization
    from tests.notifications.conftest import NOW

    overdue_order, expiring_order, short_order, elsewhere = (make_order(manager) for _ in range(4))
    for n, order in enumerate((overdue_order, expiring_order, short_order)):
        cycle(order, chairs[n % 2], 1, MONDAY + timedelta(days=2 + n))
    clock.move_to(NOW - timedelta(days=10))  # submitted ten days ago: a standard decision was due in 7
    overdue = make_authorization(CoverageFactory(patient=overdue_order.patient, payer__name="Acme Health"))
    clock.move_to(NOW)
    make_authorization(
        CoverageFactory(patient=expiring_order.patient, payer__name="Acme Health"),
        status="approved",
        valid_to=date(2027, 3, 20),
    )
    short = make_authorization(
        CoverageFactory(patient=short_order.patient, payer__name="Blue Harbor"), status="approved", units=560
    )
    PriorAuthorization.objects.filter(pk=short.pk).update(units_per_cycle=140)
    AuthorizationUsage.objects.create(
        authorization=short,
        booking_id=1,
        status="used",
        units=480,
        service_date=date(2027, 2, 1),
    )
    # A patient never booked at this site is on another site's digest, not this one.
    make_authorization(
        CoverageFactory(patient=elsewhere.patient), status="approved", valid_to=date(2027, 3, 5)
    )

    sections = {s.key: s for s in digest_sections(site_id=site.pk, day=MONDAY)}

    assert [line.text for line in sections["authorizations_overdue"].lines] == [
        f"{overdue_order.patient.mrn}: Acme Health decision was due Fri 26 Feb 06:00"
    ]
    assert (
        sections["authorizations_overdue"].lines[0].url.endswith(f"/priorauthorization/{overdue.pk}/change/")
    )
    assert [line.text for line in sections["authorizations_expiring"].lines] == [
        f"{expiring_order.patient.mrn}: Acme Health authorization ends Sat 20 Mar"
    ]
    assert [line.text for line in sections["authorizations_units_short"].lines] == [
        f"{short_order.patient.mrn}: Blue Harbor authorization has 80 units left, the next cycle needs 140"
    ]
    assert [s.key for s in digest_sections(site_id=site.pk, day=MONDAY)][:3] == [
        "authorizations_overdue",
        "authorizations_expiring",
        "authorizations_units_short",
    ]
