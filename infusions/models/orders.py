"""Treatment orders, a manager's overrides of blocking checks, and response measures per cycle.

Orders store what the prescriber ordered; the plan (grams, vials, volume, rate steps, chair time) is
computed on every read by `infusions.planning` from the order and the patient's latest weight, so it is
never stale. Rules that touch several rows live in `infusions.services`.
"""

from datetime import datetime
from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from clinic.db import constraint_error
from infusions import plan as arithmetic
from infusions.models.catalog import Product, TitrationProtocol
from patients.models import Diagnosis, Patient, PatientOwned


class WeightPolicy(models.TextChoices):
    AUTO = "auto", "Automatic (adjusted when over the threshold of ideal; actual for children)"
    ACTUAL = "actual", "Actual weight"
    IDEAL = "ideal", "Ideal weight (Devine)"
    ADJUSTED = "adjusted", "Adjusted weight"


class OrderStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DISCONTINUED = "discontinued", "Discontinued"


class TreatmentOrder(PatientOwned):
    # Not columns: the patient's latest facts as `infusions.selectors.order_list` annotates them (and
    # `order_with_facts` copies them), declared for the type checker.
    latest_weight_kg: Decimal | None
    latest_weight_at: datetime | None
    latest_height_cm: Decimal | None
    latest_egfr: Decimal | None
    latest_egfr_at: datetime | None

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="treatment_orders")
    indication = models.ForeignKey(Diagnosis, on_delete=models.PROTECT, related_name="treatment_orders")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="orders")
    protocol = models.ForeignKey(TitrationProtocol, on_delete=models.PROTECT, related_name="orders")
    dose_grams_per_kg = models.DecimalField(
        "dose (g/kg)", max_digits=5, decimal_places=3, null=True, blank=True, help_text="Per cycle."
    )
    fixed_grams = models.DecimalField(
        "fixed dose (g)", max_digits=6, decimal_places=2, null=True, blank=True, help_text="Per cycle."
    )
    weight_policy = models.CharField(max_length=8, choices=WeightPolicy.choices, default=WeightPolicy.AUTO)
    split_days = models.PositiveSmallIntegerField(default=1, help_text="A cycle's dose over 1-5 days.")
    interval_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days from one cycle's start to the next; empty for one cycle."
    )
    cycles = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: ongoing.")
    premedication = models.TextField(blank=True)
    prescriber = models.CharField(max_length=120)
    start_date = models.DateField()
    status = models.CharField(max_length=12, choices=OrderStatus.choices, default=OrderStatus.ACTIVE)
    discontinued_at = models.DateTimeField(null=True, blank=True)
    discontinued_reason = models.CharField(max_length=300, blank=True)
    hold_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the order is on hold; cleared when it is active again."
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    needs_review = models.BooleanField(default=False, help_text="No improvement after two cycles.")
    review_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["patient", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(dose_grams_per_kg__isnull=True) ^ Q(fixed_grams__isnull=True),
                name=constraint_error(
                    "order_one_dose",
                    field="dose_grams_per_kg",
                    code="dose_required",
                    message="Give a dose per kg or a fixed dose, not both.",
                ),
            ),
            models.CheckConstraint(
                condition=(Q(dose_grams_per_kg__isnull=True) | Q(dose_grams_per_kg__gt=0))
                & (Q(fixed_grams__isnull=True) | Q(fixed_grams__gt=0)),
                name=constraint_error(
                    "order_dose_positive",
                    field="dose_grams_per_kg",
                    code="dose_invalid",
                    message="A dose is greater than zero.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(split_days__gte=1, split_days__lte=arithmetic.MAX_SPLIT_DAYS),
                name=constraint_error(
                    "order_split_days_range",
                    field="split_days",
                    code="split_days_invalid",
                    message="Split a dose over 1 to 5 days.",
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.DISCONTINUED)
                | (Q(discontinued_at__isnull=False) & ~Q(discontinued_reason="")),
                name=constraint_error(
                    "order_discontinued_has_reason",
                    field="discontinued_reason",
                    code="reason_required",
                    message="Say why the order is discontinued.",
                ),
            ),
        ]

    def __str__(self) -> str:
        dose = (
            f"{self.dose_grams_per_kg.normalize():f} g/kg"
            if self.dose_grams_per_kg is not None
            else f"{(self.fixed_grams or Decimal(0)).normalize():f} g"
        )
        return f"Order {self.pk or 'new'}: {self.product.brand} {dose}"


class BlockOverride(models.Model):
    """A clinic manager's decision to go ahead despite a blocking check, with the reason."""

    order = models.ForeignKey(TreatmentOrder, on_delete=models.CASCADE, related_name="overrides")
    code = models.CharField(max_length=40)
    reason = models.CharField(max_length=300)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    overridden_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["overridden_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "code"],
                name=constraint_error(
                    "override_once_per_check",
                    field="code",
                    code="override_exists",
                    message="This check is already overridden on this order.",
                ),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name=constraint_error(
                    "override_has_reason", field="reason", code="reason_required", message="Give a reason."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} overridden"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.order.patient_id}


class ResponseMeasure(models.TextChoices):
    PLATELETS = "platelets", "Platelet count (10*9/L)"
    GRIP_STRENGTH = "grip_strength", "Grip strength (kg)"
    INCAT = "incat", "INCAT disability score (0-10)"
    MRC_SUM = "mrc_sum", "MRC sum score (0-60)"
    MMT8 = "mmt8", "Manual muscle testing MMT-8 (0-150)"
    CK = "ck", "Creatine kinase (U/L)"
    TEMPERATURE = "temperature", "Temperature (Cel)"


# Whether a higher value is better: INCAT counts disability, CK muscle damage, temperature fever.
HIGHER_IS_BETTER: dict[str, bool] = {
    ResponseMeasure.PLATELETS: True,
    ResponseMeasure.GRIP_STRENGTH: True,
    ResponseMeasure.INCAT: False,
    ResponseMeasure.MRC_SUM: True,
    ResponseMeasure.MMT8: True,
    ResponseMeasure.CK: False,
    ResponseMeasure.TEMPERATURE: False,
}


class ResponseRecord(models.Model):
    """A response measure: cycle 0 is the baseline before the first cycle, n is after cycle n."""

    order = models.ForeignKey(TreatmentOrder, on_delete=models.CASCADE, related_name="responses")
    cycle = models.PositiveSmallIntegerField()
    measure = models.CharField(max_length=14, choices=ResponseMeasure.choices)
    value = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order", "measure", "cycle"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "measure", "cycle"],
                name=constraint_error(
                    "response_once_per_cycle",
                    field="cycle",
                    code="response_exists",
                    message="This measure is already recorded for this cycle.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Cycle {self.cycle}: {self.get_measure_display()} {self.value.normalize():f}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.order.patient_id}


for model in (TreatmentOrder, BlockOverride, ResponseRecord):
    auditlog.register(model)
