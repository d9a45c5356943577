"""Reads of patient data. Each returns a queryset whose query count does not grow with its rows."""

from django.db.models import OuterRef, QuerySet, Subquery

from patients.models import LabResult, LabTest, Measurement, MeasurementKind, Patient

# The one reader of a patient's latest weight, height and eGFR (and when each was taken): as annotations
# for lists (`latest_facts`), or in one query for one patient (`attach_facts`).
FACTS = ("latest_weight_kg", "latest_weight_at", "latest_height_cm", "latest_egfr", "latest_egfr_at")


def _latest(model, kind_field: str, kind: str, value_field: str, time_field: str, patient_ref: str):
    rows = model.objects.filter(patient=OuterRef(patient_ref), **{kind_field: kind}).order_by(
        f"-{time_field}", "-pk"
    )
    return Subquery(rows.values(value_field)[:1])


def latest_facts(patient_ref: str = "pk") -> dict:
    """Annotations of the latest weight, height and eGFR of the patient at `patient_ref` (an OuterRef
    path: "pk" on patients, "patient_id" on rows that belong to one)."""
    weight, height, egfr = MeasurementKind.WEIGHT, MeasurementKind.HEIGHT, LabTest.EGFR
    return {
        "latest_weight_kg": _latest(Measurement, "kind", weight, "value", "measured_at", patient_ref),
        "latest_weight_at": _latest(Measurement, "kind", weight, "measured_at", "measured_at", patient_ref),
        "latest_height_cm": _latest(Measurement, "kind", height, "value", "measured_at", patient_ref),
        "latest_egfr": _latest(LabResult, "test", egfr, "value", "collected_at", patient_ref),
        "latest_egfr_at": _latest(LabResult, "test", egfr, "collected_at", "collected_at", patient_ref),
    }


def attach_facts(patient: Patient) -> Patient:
    """Set the patient's latest weight, height and eGFR (and when) as `latest_facts()` annotates them.

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


def patient_list() -> QuerySet[Patient]:
    """Patients annotated with their latest weight, height and eGFR (and when each was taken)."""
    return Patient.objects.annotate(**latest_facts("pk"))


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
