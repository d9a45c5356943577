"""The layout's migrations run forward on a database filled by seed_demo: `Booking.order_ref` becomes
CycleDay (infusions/0005), and the chairside record moves to charting with its tables, permissions and
audit trail (charting/0001, 0002).

The demo is seeded at the current schema, the database is taken back to before infusions/0005 (which
writes every cycle day back as its order_ref string, as the old code stored it, and labels the charting
models infusions' again), attack rows are added there as the old calendar API allowed them, and the
migrations run forward again.
"""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from infusions.models import CycleDay
from insurance.models import AuthorizationUsage
from patients.models import Patient
from scheduling.models import Booking, Site
from tests.scheduling.conftest import NOW

BEFORE = [
    ("infusions", "0004_children_dosing_and_vitals"),
    ("insurance", "0003_insurer_list_indexes"),
    ("contenttypes", "0002_remove_content_type_name"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_every_seeded_booking_keeps_its_order_cycle_and_day_and_claims_on_others_are_dropped(settings):
    settings.DEBUG = True
    with time_machine.travel(NOW + timedelta(hours=8, minutes=30), tick=True):  # 14:30: today is charted
        call_command("seed_demo", quiet=True)
    _plain_bookings()
    linked = {d.booking_id: (d.order_id, d.cycle, d.day) for d in CycleDay.objects.all()}
    reserved = dict(AuthorizationUsage.objects.values_list("pk", "booking_id"))
    charted = _charting_trail()
    assert charted["entries"] and charted["nurse"]
    assert any(cycle for _, cycle, _ in linked.values()) and any(c is None for _, c, _ in linked.values())
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        labels = old.get_model("contenttypes", "ContentType").objects.filter(model="vitalsreading")
        assert list(labels.values_list("app_label", flat=True)) == ["infusions"]
        Booking = old.get_model("scheduling", "Booking")
        refs = dict(Booking.objects.exclude(order_ref="").values_list("pk", "order_ref"))
        assert refs == {
            pk: f"order:{o}" + (f"/cycle:{c}/day:{d}" if c else "") for pk, (o, c, d) in linked.items()
        }
        # What the old calendar API let a scheduler write: another patient's order, a cycle day
        # already held, an order that does not exist.
        cycle_booking = Booking.objects.get(pk=next(pk for pk, (_, c, _) in linked.items() if c))
        others = Booking.objects.exclude(pk__in=list(linked)).exclude(patient_id=cycle_booking.patient_id)
        Booking.objects.filter(pk=others[0].pk).update(order_ref=refs[cycle_booking.pk])
        Booking.objects.filter(pk=others[1].pk).update(order_ref="order:999999/cycle:1/day:1")
        later = cycle_booking.start + timedelta(days=60)
        twin = Booking.objects.create(
            site_id=cycle_booking.site_id,
            chair_id=cycle_booking.chair_id,
            patient_id=cycle_booking.patient_id,
            start=later,
            end=later + timedelta(hours=4),
            order_ref=refs[cycle_booking.pk],
        )
        # Booked after the real cycle day (auto_now_add took the machine's clock, not the demo's).
        Booking.objects.filter(pk=twin.pk).update(created_at=cycle_booking.created_at + timedelta(days=1))
        claims = [others[0].pk, others[1].pk, twin.pk]
    finally:
        _migrate(leaves)

    after = {d.booking_id: (d.order_id, d.cycle, d.day) for d in CycleDay.objects.all()}
    assert after == linked
    assert not CycleDay.objects.filter(booking_id__in=claims).exists()
    assert dict(AuthorizationUsage.objects.values_list("pk", "booking_id")) == reserved
    ContentType.objects.clear_cache()
    assert _charting_trail() == charted


def _plain_bookings() -> None:
    """Two calendar bookings of a patient with no order: the demo books only orders' cycles, and the
    attack below needs bookings no order claims."""
    site = Site.objects.get()
    patient = Patient.objects.get(mrn="MRN-100007")
    for days in (2, 3):
        start = datetime.combine(NOW.date() + timedelta(days=days), time(10, 0), tzinfo=site.zone)
        Booking.objects.create(
            site=site, chair=site.chairs.get(name="Chair 01"), patient=patient, start=start,
            end=start + timedelta(hours=3),
        )  # fmt: skip


def _charting_trail() -> dict:
    """The audit entries and the nurse's permissions on the chairside record, through the charting label."""
    types = ContentType.objects.filter(app_label="charting")
    nurse = Group.objects.get(name="nurse").permissions.filter(content_type__in=types)
    return {
        "entries": sorted(LogEntry.objects.filter(content_type__in=types).values_list("pk", "object_pk")),
        "nurse": sorted(f"charting.{p.codename}" for p in nurse),
    }
