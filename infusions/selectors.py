"""Reads of products, protocols and orders. Each returns a queryset whose query count does not grow
with its rows: orders carry the patient's latest weight, height and eGFR as annotations, and everything
the plan and the checks read is prefetched."""

import math
from datetime import timedelta

from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery

from infusions import providers
from infusions.models import (
    BlockOverride,
    InfusionPolicy,
    Product,
    ProtocolStep,
    TitrationProtocol,
    TreatmentOrder,
)
from patients.models import Patient
from patients.selectors import FACTS, latest_facts


def product_list() -> QuerySet[Product]:
    return Product.objects.prefetch_related("label_rates")


def protocol_list() -> QuerySet[TitrationProtocol]:
    return TitrationProtocol.objects.prefetch_related(
        Prefetch("steps", ProtocolStep.objects.order_by("position"))
    )


def longest_session() -> timedelta | None:
    """The chair time of the clinic's longest fixed-time protocol (its longest hours plus preparation and
    observation, up to the grid), or None when it has none: the calendar's limit
    (`scheduling.limits`). Two queries."""
    hours = TitrationProtocol.objects.aggregate(longest=Max("over_hours_max"))["longest"]
    if hours is None:
        return None
    policy = InfusionPolicy.current()
    minutes = math.ceil(hours * 60) + policy.prep_minutes + policy.observation_minutes
    return timedelta(minutes=math.ceil(minutes / policy.grid_minutes) * policy.grid_minutes)


def order_list() -> QuerySet[TreatmentOrder]:
    """Orders with what their plan and checks read: patient facts, flags, product, protocol, overrides."""
    return (
        TreatmentOrder.objects.annotate(
            **latest_facts("patient_id"),
            # The reverse one-to-one would cost a query per row.
            replacement_id=Subquery(TreatmentOrder.objects.filter(replaces=OuterRef("pk")).values("pk")[:1]),
            # The patient's worst chairside reaction of grade 2 or more (the `prior_reaction` check),
            # read by charting through the explicit hook in infusions.providers.
            **providers.worst_reaction_annotations("patient_id"),
        )
        .select_related("patient", "indication", "product", "protocol", "created_by")
        .prefetch_related(
            "patient__risk_flags",
            "product__label_rates",
            Prefetch("protocol__steps", ProtocolStep.objects.order_by("position")),
            Prefetch("overrides", BlockOverride.objects.select_related("overridden_by")),
            "responses",
        )
    )


def order_with_facts(order: TreatmentOrder, patient: Patient) -> TreatmentOrder:
    """Copy an `attach_facts()` patient's latest figures onto an (unsaved) order and return it."""
    order.patient = patient
    for name in FACTS:
        setattr(order, name, getattr(patient, name))
    return order
