"""A booking belongs to an order's cycle through a CycleDay row, not through `Booking.order_ref`.

Every booking's order_ref ("order:<id>/cycle:<n>/day:<d>", or a plain "order:<id>") becomes a CycleDay
with the same order, cycle and day, when the order is the booking's own patient's. A ref naming another
patient's order, an order that does not exist, or a live cycle day another booking already holds is not
linked (the booking stays, for no order): those are the claims the calendar API let anyone make.
Insurance's new id columns are filled from the same strings here, where their format is known; the
strings are dropped by scheduling/0005 and insurance/0005. Reversible: going back writes the strings
again from the rows.
"""

import re

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

REF = re.compile(r"^order:(\d+)(?:/cycle:(\d+)(?:/day:(\d+))?)?$")
INACTIVE = ("cancelled", "no_show")

SAME_PATIENT = """
CREATE FUNCTION cycle_day_same_patient() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT patient_id FROM infusions_treatmentorder WHERE id = NEW.order_id)
       IS DISTINCT FROM (SELECT patient_id FROM scheduling_booking WHERE id = NEW.booking_id) THEN
        RAISE EXCEPTION 'A booking can only be a cycle day of its own patient''s order.'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cycle_day_same_patient';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER cycle_day_same_patient BEFORE INSERT OR UPDATE OF order_id, booking_id
    ON infusions_cycleday FOR EACH ROW EXECUTE FUNCTION cycle_day_same_patient();
"""
DROP_SAME_PATIENT = """
DROP TRIGGER IF EXISTS cycle_day_same_patient ON infusions_cycleday;
DROP FUNCTION IF EXISTS cycle_day_same_patient();
"""


def parse(text):
    """(order id, cycle, day) of an order_ref; None when it names no order."""
    match = REF.match(text or "")
    if match is None:
        return None
    order_id, cycle, day = (int(g) if g else None for g in match.groups())
    return order_id, cycle, (day or 1) if cycle else None


def link_bookings(apps, schema_editor):
    Booking = apps.get_model("scheduling", "Booking")
    CycleDay = apps.get_model("infusions", "CycleDay")
    TreatmentOrder = apps.get_model("infusions", "TreatmentOrder")
    patients = dict(TreatmentOrder.objects.values_list("pk", "patient_id"))
    held, rows, holders = set(), [], {}
    bookings = Booking.objects.exclude(order_ref="").order_by("created_at", "pk")
    for pk, ref, patient_id, status, updated_at in bookings.values_list(
        "pk", "order_ref", "patient_id", "status", "updated_at"
    ):
        parsed = parse(ref)
        if parsed is None or patients.get(parsed[0]) != patient_id:
            continue
        order_id, cycle, day = parsed
        live = status not in INACTIVE
        if live and cycle is not None:
            if (order_id, cycle, day) in held:
                continue  # a second live booking claiming a held cycle day: the first keeps it
            held.add((order_id, cycle, day))
        if live:
            holders.setdefault(ref, pk)
        rows.append(
            CycleDay(
                order_id=order_id,
                cycle=cycle,
                day=day,
                booking_id=pk,
                released_at=None if live else updated_at,
            )
        )
    CycleDay.objects.bulk_create(rows, batch_size=1000)
    _insurance_ids(apps, holders)


def _insurance_ids(apps, holders):
    Booking = apps.get_model("scheduling", "Booking")
    PriorAuthorization = apps.get_model("insurance", "PriorAuthorization")
    AuthorizationOverride = apps.get_model("insurance", "AuthorizationOverride")
    AuthorizationUsage = apps.get_model("insurance", "AuthorizationUsage")
    for auth in PriorAuthorization.objects.exclude(order_ref=""):
        parsed = parse(auth.order_ref)
        if parsed is not None:
            PriorAuthorization.objects.filter(pk=auth.pk).update(order_id=parsed[0])
    for override in AuthorizationOverride.objects.all():
        parsed, used = parse(override.order_ref), parse(override.used_ref)
        if parsed is None:
            raise RuntimeError(
                f"Authorization override #{override.pk} names no order: {override.order_ref!r}"
            )
        override.order_id = parsed[0]
        override.used_cycle = used[1] if used else None
        if override.used_ref and override.used_at is None:
            override.used_at = override.overridden_at
        override.save(update_fields=["order_id", "used_cycle", "used_at"])
    # A usage row's ref was its booking's order_ref. A cycle day booked again after a cancellation
    # shares it: a released row goes to the last cancelled booking of that ref, the others to the live
    # booking that holds the cycle day (the one just linked).
    cancelled = {}
    for pk, ref in (
        Booking.objects.exclude(order_ref="").filter(status__in=INACTIVE).order_by("updated_at", "pk")
    ).values_list("pk", "order_ref"):
        cancelled[ref] = pk
    orphans = []
    for usage in AuthorizationUsage.objects.all():
        if usage.status == "released":
            booking_id = cancelled.get(usage.ref, holders.get(usage.ref))
        else:
            booking_id = holders.get(usage.ref, cancelled.get(usage.ref))
        if booking_id is None:
            orphans.append(usage.pk)
            continue
        AuthorizationUsage.objects.filter(pk=usage.pk).update(booking_id=booking_id)
    if orphans:
        raise RuntimeError(f"Authorization usage rows {orphans} name no booking; fix them, then migrate.")


def unlink_bookings(apps, schema_editor):
    Booking = apps.get_model("scheduling", "Booking")
    CycleDay = apps.get_model("infusions", "CycleDay")
    for day in CycleDay.objects.all():
        ref = f"order:{day.order_id}" + (f"/cycle:{day.cycle}/day:{day.day}" if day.cycle else "")
        Booking.objects.filter(pk=day.booking_id).update(order_ref=ref)
    PriorAuthorization = apps.get_model("insurance", "PriorAuthorization")
    AuthorizationOverride = apps.get_model("insurance", "AuthorizationOverride")
    AuthorizationUsage = apps.get_model("insurance", "AuthorizationUsage")
    for auth in PriorAuthorization.objects.filter(order_id__isnull=False):
        PriorAuthorization.objects.filter(pk=auth.pk).update(order_ref=f"order:{auth.order_id}")
    for override in AuthorizationOverride.objects.all():
        used = f"order:{override.order_id}/cycle:{override.used_cycle}" if override.used_cycle else ""
        AuthorizationOverride.objects.filter(pk=override.pk).update(
            order_ref=f"order:{override.order_id}", used_ref=used
        )
    refs = dict(Booking.objects.values_list("pk", "order_ref"))
    for usage in AuthorizationUsage.objects.all():
        AuthorizationUsage.objects.filter(pk=usage.pk).update(ref=refs.get(usage.booking_id) or "")


class Migration(migrations.Migration):
    dependencies = [
        ("infusions", "0004_children_dosing_and_vitals"),
        ("scheduling", "0004_booking_events_append_only"),
        ("insurance", "0004_order_and_booking_ids"),
    ]

    operations = [
        migrations.CreateModel(
            name="CycleDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("cycle", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("day", models.PositiveSmallIntegerField(blank=True, null=True)),
                (
                    "released_at",
                    models.DateTimeField(
                        blank=True, help_text="When its booking was cancelled or marked a no-show.", null=True
                    ),
                ),
                (
                    "booking",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cycle_day",
                        to="scheduling.booking",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cycle_days",
                        to="infusions.treatmentorder",
                    ),
                ),
            ],
            options={
                "ordering": ["order", "cycle", "day", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=Q(cycle__isnull=False, released_at__isnull=True),
                        fields=("order", "cycle", "day"),
                        name="cycle_day_once_live",
                    ),
                    models.CheckConstraint(
                        condition=Q(cycle__isnull=True, day__isnull=True) | Q(cycle__gte=1, day__gte=1),
                        name="cycle_day_numbered",
                    ),
                ],
            },
        ),
        migrations.RunSQL(SAME_PATIENT, DROP_SAME_PATIENT),
        migrations.RunPython(link_bookings, unlink_bookings),
    ]
