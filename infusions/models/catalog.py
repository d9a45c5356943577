"""What the clinic infuses and how fast: products with vial sizes and label maxima, titration protocols."""

import itertools
from decimal import Decimal

from auditlog.registry import auditlog
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from clinic.db import constraint_error
from infusions import label_schedule
from infusions import plan as arithmetic


class Route(models.TextChoices):
    IV = "iv", "Intravenous"
    SC = "sc", "Subcutaneous"


class Product(models.Model):
    brand = models.CharField(max_length=80)
    manufacturer = models.CharField(max_length=80)
    route = models.CharField(max_length=2, choices=Route.choices, default=Route.IV)
    concentration_percent = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="10 for a 10% product (100 mg/mL)."
    )
    vial_sizes_g = ArrayField(
        models.DecimalField(max_digits=6, decimal_places=2),
        default=list,
        help_text="Grams per vial, comma separated (e.g. 5,10,20,40).",
    )
    hcpcs_code = models.CharField("HCPCS code", max_length=5)
    grams_per_billing_unit = models.DecimalField(max_digits=5, decimal_places=3, default=Decimal("0.5"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["brand"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand"],
                name=constraint_error(
                    "product_brand_unique", field="brand", code="brand_taken", message="This product exists."
                ),
            ),
            models.CheckConstraint(
                condition=Q(concentration_percent__gt=0, concentration_percent__lte=100)
                & Q(grams_per_billing_unit__gt=0),
                name=constraint_error(
                    "product_concentration_valid",
                    field="concentration_percent",
                    code="concentration_invalid",
                    message="Concentration is more than 0% and at most 100%; a billing unit is over 0 g.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} {self.concentration_percent.normalize():f}%"

    def label_cap(self, indication_code: str) -> tuple[Decimal | None, "LabelRate | None"]:
        """The label's maximum in mL/kg/h for an indication (longest matching prefix; "" is general).

        Reads `label_rates.all()`, so prefetch "label_rates" when listing.
        """
        matching = [r for r in self.label_rates.all() if indication_code.startswith(r.indication_prefix)]
        if not matching:
            return None, None
        rate = max(matching, key=lambda r: len(r.indication_prefix))
        return rate.max_ml_per_kg_h(self.concentration_percent), rate

    def label_schedule(self, indication_code: str) -> label_schedule.LabelSchedule | None:
        """The label's starting rate, step schedule and maximum for an indication (the row `label_cap`
        picks), in mL/kg/h, as the plan arithmetic takes them; None when no row matches."""
        _, rate = self.label_cap(indication_code)
        return None if rate is None else rate.schedule(self)

    def label_dose_max(self, indication_code: str) -> "LabelRate | None":
        """The label row giving the most g/kg per cycle for an indication (longest matching prefix among
        the rows that give one), or None. Reads `label_rates.all()`: prefetch "label_rates"."""
        matching = [
            r
            for r in self.label_rates.all()
            if r.max_dose_g_per_kg is not None and indication_code.startswith(r.indication_prefix)
        ]
        return max(matching, key=lambda r: len(r.indication_prefix)) if matching else None


LABEL_SCHEDULE_INVALID = (
    "The starting rate, the step rates and the maximum rise in that order, each above zero; minutes are "
    "over zero."
)


class RateUnit(models.TextChoices):
    MG_KG_MIN = "mg_kg_min", "mg/kg/min"
    ML_KG_H = "ml_kg_h", "mL/kg/h"


class LabelRate(models.Model):
    """A label's rates for indications starting with a code prefix, in the label's unit: where the
    infusion starts, how it may step up, and its maximum (`infusions.label_schedule` for the rules)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="label_rates")
    indication_prefix = models.CharField(
        max_length=10, blank=True, help_text="ICD-10-CM prefix, e.g. D69.3; empty for the general maximum."
    )
    unit = models.CharField(max_length=9, choices=RateUnit.choices)
    start_rate = models.DecimalField(
        "starting rate",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The label's initial rate; a plan's first step never runs faster. Empty: none given.",
    )
    start_minutes = models.PositiveSmallIntegerField(
        "held for (min)",
        null=True,
        blank=True,
        help_text="How long the label keeps the starting rate (e.g. the first 30 minutes). Empty: the "
        "protocol's first step.",
    )
    step_rates = ArrayField(
        models.DecimalField(max_digits=6, decimal_places=2),
        default=list,
        blank=True,
        verbose_name="step rates",
        help_text="The rates the label steps through after the start, slowest first, comma separated "
        "(Octagam 10%, ITP: 2,4,8). Empty: from the start up to the maximum as the protocol says.",
    )
    step_minutes = models.PositiveSmallIntegerField(
        "each step (min)",
        null=True,
        blank=True,
        help_text="The least time at each step rate before the next (e.g. every 30 minutes).",
    )
    max_rate = models.DecimalField("maximum rate", max_digits=6, decimal_places=2)
    max_dose_g_per_kg = models.DecimalField(
        "maximum dose (g/kg per cycle)",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The label's most grams per kg of actual body weight in one cycle for these indications; "
        "empty: the clinic's maximum (infusion policy, default 2 g/kg).",
    )
    note = models.CharField(max_length=120, blank=True, help_text="Where the figures come from.")

    class Meta:
        ordering = ["product", "indication_prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "indication_prefix"],
                name=constraint_error(
                    "label_rate_once_per_prefix",
                    field="indication_prefix",
                    code="label_rate_exists",
                    message="This product already has a maximum for this indication.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(max_rate__gt=0),
                name=constraint_error(
                    "label_rate_positive",
                    field="max_rate",
                    code="rate_invalid",
                    message="A maximum rate is greater than zero.",
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(start_rate__isnull=True) | Q(start_rate__gt=0, start_rate__lte=models.F("max_rate"))
                )
                & (Q(start_minutes__isnull=True) | Q(start_minutes__gt=0))
                & (Q(step_minutes__isnull=True) | Q(step_minutes__gt=0)),
                name=constraint_error(
                    "label_start_valid",
                    field="start_rate",
                    code="label_schedule_invalid",
                    message=LABEL_SCHEDULE_INVALID,
                ),
                violation_error_message=LABEL_SCHEDULE_INVALID,
            ),
            models.CheckConstraint(
                condition=Q(max_dose_g_per_kg__isnull=True) | Q(max_dose_g_per_kg__gt=0),
                name=constraint_error(
                    "label_dose_positive",
                    field="max_dose_g_per_kg",
                    code="dose_invalid",
                    message="A maximum dose is greater than zero.",
                ),
            ),
        ]

    def __str__(self) -> str:
        where = self.indication_prefix or "all indications"
        return f"{self.max_rate.normalize():f} {self.get_unit_display()} ({where})"

    def clean(self) -> None:
        rates = [r for r in (self.start_rate, *(self.step_rates or []), self.max_rate) if r is not None]
        if any(r <= 0 for r in rates) or any(b <= a for a, b in itertools.pairwise(rates)):
            raise ValidationError(
                {"step_rates": ValidationError(LABEL_SCHEDULE_INVALID, code="label_schedule_invalid")}
            )

    def max_ml_per_kg_h(self, concentration_percent: Decimal) -> Decimal:
        return self._ml_per_kg_h(self.max_rate, concentration_percent)

    def _ml_per_kg_h(self, rate: Decimal, concentration_percent: Decimal) -> Decimal:
        if self.unit == RateUnit.ML_KG_H:
            return rate
        return arithmetic.mg_per_kg_min_to_ml_per_kg_h(rate=rate, concentration_percent=concentration_percent)

    def schedule(self, product: Product) -> label_schedule.LabelSchedule:
        """This row as `infusions.label_schedule` reads it: mL/kg/h, each level described in the label's
        own unit for the plan's notes."""
        pct = product.concentration_percent

        def level(rate: Decimal, what: str) -> label_schedule.Level:
            text = f"{what} {rate.normalize():f} {self.get_unit_display()}"
            if self.unit != RateUnit.ML_KG_H:
                text += f" at {pct.normalize():f}%"
            return label_schedule.Level(self._ml_per_kg_h(rate, pct), text)

        where = self.indication_prefix or "all indications"
        start = None if self.start_rate is None else level(self.start_rate, "starting rate")
        return label_schedule.LabelSchedule(
            source=f"{product.brand}'s label ({where})",
            start=start,
            start_minutes=self.start_minutes,
            steps=tuple(level(r, "step") for r in self.step_rates or ()),
            step_minutes=self.step_minutes,
            maximum=level(self.max_rate, "maximum"),
        )


# A fixed-time protocol runs at most this long: with preparation and observation it still fits one day's
# opening hours, and the calendar's ceiling (`scheduling.models.MAX_SESSION`).
MAX_OVER_HOURS = 14
OVER_HOURS_INVALID = "Give both the shortest and the longest hours (shortest first), or neither."


class TitrationProtocol(models.Model):
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    over_hours_min = models.DecimalField(
        "over (shortest hours)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_OVER_HOURS)],
        help_text="For a protocol given over a fixed time (Kawasaki disease: 2 g/kg over 10-12 h, AHA 2017): "
        "the steps start the infusion, then the rest runs at the rate that ends it after this many hours, "
        "never above the last step's rate or the label's maximum. Empty: a titrated protocol.",
    )
    over_hours_max = models.DecimalField(
        "over (longest hours)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_OVER_HOURS)],
        help_text="The longest the protocol allows; the chair calendar accepts sessions this long plus "
        "preparation and observation.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name=constraint_error(
                    "protocol_name_unique", field="name", code="name_taken", message="This name is taken."
                ),
            ),
            models.CheckConstraint(
                condition=Q(over_hours_min__isnull=True, over_hours_max__isnull=True)
                | Q(
                    over_hours_min__gt=0,
                    over_hours_min__lte=models.F("over_hours_max"),
                    over_hours_max__lte=MAX_OVER_HOURS,
                ),
                name=constraint_error(
                    "protocol_over_hours_valid",
                    field="over_hours_min",
                    code="over_hours_invalid",
                    message=OVER_HOURS_INVALID,
                ),
                violation_error_message=OVER_HOURS_INVALID,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        low, high = self.over_hours_min, self.over_hours_max
        if (low is None) != (high is None) or (low is not None and low > high):
            raise ValidationError(
                {"over_hours_min": ValidationError(OVER_HOURS_INVALID, code="over_hours_invalid")}
            )

    def over_hours(self) -> tuple[Decimal, Decimal] | None:
        """(shortest, longest) hours of a fixed-time protocol, as `plan.build_plan` takes them; else None."""
        if self.over_hours_min is None or self.over_hours_max is None:
            return None
        return (self.over_hours_min, self.over_hours_max)

    def plan_steps(self) -> list[arithmetic.ProtocolStep]:
        """The steps as plan.py reads them. Reads `steps.all()`: prefetch "steps"."""
        return [arithmetic.ProtocolStep(s.rate_ml_per_kg_h, s.minutes) for s in self.steps.all()]


class ProtocolStep(models.Model):
    protocol = models.ForeignKey(TitrationProtocol, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    rate_ml_per_kg_h = models.DecimalField("rate (mL/kg/h)", max_digits=5, decimal_places=2)
    minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty: the open-ended last step."
    )

    class Meta:
        ordering = ["protocol", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["protocol", "position"],
                name=constraint_error(
                    "protocol_step_position_unique",
                    field="position",
                    code="position_taken",
                    message="Two steps cannot share a position.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(rate_ml_per_kg_h__gt=0) & (Q(minutes__isnull=True) | Q(minutes__gt=0)),
                name=constraint_error(
                    "protocol_step_positive",
                    field="rate_ml_per_kg_h",
                    code="protocol_invalid",
                    message="A step's rate and minutes are greater than zero.",
                ),
            ),
        ]

    def __str__(self) -> str:
        length = f"{self.minutes} min" if self.minutes else "until the bag is empty"
        return f"{self.rate_ml_per_kg_h.normalize():f} mL/kg/h, {length}"


def as_text(value: str) -> str:
    """auditlog's "mask" hook, used to keep a value readable: its JSON changes cannot hold a list of
    Decimals (vial sizes, a label's step rates), and the mask hook is where it turns a field into text."""
    return value


auditlog.register(Product, mask_fields=["vial_sizes_g"], mask_callable="infusions.models.catalog.as_text")
auditlog.register(LabelRate, mask_fields=["step_rates"], mask_callable="infusions.models.catalog.as_text")
for model in (TitrationProtocol, ProtocolStep):
    auditlog.register(model)
