"""The clinic's vitals limits for children, by age band: fields of `InfusionPolicy`, kept here by concept.

Each band (`patients.childhood`) has its own heart rate, respiratory rate and blood pressure limits
beside the adult ones; the defaults are PALS 2020's (`infusions.vitals.BAND_DEFAULTS`, where the source
and every figure are listed). Temperature, SpO2, the changes from the baseline and the intervals are the
adults' for everyone. A reading is judged by the patient's band on the day it is taken.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from clinic.db import constraint_error
from infusions.vitals import BAND_DEFAULTS, BANDED, POSSIBLE
from patients.childhood import BANDS, CHILD_BANDS

NAMES = {band: name for band, _, name, _ in BANDS}
AGES = {band: ages for band, _, _, ages in BANDS}
# limit -> (the reading it bounds, its label and unit, what the help text says)
LIMITS = {
    "heart_rate_low": ("heart_rate", "heart rate low (/min)", "A heart rate below this is flagged"),
    "heart_rate_high": ("heart_rate", "heart rate high (/min)", "A heart rate above this is flagged"),
    "respiratory_rate_high": (
        "respiratory_rate",
        "respiratory rate high (/min)",
        "A respiratory rate above this is flagged",
    ),
    "systolic_low": ("systolic", "systolic low (mmHg)", "A systolic pressure below this is flagged"),
    "systolic_high": ("systolic", "systolic high (mmHg)", "A systolic pressure above this is flagged"),
    "diastolic_high": ("diastolic", "diastolic high (mmHg)", "A diastolic pressure above this is flagged"),
}
# Pairs whose low must stay below the high, as for the adult limits.
PAIRS = (("systolic_low", "systolic_high", "systolic"), ("heart_rate_low", "heart_rate_high", "heart rate"))


def within(vital: str) -> list:
    """A flag limit lies inside what a reading can be (`vitals.POSSIBLE`): outside, it would flag nothing
    or every reading."""
    low, high = POSSIBLE[vital]
    return [MinValueValidator(low), MaxValueValidator(high)]


def _band_limit(band: str, limit: str) -> models.PositiveSmallIntegerField:
    vital, label, text = LIMITS[limit]
    default = BAND_DEFAULTS[band][limit]
    return models.PositiveSmallIntegerField(
        f"{NAMES[band]} {label}",
        default=default,
        validators=within(vital),
        help_text=f"{text} in the {NAMES[band]} band, {AGES[band]} (default {default}, PALS 2020).",
    )


def _pair_message(band: str, what: str) -> str:
    return f"The {NAMES[band]} {what} low limit must be below the high limit."


def child_limit_constraints() -> list[models.CheckConstraint]:
    """Low below high for each band, in PostgreSQL (as for the adult limits)."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{band}_{low}__lt": F(f"{band}_{high}")}),
            name=constraint_error(
                f"infusion_policy_{band}_{low.split('_low')[0]}_limits",
                field=f"{band}_{low}",
                code="limits_invalid",
                message=_pair_message(band, what),
            ),
            violation_error_message=_pair_message(band, what),
        )
        for band in CHILD_BANDS
        for low, high, what in PAIRS
    ]


def child_limit_errors(policy) -> dict[str, ValidationError]:
    """The same rule as the constraints, named by field for the admin form."""
    errors = {}
    for band in CHILD_BANDS:
        for low, high, what in PAIRS:
            lo, hi = getattr(policy, f"{band}_{low}"), getattr(policy, f"{band}_{high}")
            if lo is not None and hi is not None and lo >= hi:
                errors[f"{band}_{low}"] = ValidationError(_pair_message(band, what), code="limits_invalid")
    return errors


def child_limit_rows() -> list[tuple[str, ...]]:
    """The admin's rows: one band a line."""
    return [tuple(f"{band}_{limit}" for limit in LIMITS) for band in CHILD_BANDS]


def child_limits(policy, band: str) -> dict[str, int]:
    """The clinic's limits of one child band, as `vitals.VitalsLimits` names them."""
    return {limit: getattr(policy, f"{band}_{limit}") for limit in BANDED}


class ChildVitalsLimits(models.Model):
    """Abstract: `InfusionPolicy`'s limits by age band."""

    # infant
    infant_heart_rate_low = _band_limit("infant", "heart_rate_low")
    infant_heart_rate_high = _band_limit("infant", "heart_rate_high")
    infant_respiratory_rate_high = _band_limit("infant", "respiratory_rate_high")
    infant_systolic_low = _band_limit("infant", "systolic_low")
    infant_systolic_high = _band_limit("infant", "systolic_high")
    infant_diastolic_high = _band_limit("infant", "diastolic_high")
    # toddler
    toddler_heart_rate_low = _band_limit("toddler", "heart_rate_low")
    toddler_heart_rate_high = _band_limit("toddler", "heart_rate_high")
    toddler_respiratory_rate_high = _band_limit("toddler", "respiratory_rate_high")
    toddler_systolic_low = _band_limit("toddler", "systolic_low")
    toddler_systolic_high = _band_limit("toddler", "systolic_high")
    toddler_diastolic_high = _band_limit("toddler", "diastolic_high")
    # preschool
    preschool_heart_rate_low = _band_limit("preschool", "heart_rate_low")
    preschool_heart_rate_high = _band_limit("preschool", "heart_rate_high")
    preschool_respiratory_rate_high = _band_limit("preschool", "respiratory_rate_high")
    preschool_systolic_low = _band_limit("preschool", "systolic_low")
    preschool_systolic_high = _band_limit("preschool", "systolic_high")
    preschool_diastolic_high = _band_limit("preschool", "diastolic_high")
    # school age
    school_age_heart_rate_low = _band_limit("school_age", "heart_rate_low")
    school_age_heart_rate_high = _band_limit("school_age", "heart_rate_high")
    school_age_respiratory_rate_high = _band_limit("school_age", "respiratory_rate_high")
    school_age_systolic_low = _band_limit("school_age", "systolic_low")
    school_age_systolic_high = _band_limit("school_age", "systolic_high")
    school_age_diastolic_high = _band_limit("school_age", "diastolic_high")
    # adolescent
    adolescent_heart_rate_low = _band_limit("adolescent", "heart_rate_low")
    adolescent_heart_rate_high = _band_limit("adolescent", "heart_rate_high")
    adolescent_respiratory_rate_high = _band_limit("adolescent", "respiratory_rate_high")
    adolescent_systolic_low = _band_limit("adolescent", "systolic_low")
    adolescent_systolic_high = _band_limit("adolescent", "systolic_high")
    adolescent_diastolic_high = _band_limit("adolescent", "diastolic_high")

    class Meta:
        abstract = True
