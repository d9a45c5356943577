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
from patients.models import LabResult, LabTest, Measurement, MeasurementKind, Patient

FACTS = ("latest_weight_kg", "latest_weight_at", "latest_height_cm", "latest_egfr", "latest_egfr_at")


def _latest(model, kind_field: str, kind: str, value_field: str, time_field: str, patient_ref: str):
    rows = model.objects.filter(patient=OuterRef(patient_ref), **{kind_field: kind}).order_by(
        f"-{time_field}", "-pk"
    )
    return Subquery(rows.values(value_field)[:1])


def _facts(patient_ref: str) -> dict:
    weight, height = MeasurementKind.WEIGHT, MeasurementKind.HEIGHT
    return {
        "latest_weight_kg": _latest(Measurement, "kind", weight, "value", "measured_at", patient_ref),
        "latest_weight_at": _latest(Measurement, "kind", weight, "measured_at", "measured_at", patient_ref),
        "latest_height_cm": _latest(Measurement, "kind", height, "value", "measured_at", patient_ref),
        "latest_egfr": _latest(LabResult, "test", LabTest.EGFR, "value", "collected_at", patient_ref),
        "latest_egfr_at": _latest(
            LabResult, "test", LabTest.EGFR, "collected_at", "collected_at", patient_ref
        ),
    }


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
            **_facts("patient_id"),
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


def attach_facts(patient: Patient) -> Patient:
    """Set the patient's latest weight, height and eGFR (and when) as `patient_list()` annotates them.

    For one patient, one plain query (the latest of each measurement kind, UNION the latest eGFR):
    Django takes milliseconds to compile the five correlated subqueries of the annotated form, several
    times what PostgreSQL needs to run them.
    """
    measurements = (
        Measurement.objects.filter(patient=patient, kind__in=[MeasurementKind.WEIGHT, MeasurementKind.HEIGHT])
        .order_by("kind", "-measured_at", "-pk")
        .distinct("kind")
        .values_list("kind", "value", "measured_at")
    )
    egfr = (
        LabResult.objects.filter(patient=patient, test=LabTest.EGFR)
        .order_by("-collected_at", "-pk")
        .values_list("test", "value", "collected_at")[:1]
    )
    latest = {kind: (value, at) for kind, value, at in measurements.union(egfr, all=True)}
    patient.latest_weight_kg, patient.latest_weight_at = latest.get(MeasurementKind.WEIGHT, (None, None))
    patient.latest_height_cm = latest.get(MeasurementKind.HEIGHT, (None, None))[0]
    patient.latest_egfr, patient.latest_egfr_at = latest.get(LabTest.EGFR, (None, None))
    return patient


def order_with_facts(order: TreatmentOrder, patient: Patient) -> TreatmentOrder:
    """Copy an `attach_facts()` patient's latest figures onto an (unsaved) order and return it."""
    order.patient = patient
    for name in FACTS:
        setattr(order, name, getattr(patient, name))
    return order
