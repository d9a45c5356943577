"""Writes of patient data. Every write goes through one of these; each validates with the model's own
rules and lets PostgreSQL's constraints decide races (clinic.db.validated_save)."""

from datetime import date, datetime
from decimal import Decimal

from clinic.db import validated_save
from patients.models import Allergy, Diagnosis, LabResult, Measurement, Patient, RiskFlag

PATIENT_FIELDS = (
    "mrn",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "reminder_channel",
    "reminder_opt_out",
)


def patient_create(
    *,
    mrn: str,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    sex: str,
    phone: str = "",
    email: str = "",
    reminder_channel: str | None = None,
    reminder_opt_out: bool = False,
) -> Patient:
    """Create a patient and return it. Without a channel, SMS is chosen when there is a phone.

    Raises ValidationError (e.g. `mrn_taken`, `date_in_future`, `phone_required`).
    """
    if reminder_channel is None:
        reminder_channel = "sms" if phone or not email else "email"
    patient = Patient(
        mrn=mrn,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        sex=sex,
        phone=phone,
        email=email,
        reminder_channel=reminder_channel,
        reminder_opt_out=reminder_opt_out,
    )
    return validated_save(patient)


def patient_update(*, patient: Patient, **changes) -> Patient:
    """Apply `changes` (patient fields only) and return the patient. Raises ValidationError."""
    unknown = set(changes) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"not patient fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(patient, field, value)
    return validated_save(patient)


def diagnosis_add(
    *,
    patient: Patient,
    code: str,
    description: str = "",
    diagnosed_on: date | None = None,
    is_primary: bool = False,
) -> Diagnosis:
    """Record a diagnosis. Raises ValidationError (`icd10_invalid`, `diagnosis_exists`)."""
    return validated_save(
        Diagnosis(
            patient=patient,
            code=code,
            description=description,
            diagnosed_on=diagnosed_on,
            is_primary=is_primary,
        )
    )


def allergy_add(
    *, patient: Patient, substance: str, reaction: str = "", severity: str = "moderate"
) -> Allergy:
    """Record an allergy. Raises ValidationError (`allergy_exists`)."""
    return validated_save(
        Allergy(patient=patient, substance=substance.strip(), reaction=reaction, severity=severity)
    )


def risk_flag_set(*, patient: Patient, kind: str, note: str = "") -> RiskFlag:
    """Set a contraindication or risk flag. Raises ValidationError (`flag_exists`)."""
    return validated_save(RiskFlag(patient=patient, kind=kind, note=note))


def measurement_record(
    *, patient: Patient, kind: str, value: Decimal, measured_at: datetime | None = None, recorded_by=None
) -> Measurement:
    """Record a weight (kg) or height (cm). Raises ValidationError (`weight_out_of_range`, ...)."""
    measurement = Measurement(patient=patient, kind=kind, value=value, recorded_by=recorded_by)
    if measured_at is not None:
        measurement.measured_at = measured_at
    return validated_save(measurement)


def lab_record(
    *, patient: Patient, test: str, value: Decimal, unit: str, collected_at: datetime, recorded_by=None
) -> LabResult:
    """Record a lab result. Raises ValidationError (`unit_required`, `unit_invalid`, `time_in_future`)."""
    return validated_save(
        LabResult(
            patient=patient,
            test=test,
            value=value,
            unit=unit,
            collected_at=collected_at,
            recorded_by=recorded_by,
        )
    )
