"""Writes of patient data. Every write goes through one of these; each validates with the model's own
rules and lets PostgreSQL's constraints decide races (clinic.db.validated_save)."""

from datetime import date, datetime, time
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
    "quiet_hours_start",
    "quiet_hours_end",
    "preferred_language",
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
    quiet_hours_start: time | None = None,
    quiet_hours_end: time | None = None,
    preferred_language: str = "en",
) -> Patient:
    """Create a patient and return it. Without a channel, SMS is chosen when there is a phone.

    Raises ValidationError (e.g. `mrn_taken`, `date_in_future`, `phone_required`, `quiet_hours_incomplete`,
    `quiet_hours_empty`).
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
        quiet_hours_start=quiet_hours_start,
        quiet_hours_end=quiet_hours_end,
        preferred_language=preferred_language,
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
    *,
    patient: Patient,
    substance: str,
    reaction: str = "",
    severity: str = "moderate",
    noted_on: date | None = None,
) -> Allergy:
    """Record an allergy (noted today unless `noted_on`). Raises ValidationError (`allergy_exists`)."""
    allergy = Allergy(patient=patient, substance=substance.strip(), reaction=reaction, severity=severity)
    if noted_on is not None:
        allergy.noted_on = noted_on
    return validated_save(allergy)


def risk_flag_set(*, patient: Patient, kind: str, note: str = "", noted_on: date | None = None) -> RiskFlag:
    """Set a contraindication or risk flag (noted today unless `noted_on`). Raises ValidationError
    (`flag_exists`)."""
    flag = RiskFlag(patient=patient, kind=kind, note=note)
    if noted_on is not None:
        flag.noted_on = noted_on
    return validated_save(flag)


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


# The records under a patient (diagnoses, allergies, flags, measurements, labs) as staff correct them
# in the admin; the API only adds them (the services above).
PatientRecord = Diagnosis | Allergy | RiskFlag | Measurement | LabResult


def patient_record_update(*, record: PatientRecord, **changes) -> PatientRecord:
    """Correct fields of one of a patient's records and return it. Raises ValidationError (as adding
    it would: `icd10_invalid`, `allergy_exists`, `weight_out_of_range`, ...)."""
    fields = {f.name for f in type(record)._meta.concrete_fields} - {"id", "patient"}
    unknown = set(changes) - fields
    if unknown:
        raise TypeError(f"not {type(record).__name__} fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(record, field, value)
    return validated_save(record)


def patient_record_remove(*, record: PatientRecord) -> None:
    """Remove one of a patient's records entered by mistake (the audit trail keeps what it was)."""
    record.delete()
