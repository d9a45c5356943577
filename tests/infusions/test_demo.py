import pytest
from django.core.management import call_command

from infusions import cycles, demo
from infusions.models import LabelRate, Product, TitrationProtocol, TreatmentOrder

pytestmark = pytest.mark.django_db


def test_the_demo_has_products_protocols_and_an_active_order_for_each_fitting_patient(settings):
    settings.DEBUG = True

    call_command("seed_demo", quiet=True)

    assert Product.objects.get(brand="Privigen").hcpcs_code == "J1459"
    assert LabelRate.objects.get(product__brand="Privigen", indication_prefix="D69.3").max_rate == 4
    assert TitrationProtocol.objects.count() == 2
    # Eight demo patients; the one with anti-IgA antibodies gets no order without a manager's override.
    assert TreatmentOrder.objects.filter(status="active").count() == 7
    assert not TreatmentOrder.objects.filter(patient__mrn="MRN-100007").exists()


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

    again = demo._book_series(created_by=None)

    assert [b.order_ref for b in first][:1] == [f"order:{order.pk}/cycle:1/day:1"]
    assert again[0].status == "already_booked"
    assert list(cycles.order_bookings(order.pk)) == first
