"""The clinic's infusion defaults (one row) that managers change in the admin."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from clinic.db import constraint_error
from infusions import plan as arithmetic
from infusions.models.catalog import TitrationProtocol
from infusions.models.policy_children import (
    ChildVitalsLimits,
    child_limit_constraints,
    child_limit_errors,
    child_limits,
    within,
)
from infusions.vitals import DEFAULT_LIMITS, VitalsLimits
from patients.childhood import LIMITS_TEXT


def _help(text: str, limit: str) -> str:
    return f"{text} (default {getattr(DEFAULT_LIMITS, limit)})."


SYSTOLIC_LIMITS_INVALID = "The systolic low limit must be below the high limit."
HEART_RATE_LIMITS_INVALID = "The heart rate low limit must be below the high limit."
INTERVALS_INVALID = "Vitals while titrating are due at least as often as at a steady rate."


class InfusionPolicy(ChildVitalsLimits):
    """The clinic's infusion defaults, one row (`InfusionPolicy.current()`), editable by managers."""

    lab_window_days = models.PositiveSmallIntegerField(
        default=30, help_text="eGFR and weight must be this recent before an infusion."
    )
    vial_tolerance_percent = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal("10"), validators=[MinValueValidator(0)]
    )
    prep_minutes = models.PositiveSmallIntegerField(default=30)
    early_cycle_tolerance_days = models.PositiveSmallIntegerField(
        "days a cycle may be booked early",
        default=3,
        validators=[MaxValueValidator(30)],
        help_text="A cycle booked nearer to another of its order's cycles than the order's interval less "
        "these days needs a confirmation and a reason, which is recorded (infusions/interval.py).",
    )
    observation_minutes = models.PositiveSmallIntegerField(default=30)
    grid_minutes = models.PositiveSmallIntegerField(default=15, validators=[MinValueValidator(1)])
    adjusted_weight_threshold_percent = models.DecimalField(
        max_digits=5, decimal_places=1, default=Decimal("120"), validators=[MinValueValidator(100)]
    )
    dose_min_g_per_kg = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0.2"))
    dose_max_g_per_kg = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("2.5"))
    # Checks against the patient's ACTUAL weight, whatever the dosing weight: a block, overridable by a
    # clinic manager with a reason (`infusions.checks`).
    max_g_per_kg_actual = models.DecimalField(
        "maximum dose (g/kg of actual weight per cycle)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("10"))],
        help_text="A cycle giving more grams per kg of the patient's actual body weight is blocked, unless "
        "the product's label data gives the indication another maximum (default 2 g/kg, the highest dose "
        "per cycle IVIG labels give, e.g. Kawasaki disease, ITP over 2 days, CIDP loading).",
    )
    max_ml_per_kg_actual = models.DecimalField(
        "bag limit (mL/kg of actual weight)",
        max_digits=4,
        decimal_places=1,
        default=Decimal("25.0"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
        help_text="A day's bag holding more mL per kg of the patient's actual body weight is blocked "
        "(default 25: 2 g/kg of a 10% product is 20 mL/kg, and rounding to whole vials within the "
        "tolerance adds up to 2 more; a bag beyond that comes from a wrong dosing weight or a dilute "
        "product, a fluid load for the heart and kidneys that labels warn of).",
    )
    paediatric_ideal_weight = models.BooleanField(
        "paediatric ideal-weight method",
        default=False,
        help_text="Off (default): children (under 18, or under 152.4 cm) are dosed by actual body weight and "
        "orders for them refuse the ideal and adjusted policies. On: children from 1 year may be ordered "
        "ideal or adjusted weight, with ideal weight by Traub & Kichen (1.65 x height in cm squared / 1000, "
        "Am J Hosp Pharm 1983;40:107-110) under 152.4 cm and by Devine from there.",
    )
    at_risk_protocol = models.ForeignKey(
        TitrationProtocol,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Used instead of the ordered protocol for patients with thrombosis or renal risk factors.",
    )
    at_risk_max_ml_per_kg_h = models.DecimalField(
        "at-risk maximum (mL/kg/h)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("20"))],
        help_text="Every step of an at-risk patient's plan runs at most this fast.",
    )

    # Vitals: past these a reading is saved with a flag (the tablet suggests slowing or pausing and asks
    # whether this is a reaction). Defaults are DOMAIN.md's; a reading no patient can have (systolic
    # 400, SpO2 over 100%) is refused whatever these say: that limit is in `infusions.vitals`, not here.
    systolic_high = models.PositiveSmallIntegerField(
        "systolic high (mmHg)",
        default=DEFAULT_LIMITS.systolic_high,
        validators=within("systolic"),
        help_text=_help("A systolic pressure above this many mmHg is flagged", "systolic_high"),
    )
    systolic_low = models.PositiveSmallIntegerField(
        "systolic low (mmHg)",
        default=DEFAULT_LIMITS.systolic_low,
        validators=within("systolic"),
        help_text=_help("A systolic pressure below this many mmHg is flagged", "systolic_low"),
    )
    diastolic_high = models.PositiveSmallIntegerField(
        "diastolic high (mmHg)",
        default=DEFAULT_LIMITS.diastolic_high,
        validators=within("diastolic"),
        help_text=_help("A diastolic pressure above this many mmHg is flagged", "diastolic_high"),
    )
    heart_rate_high = models.PositiveSmallIntegerField(
        "heart rate high (/min)",
        default=DEFAULT_LIMITS.heart_rate_high,
        validators=within("heart_rate"),
        help_text=_help("A heart rate above this many beats per minute is flagged", "heart_rate_high"),
    )
    heart_rate_low = models.PositiveSmallIntegerField(
        "heart rate low (/min)",
        default=DEFAULT_LIMITS.heart_rate_low,
        validators=within("heart_rate"),
        help_text=_help("A heart rate below this many beats per minute is flagged", "heart_rate_low"),
    )
    temperature_high_c = models.DecimalField(
        "temperature high (°C)",
        max_digits=3,
        decimal_places=1,
        default=DEFAULT_LIMITS.temperature_high_c,
        validators=within("temperature_c"),
        help_text=_help("A temperature of this many °C or more is flagged", "temperature_high_c"),
    )
    respiratory_rate_high = models.PositiveSmallIntegerField(
        "respiratory rate high (/min)",
        default=DEFAULT_LIMITS.respiratory_rate_high,
        validators=within("respiratory_rate"),
        help_text=_help(
            "A respiratory rate above this many breaths per minute is flagged", "respiratory_rate_high"
        ),
    )
    spo2_low = models.PositiveSmallIntegerField(
        "SpO2 low (%)",
        default=DEFAULT_LIMITS.spo2_low,
        validators=within("spo2"),
        help_text=_help("An oxygen saturation below this percentage is flagged", "spo2_low"),
    )
    # Against the patient's own baseline today: a change this large is flagged even inside the limits.
    temperature_rise_c = models.DecimalField(
        "temperature rise (°C)",
        max_digits=2,
        decimal_places=1,
        default=DEFAULT_LIMITS.temperature_rise_c,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("5.0"))],
        help_text=_help(
            "A rise of this many °C or more over the baseline temperature is flagged", "temperature_rise_c"
        ),
    )
    systolic_change = models.PositiveSmallIntegerField(
        "systolic change (mmHg)",
        default=DEFAULT_LIMITS.systolic_change,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_help(
            "A systolic rise or fall of this many mmHg or more from the baseline is flagged",
            "systolic_change",
        ),
    )
    heart_rate_rise = models.PositiveSmallIntegerField(
        "heart rate rise (/min)",
        default=DEFAULT_LIMITS.heart_rate_rise,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_help(
            "A rise of this many beats per minute or more over the baseline is flagged", "heart_rate_rise"
        ),
    )
    vitals_titration_minutes = models.PositiveSmallIntegerField(
        "vitals every (minutes) while titrating",
        default=int(DEFAULT_LIMITS.titration_interval.total_seconds() // 60),
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="While the rate is below the plan's top rate, vitals are due this many minutes after the "
        "last set (default 15). A rate change makes them due at once whatever this says.",
    )
    vitals_steady_minutes = models.PositiveSmallIntegerField(
        "vitals every (minutes) at a steady rate",
        default=int(DEFAULT_LIMITS.steady_interval.total_seconds() // 60),
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="At the plan's top rate (or paused), vitals are due this many minutes after the last set "
        "(default 60). Must not be shorter than the titrating interval.",
    )

    class Meta:
        verbose_name = "infusion policy"
        verbose_name_plural = "infusion policy"
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1),
                name=constraint_error(
                    "infusion_policy_singleton", field="id", code="policy_singleton", message="One policy."
                ),
            ),
            models.CheckConstraint(
                condition=Q(dose_min_g_per_kg__lt=models.F("dose_max_g_per_kg")),
                name=constraint_error(
                    "infusion_policy_dose_window",
                    field="dose_max_g_per_kg",
                    code="dose_window_invalid",
                    message="The dose window's maximum is above its minimum.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(systolic_low__lt=models.F("systolic_high")),
                name=constraint_error(
                    "infusion_policy_systolic_limits",
                    field="systolic_low",
                    code="limits_invalid",
                    message=SYSTOLIC_LIMITS_INVALID,
                ),
                violation_error_message=SYSTOLIC_LIMITS_INVALID,
            ),
            models.CheckConstraint(
                condition=Q(heart_rate_low__lt=models.F("heart_rate_high")),
                name=constraint_error(
                    "infusion_policy_heart_rate_limits",
                    field="heart_rate_low",
                    code="limits_invalid",
                    message=HEART_RATE_LIMITS_INVALID,
                ),
                violation_error_message=HEART_RATE_LIMITS_INVALID,
            ),
            *child_limit_constraints(),
            models.CheckConstraint(
                condition=Q(max_g_per_kg_actual__gt=0, max_ml_per_kg_actual__gt=0),
                name=constraint_error(
                    "infusion_policy_actual_weight_limits",
                    field="max_g_per_kg_actual",
                    code="limit_invalid",
                    message="The maximum dose and bag limit per kg are greater than zero.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(vitals_titration_minutes__lte=models.F("vitals_steady_minutes")),
                name=constraint_error(
                    "infusion_policy_vitals_intervals",
                    field="vitals_titration_minutes",
                    code="intervals_invalid",
                    message=INTERVALS_INVALID,
                ),
                violation_error_message=INTERVALS_INVALID,
            ),
        ]

    def __str__(self) -> str:
        return "Clinic infusion policy"

    @classmethod
    def current(cls) -> "InfusionPolicy":
        """The policy, created with the defaults on first read."""
        policy = cls.objects.select_related("at_risk_protocol").filter(pk=1).first()
        if policy is None:
            policy, _ = cls.objects.get_or_create(pk=1)
        return policy

    def clean(self) -> None:
        # The same rules as the check constraints, named by field for the admin form.
        errors = {}
        if _both(self.systolic_low, self.systolic_high) and self.systolic_low >= self.systolic_high:
            errors["systolic_low"] = ValidationError(SYSTOLIC_LIMITS_INVALID, code="limits_invalid")
        if _both(self.heart_rate_low, self.heart_rate_high) and self.heart_rate_low >= self.heart_rate_high:
            errors["heart_rate_low"] = ValidationError(HEART_RATE_LIMITS_INVALID, code="limits_invalid")
        titrating, steady = self.vitals_titration_minutes, self.vitals_steady_minutes
        if _both(titrating, steady) and titrating > steady:
            errors["vitals_titration_minutes"] = ValidationError(INTERVALS_INVALID, code="intervals_invalid")
        errors.update(child_limit_errors(self))
        if errors:
            raise ValidationError(errors)

    def vitals_limits(self, band: str = "adult") -> VitalsLimits:
        """The clinic's vitals limits for an age band (`patients.childhood`) as the pure rules take them
        (`infusions.vitals`): the adult ones, with the band's own where children's differ."""
        limits = self._adult_vitals_limits()
        if band == "adult":
            return limits
        return replace(limits, **child_limits(self, band), band=band, band_text=LIMITS_TEXT[band])

    def _adult_vitals_limits(self) -> VitalsLimits:
        return VitalsLimits(
            systolic_high=self.systolic_high,
            systolic_low=self.systolic_low,
            diastolic_high=self.diastolic_high,
            heart_rate_high=self.heart_rate_high,
            heart_rate_low=self.heart_rate_low,
            temperature_high_c=self.temperature_high_c,
            respiratory_rate_high=self.respiratory_rate_high,
            spo2_low=self.spo2_low,
            temperature_rise_c=self.temperature_rise_c,
            systolic_change=self.systolic_change,
            heart_rate_rise=self.heart_rate_rise,
            titration_interval=timedelta(minutes=self.vitals_titration_minutes),
            steady_interval=timedelta(minutes=self.vitals_steady_minutes),
        )

    def at_risk_steps(self) -> list[arithmetic.ProtocolStep]:
        """The at-risk protocol's steps, read once per policy object (a page of orders plans many)."""
        if not hasattr(self, "_at_risk_steps"):
            self._at_risk_steps = self.at_risk_protocol.plan_steps() if self.at_risk_protocol else []
        return self._at_risk_steps


def _both(a, b) -> bool:
    # A field left empty in a form has its own error already.
    return a is not None and b is not None


auditlog.register(InfusionPolicy)
