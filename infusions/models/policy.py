"""The clinic's infusion defaults (one row) that managers change in the admin."""

from decimal import Decimal

from auditlog.registry import auditlog
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from clinic.db import constraint_error
from infusions import plan as arithmetic
from infusions.models.catalog import TitrationProtocol


class InfusionPolicy(models.Model):
    """The clinic's infusion defaults, one row (`InfusionPolicy.current()`), editable by managers."""

    lab_window_days = models.PositiveSmallIntegerField(
        default=30, help_text="eGFR and weight must be this recent before an infusion."
    )
    vial_tolerance_percent = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal("10"), validators=[MinValueValidator(0)]
    )
    prep_minutes = models.PositiveSmallIntegerField(default=30)
    observation_minutes = models.PositiveSmallIntegerField(default=30)
    grid_minutes = models.PositiveSmallIntegerField(default=15, validators=[MinValueValidator(1)])
    adjusted_weight_threshold_percent = models.DecimalField(
        max_digits=5, decimal_places=1, default=Decimal("120"), validators=[MinValueValidator(100)]
    )
    dose_min_g_per_kg = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0.2"))
    dose_max_g_per_kg = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("2.5"))
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

    def at_risk_steps(self) -> list[arithmetic.ProtocolStep]:
        """The at-risk protocol's steps, read once per policy object (a page of orders plans many)."""
        if not hasattr(self, "_at_risk_steps"):
            self._at_risk_steps = self.at_risk_protocol.plan_steps() if self.at_risk_protocol else []
        return self._at_risk_steps


auditlog.register(InfusionPolicy)
