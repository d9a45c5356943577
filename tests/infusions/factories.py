"""Factories for products, protocols and orders. Figures are the DOMAIN ones (10% products)."""

from datetime import date
from decimal import Decimal as D

import factory

from infusions.models import (
    CycleDay,
    InfusionPolicy,
    LabelRate,
    Product,
    ProtocolStep,
    TitrationProtocol,
    TreatmentOrder,
)
from tests.factories import DiagnosisFactory

WORKED_STEPS = [("0.5", 30), ("1", 30), ("2", 30), ("4", 30), ("5.4", None)]
CAPPED_STEPS = [("0.5", 30), ("1", 30), ("2", None)]


class ProductFactory(factory.django.DjangoModelFactory):
    """Gammagard Liquid: 10%, vials 1-30 g, 5 mL/kg/h in general and 5.4 for CIDP."""

    class Meta:
        model = Product
        django_get_or_create = ["brand"]
        skip_postgeneration_save = True

    brand = "Gammagard Liquid"
    manufacturer = "Takeda"
    route = "iv"
    concentration_percent = D("10")
    vial_sizes_g = factory.LazyFunction(lambda: [D(v) for v in ("1", "2.5", "5", "10", "20", "30")])
    hcpcs_code = "J1569"

    @factory.post_generation
    def rates(product, create, extracted, **kwargs):
        rates = extracted if extracted is not None else [("", "5", "ml_kg_h"), ("G61.81", "5.4", "ml_kg_h")]
        for prefix, rate, unit in rates:
            LabelRate.objects.get_or_create(
                product=product, indication_prefix=prefix, defaults={"max_rate": D(rate), "unit": unit}
            )


def privigen():
    """Privigen: 10%, vials 5/10/20/40 g, 8 mg/kg/min (4.8 mL/kg/h) in general, 4 (2.4) for ITP."""
    return ProductFactory(
        brand="Privigen",
        manufacturer="CSL Behring",
        hcpcs_code="J1459",
        vial_sizes_g=[D("5"), D("10"), D("20"), D("40")],
        rates=[("", "8", "mg_kg_min"), ("D69.3", "4", "mg_kg_min")],
    )


def hizentra():
    return ProductFactory(
        brand="Hizentra",
        manufacturer="CSL Behring",
        route="sc",
        concentration_percent=D("20"),
        hcpcs_code="J1559",
        vial_sizes_g=[D("1"), D("2"), D("4"), D("10")],
        rates=[],
    )


class ProtocolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TitrationProtocol
        django_get_or_create = ["name"]
        skip_postgeneration_save = True

    name = "Standard 0.5-1-2-4 then 5.4"

    @factory.post_generation
    def steps(protocol, create, extracted, **kwargs):
        if protocol.steps.exists():
            return
        for position, (rate, minutes) in enumerate(extracted or WORKED_STEPS, start=1):
            ProtocolStep.objects.create(
                protocol=protocol, position=position, rate_ml_per_kg_h=D(rate), minutes=minutes
            )


def capped_policy() -> InfusionPolicy:
    """The clinic policy with the at-risk capped protocol (0.5 -> 1 -> 2 mL/kg/h)."""
    policy = InfusionPolicy.current()
    policy.at_risk_protocol = ProtocolFactory(name="At-risk capped", steps=CAPPED_STEPS)
    policy.save()
    return policy


class OrderFactory(factory.django.DjangoModelFactory):
    """A saved order straight through the model (for reads); writes in tests go through services."""

    class Meta:
        model = TreatmentOrder

    indication = factory.SubFactory(DiagnosisFactory)
    patient = factory.LazyAttribute(lambda o: o.indication.patient)
    product = factory.SubFactory(ProductFactory)
    protocol = factory.SubFactory(ProtocolFactory)
    dose_grams_per_kg = D("1")
    weight_policy = "actual"
    interval_days = 21
    prescriber = "Dr. Test"
    start_date = factory.LazyFunction(lambda: date(2026, 12, 1))


def cycle_day(booking, order, cycle: int | None = 1, day: int | None = 1) -> CycleDay:
    """Link a test booking to its order's cycle day, as `infusions.cycles` does when it books one."""
    return CycleDay.objects.create(booking=booking, order=order, cycle=cycle, day=day if cycle else None)
