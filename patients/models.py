"""The person who receives infusions: identity, contact and reminder preferences, and clinical facts
that dosing and safety checks read (diagnoses, allergies, risk flags, weight and height, labs)."""

from datetime import date, datetime, time
from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.db import constraint_error
from patients import childhood, icd10


def not_in_future_date(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError("A date of birth cannot be in the future.", code="date_in_future")


def not_in_future_datetime(value) -> None:
    # A minute of grace for tablets whose clocks run slightly ahead.
    if value > timezone.now() + timezone.timedelta(minutes=1):
        raise ValidationError("This time is in the future.", code="time_in_future")


mrn_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]{2,31}$",
    "An MRN is 3-32 letters, digits or dashes.",
    code="mrn_invalid",
)
phone_validator = RegexValidator(
    r"^\+[1-9][0-9]{6,14}$",
    "Enter the phone number in international form, e.g. +15555550123.",
    code="phone_invalid",
)


class Sex(models.TextChoices):
    # Sex as used by the Devine ideal-body-weight formula.
    FEMALE = "female", "Female"
    MALE = "male", "Male"


class ReminderChannel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class Patient(models.Model):
    # Not columns: what `patients.selectors` (latest_facts, attach_facts) and the tablet's board set on
    # the rows they read, declared for the type checker.
    latest_weight_kg: Decimal | None
    latest_weight_at: datetime | None
    latest_height_cm: Decimal | None
    latest_egfr: Decimal | None
    latest_egfr_at: datetime | None
    worst_reaction_grade: int | None

    mrn = models.CharField("MRN", max_length=32, validators=[mrn_validator])
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(validators=[not_in_future_date])
    sex = models.CharField(
        max_length=6, choices=Sex.choices, help_text="Sex used by the ideal-body-weight formula."
    )
    phone = models.CharField(max_length=16, blank=True, validators=[phone_validator])
    email = models.EmailField(blank=True)
    reminder_channel = models.CharField(
        max_length=5, choices=ReminderChannel.choices, default=ReminderChannel.SMS
    )
    reminder_opt_out = models.BooleanField(default=False, help_text="The patient asked for no reminders.")
    quiet_hours_start = models.TimeField(
        null=True, blank=True, help_text="No reminders from this local time; empty: the clinic's default."
    )
    quiet_hours_end = models.TimeField(
        null=True, blank=True, help_text="... until this local time (may be the next morning)."
    )
    preferred_language = models.CharField(
        max_length=5,
        choices=settings.LANGUAGES,
        default="en",
        help_text="The language of the patient's reminders and visit page.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "mrn"]
        constraints = [
            models.UniqueConstraint(
                fields=["mrn"],
                name=constraint_error(
                    "patient_mrn_unique",
                    field="mrn",
                    code="mrn_taken",
                    message="A patient with this MRN already exists.",
                ),
            ),
        ]
        indexes = [models.Index(fields=["family_name", "given_name"]), models.Index(fields=["date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    def clean(self) -> None:
        if self.mrn:
            self.mrn = self.mrn.strip().upper()
        if (self.quiet_hours_start is None) != (self.quiet_hours_end is None):
            raise ValidationError(
                {
                    "quiet_hours_end": ValidationError(
                        "Quiet hours need both a start and an end.", code="quiet_hours_incomplete"
                    )
                }
            )
        if self.quiet_hours_start is not None and self.quiet_hours_start == self.quiet_hours_end:
            raise ValidationError(
                {
                    "quiet_hours_end": ValidationError(
                        "Quiet hours must end at another time than they start.", code="quiet_hours_empty"
                    )
                }
            )
        if not self.reminder_opt_out:
            if self.reminder_channel == ReminderChannel.SMS and not self.phone:
                raise ValidationError(
                    {"phone": ValidationError("SMS reminders need a phone number.", code="phone_required")}
                )
            if self.reminder_channel == ReminderChannel.EMAIL and not self.email:
                raise ValidationError(
                    {
                        "email": ValidationError(
                            "Email reminders need an email address.", code="email_required"
                        )
                    }
                )

    def quiet_hours(self) -> tuple[time, time] | None:
        """The patient's quiet hours (local start, end), or the clinic's default; None for none."""
        if self.quiet_hours_start is not None and self.quiet_hours_end is not None:
            return (self.quiet_hours_start, self.quiet_hours_end)
        return settings.REMINDER_QUIET_HOURS

    def age_on(self, day: date) -> int:
        return childhood.age_years(date_of_birth=self.date_of_birth, on=day)

    def age_band_on(self, day: date, height_cm: Decimal | None = None) -> childhood.AgeBand:
        """The patient's age band on `day` and whether the child dosing rules apply (`patients.childhood`)."""
        return childhood.age_band(date_of_birth=self.date_of_birth, on=day, height_cm=height_cm)

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    # The two reads below use `risk_flags.all()`, so prefetch "risk_flags" when listing patients.
    def at_risk_reasons(self) -> list[str]:
        """The boxed-warning risk factors for thrombosis and renal failure: flags, and age over 65.

        For these patients labels say: minimum practicable dose and rate.
        """
        reasons = [flag.get_kind_display() for flag in self.risk_flags.all() if flag.is_risk_factor]
        if self.age > RISK_AGE_OVER:
            reasons.append(f"Age over {RISK_AGE_OVER}")
        return reasons

    def contraindications(self) -> list["RiskFlag"]:
        """Flags that block immunoglobulin unless a manager overrides (anti-IgA, prior severe reaction)."""
        return [flag for flag in self.risk_flags.all() if flag.is_contraindication]


class PatientOwned(models.Model):
    """A record that belongs to one patient; the audit trail names the patient on every write."""

    class Meta:
        abstract = True

    def get_additional_data(self) -> dict:
        # django-auditlog stores this with each write, so a patient's whole trail can be found by id.
        return {"patient_id": self.patient_id}


class Diagnosis(PatientOwned):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diagnoses")
    code = models.CharField("ICD-10-CM code", max_length=10, validators=[icd10.validate_icd10])
    description = models.CharField(max_length=200, blank=True)
    diagnosed_on = models.DateField(null=True, blank=True, validators=[not_in_future_date])
    is_primary = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "diagnoses"
        ordering = ["-is_primary", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "code"],
                name=constraint_error(
                    "diagnosis_once_per_patient",
                    field="code",
                    code="diagnosis_exists",
                    message="The patient already has this diagnosis.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}".strip()

    def clean(self) -> None:
        if self.code:
            self.code = icd10.normalize(self.code)
        if not self.description:
            self.description = icd10.describe(self.code)

    @property
    def not_recommended(self) -> bool:
        return icd10.is_not_recommended(self.code)


class AllergySeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    ANAPHYLAXIS = "anaphylaxis", "Anaphylaxis"


class Allergy(PatientOwned):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="allergies")
    substance = models.CharField(max_length=120)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(
        max_length=12, choices=AllergySeverity.choices, default=AllergySeverity.MODERATE
    )
    noted_on = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name_plural = "allergies"
        ordering = ["substance"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "substance"],
                name=constraint_error(
                    "allergy_once_per_patient",
                    field="substance",
                    code="allergy_exists",
                    message="This allergy is already recorded.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.substance} ({self.get_severity_display()})"


class RiskFlagKind(models.TextChoices):
    # Contraindications (shared DOMAIN.md): block immunoglobulin unless a manager overrides.
    IGA_DEFICIENCY_WITH_ANTIBODIES = (
        "iga_deficiency_antibodies",
        "IgA deficiency with anti-IgA antibodies and history of hypersensitivity",
    )
    PRIOR_SEVERE_IG_REACTION = "prior_severe_ig_reaction", "Prior severe allergic reaction to immunoglobulin"
    # Boxed-warning risk factors for thrombosis and renal failure: minimum practicable dose and rate.
    RENAL_INSUFFICIENCY = "renal_insufficiency", "Renal insufficiency"
    DIABETES = "diabetes", "Diabetes mellitus"
    VOLUME_DEPLETION = "volume_depletion", "Volume depletion"
    SEPSIS = "sepsis", "Sepsis"
    PARAPROTEINEMIA = "paraproteinemia", "Paraproteinemia"
    NEPHROTOXIC_DRUGS = "nephrotoxic_drugs", "Takes nephrotoxic drugs"
    HEART_FAILURE = "heart_failure", "Heart failure"
    THROMBOSIS_HISTORY = "thrombosis_history", "History of thrombosis or hypercoagulable state"
    # Set by the chairside record after a reaction of CTCAE grade 2 or more: the next cycle's plan
    # suggests a slower protocol and premedication. Neither a block nor a boxed-warning risk factor.
    INFUSION_REACTION = "infusion_reaction", "Infusion reaction (grade 2 or more) on an earlier cycle"


CONTRAINDICATIONS = frozenset(
    {RiskFlagKind.IGA_DEFICIENCY_WITH_ANTIBODIES, RiskFlagKind.PRIOR_SEVERE_IG_REACTION}
)
# Age over this is itself a risk factor (derived from the date of birth, not flagged by hand).
RISK_AGE_OVER = 65


class RiskFlag(PatientOwned):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="risk_flags")
    kind = models.CharField(max_length=32, choices=RiskFlagKind.choices)
    note = models.CharField(max_length=300, blank=True)
    noted_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind"],
                name=constraint_error(
                    "risk_flag_once_per_patient",
                    field="kind",
                    code="flag_exists",
                    message="This flag is already set.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_contraindication(self) -> bool:
        return self.kind in CONTRAINDICATIONS

    @property
    def is_risk_factor(self) -> bool:
        """A boxed-warning risk factor for thrombosis or renal failure (the capped protocol applies)."""
        return self.kind not in CONTRAINDICATIONS and self.kind != RiskFlagKind.INFUSION_REACTION


class MeasurementKind(models.TextChoices):
    WEIGHT = "weight", "Weight (kg)"
    HEIGHT = "height", "Height (cm)"


MEASUREMENT_UNITS = {MeasurementKind.WEIGHT: "kg", MeasurementKind.HEIGHT: "cm"}
# Physiological bounds: anything outside is a typing error, not a patient.
MEASUREMENT_LIMITS = {
    MeasurementKind.WEIGHT: (Decimal("0"), Decimal("400")),
    MeasurementKind.HEIGHT: (Decimal("30"), Decimal("272")),
}


class Measurement(PatientOwned):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="measurements")
    kind = models.CharField(max_length=6, choices=MeasurementKind.choices)
    value = models.DecimalField(max_digits=6, decimal_places=2)
    measured_at = models.DateTimeField(default=timezone.now, validators=[not_in_future_datetime])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-measured_at"]
        indexes = [models.Index(fields=["patient", "kind", "-measured_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="weight", value__gt=0, value__lte=400)
                    | Q(kind="height", value__gt=30, value__lte=272)
                ),
                name=constraint_error(
                    "measurement_plausible",
                    field="value",
                    code="value_out_of_range",
                    message="Impossible value.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value} {self.unit}"

    @property
    def unit(self) -> str:
        return MEASUREMENT_UNITS.get(self.kind, "")

    def clean(self) -> None:
        if self.kind in MEASUREMENT_LIMITS and self.value is not None:
            low, high = MEASUREMENT_LIMITS[self.kind]
            if not low < self.value <= high:
                raise ValidationError(
                    {
                        "value": ValidationError(
                            "A %(kind)s must be more than %(low)s and at most %(high)s %(unit)s.",
                            code=f"{self.kind}_out_of_range",
                            params={"kind": self.kind, "low": low, "high": high, "unit": self.unit},
                        )
                    }
                )


class LabTest(models.TextChoices):
    CREATININE = "creatinine", "Creatinine"
    EGFR = "egfr", "eGFR"
    PLATELETS = "platelets", "Platelets"
    IGA = "iga", "IgA"


# Units accepted per test, in UCUM spelling; the first is the one the clinic reports in.
LAB_UNITS: dict[str, tuple[str, ...]] = {
    LabTest.CREATININE: ("mg/dL", "umol/L"),
    LabTest.EGFR: ("mL/min/{1.73_m2}",),
    LabTest.PLATELETS: ("10*9/L", "10*3/uL"),
    LabTest.IGA: ("mg/dL", "g/L"),
}


class LabResult(PatientOwned):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="lab_results")
    test = models.CharField(max_length=12, choices=LabTest.choices)
    value = models.DecimalField(max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0"))])
    # blank here so that clean() can say "unit_required"; the check constraint still refuses it.
    unit = models.CharField(max_length=20, blank=True)
    collected_at = models.DateTimeField(validators=[not_in_future_datetime])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-collected_at"]
        indexes = [models.Index(fields=["patient", "test", "-collected_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0) & ~Q(unit=""),
                name=constraint_error(
                    "lab_has_value_and_unit",
                    field="unit",
                    code="unit_required",
                    message="A lab needs a unit.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_test_display()}: {self.value} {self.unit}"

    def clean(self) -> None:
        allowed = LAB_UNITS.get(self.test, ())
        if not self.unit:
            raise ValidationError(
                {"unit": ValidationError("A lab result needs a unit.", code="unit_required")}
            )
        if allowed and self.unit not in allowed:
            raise ValidationError(
                {
                    "unit": ValidationError(
                        "%(unit)s is not a unit for %(test)s; use one of %(allowed)s.",
                        code="unit_invalid",
                        params={
                            "unit": self.unit,
                            "test": self.get_test_display(),
                            "allowed": ", ".join(allowed),
                        },
                    )
                }
            )


for model in (Patient, Diagnosis, Allergy, RiskFlag, Measurement, LabResult):
    auditlog.register(model)
