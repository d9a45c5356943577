"""Reads of patient data. Each returns a queryset whose query count does not grow with its rows."""

from django.db.models import OuterRef, QuerySet, Subquery

from patients.models import LabResult, LabTest, Measurement, MeasurementKind, Patient


def _latest(model, kind_field: str, kind: str, value_field: str, time_field: str):
    rows = model.objects.filter(patient=OuterRef("pk"), **{kind_field: kind}).order_by(
        f"-{time_field}", "-pk"
    )
    return Subquery(rows.values(value_field)[:1])


def patient_list() -> QuerySet[Patient]:
    """Patients annotated with their latest weight, height and eGFR (and when each was taken)."""
    return Patient.objects.annotate(
        latest_weight_kg=_latest(Measurement, "kind", MeasurementKind.WEIGHT, "value", "measured_at"),
        latest_weight_at=_latest(Measurement, "kind", MeasurementKind.WEIGHT, "measured_at", "measured_at"),
        latest_height_cm=_latest(Measurement, "kind", MeasurementKind.HEIGHT, "value", "measured_at"),
        latest_egfr=_latest(LabResult, "test", LabTest.EGFR, "value", "collected_at"),
        latest_egfr_at=_latest(LabResult, "test", LabTest.EGFR, "collected_at", "collected_at"),
    )


def patient_detail_list() -> QuerySet[Patient]:
    """`patient_list()` plus diagnoses, allergies and risk flags, prefetched."""
    return patient_list().prefetch_related("diagnoses", "allergies", "risk_flags")


def patient_measurements(patient_id: int) -> QuerySet[Measurement]:
    return Measurement.objects.filter(patient_id=patient_id).select_related("patient")


def patient_labs(patient_id: int) -> QuerySet[LabResult]:
    return LabResult.objects.filter(patient_id=patient_id).select_related("patient")


def latest_measurement(patient: Patient, kind: str) -> Measurement | None:
    return Measurement.objects.filter(patient=patient, kind=kind).order_by("-measured_at", "-pk").first()


def latest_lab(patient: Patient, test: str) -> LabResult | None:
    return LabResult.objects.filter(patient=patient, test=test).order_by("-collected_at", "-pk").first()
