from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from demo import infusions as demo
from infusions import cycles, selectors
from infusions.models import InfusionPolicy, LabelRate, Product, TitrationProtocol, TreatmentOrder
from infusions.planning import order_plan
from scheduling.models import Site

pytestmark = pytest.mark.django_db


def test_the_demo_has_products_protocols_and_an_active_order_for_each_fitting_patient(settings):
    settings.DEBUG = True

    # The children's ages (and so their rules) depend on the day.
    with time_machine.travel(datetime(2027, 3, 1, 11, 0, tzinfo=UTC), tick=True):
        call_command("seed_demo", quiet=True)
        kawasaki, jdm = (
            order_plan(o, policy=InfusionPolicy.current(), now=timezone.now())
            for o in selectors.order_list()
            .filter(patient__mrn__in=["MRN-100009", "MRN-100010"])
            .order_by("patient__mrn")
        )

    assert Product.objects.get(brand="Privigen").hcpcs_code == "J1459"
    assert LabelRate.objects.get(product__brand="Privigen", indication_prefix="D69.3").max_rate == 4
    assert TitrationProtocol.objects.count() == 3
    # Ten demo patients; the one with anti-IgA antibodies gets no order without a manager's override.
    assert TreatmentOrder.objects.filter(status="active").count() == 9
    assert not TreatmentOrder.objects.filter(patient__mrn="MRN-100007").exists()
    # A boy of 3 with Kawasaki disease: 28 g over 10 h by his actual 14 kg; a girl of 9 with juvenile
    # dermatomyositis: 2 g/kg of 28 kg over two days, 28 g a day. Neither is blocked.
    assert kawasaki.plan.notes[0].startswith("child: actual body weight 14 kg is used (age 3 y)")
    assert (kawasaki.protocol_name, kawasaki.plan.rounded_dose_grams, kawasaki.plan.chair_minutes) == (
        demo.KAWASAKI,
        28,
        660,
    )
    assert (jdm.age_band.band, jdm.plan.dosing_weight_kg, jdm.plan.dose_grams) == ("school_age", 28, 28)
    assert not [c for c in (*kawasaki.checks, *jdm.checks) if c.severity == "block"]


def test_seeding_twice_creates_nothing_new(settings):
    settings.DEBUG = True
    call_command("seed_demo", quiet=True)
    counts = [m.objects.count() for m in (Product, LabelRate, TitrationProtocol, TreatmentOrder)]

    call_command("seed_demo", quiet=True)

    assert [m.objects.count() for m in (Product, LabelRate, TitrationProtocol, TreatmentOrder)] == counts


def test_the_demo_books_one_orders_next_cycles_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", quiet=True)
    order = TreatmentOrder.objects.get(patient__mrn=demo.SERIES_MRN)
    first = list(cycles.order_bookings(order.pk))

    site = Site.objects.get()
    again = demo._book_series(demo.SERIES_MRN, site=site, today=timezone.now().date(), created_by=None)

    assert [
        (b.cycle_day.order_id, b.cycle_day.cycle, b.cycle_day.day) for b in first if b.cycle_day.cycle
    ] == [
        (order.pk, 1, 1),
        (order.pk, 2, 1),
    ]
    assert again[0].status == "already_booked"
    assert list(cycles.order_bookings(order.pk)) == first
