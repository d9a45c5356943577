"""Which weight a dose is computed from: actual, Devine ideal or adjusted weight, and the child rules.

Standard library only (no Django), like the rest of the plan arithmetic (`infusions.plan`); weights are
0.1 kg, ROUND_HALF_UP. The adult rules follow the clinical domain notes ("Dose"):

- ideal body weight (Devine): male 50 kg, female 45.5 kg, plus 2.3 kg per inch over 60 inches;
- adjusted body weight: ideal + 0.4 x (actual - ideal); "auto" uses it when actual exceeds 120% of ideal.

**Children** (`patients.childhood`: under 18 on the day of the infusion, or under 152.4 cm) are dosed by
their **actual body weight**: Devine is defined from 60 inches up, and below it gave a 95 cm toddler an
adult's 50 kg. "auto" never adjusts a child's weight; "ideal" and "adjusted" are refused
(`weight_policy_child`) unless the clinic turns on the paediatric ideal-weight method in its infusion
policy. That method is Traub and Kichen's for children from 1 year and under 152.4 cm (5 feet):
ideal body weight (kg) = 1.65 x height (cm)^2 / 1000 (Traub SL, Kichen L. Estimating ideal body mass in
children. Am J Hosp Pharm. 1983;40(1):107-110); from 152.4 cm up, Devine's formula applies, as for
adults. It is not used under 1 year, nor for adults shorter than 152.4 cm.
"""

from dataclasses import dataclass
from decimal import Decimal

from infusions.quantities import PlanError, fmt, positive, q
from patients.childhood import CHILD_HEIGHT_CM, AgeBand

POLICIES = ("actual", "ideal", "adjusted", "auto")
INCH_CM = Decimal("2.54")
IBW_BASE_KG = {"male": Decimal("50"), "female": Decimal("45.5")}
IBW_KG_PER_INCH = Decimal("2.3")
ADJUSTED_FRACTION = Decimal("0.4")
TRAUB_KICHEN_FACTOR = Decimal("1.65")  # kg per 1000 cm^2 of height squared


@dataclass(frozen=True)
class DosingWeight:
    kg: Decimal
    basis: str  # "actual", "ideal" or "adjusted"
    reason: str


def ideal_body_weight_kg(*, sex: str, height_cm: Decimal) -> Decimal:
    """Return Devine ideal body weight (0.1 kg). Raises PlanError sex_invalid, height_invalid."""
    base = IBW_BASE_KG.get(sex.strip().lower()) if isinstance(sex, str) else None
    if base is None:
        raise PlanError("sex_invalid", "sex", 'Sex must be "male" or "female".')
    inches = positive(height_cm, "height_cm", "height_invalid") / INCH_CM
    # Devine is defined from 60 inches up; shorter patients get the base weight, never less.
    return q(base + IBW_KG_PER_INCH * max(inches - 60, Decimal(0)), 1)


def paediatric_ideal_body_weight_kg(*, sex: str | None, height_cm: Decimal) -> Decimal:
    """Return a child's ideal body weight (0.1 kg): Traub and Kichen under 152.4 cm, Devine from there.

    Raises PlanError height_invalid, sex_required (Devine needs it), sex_invalid.
    """
    height = positive(height_cm, "height_cm", "height_invalid")
    if height < CHILD_HEIGHT_CM:
        return q(TRAUB_KICHEN_FACTOR * height * height / 1000, 1)
    if not sex:
        raise PlanError("sex_required", "sex", "Sex is needed for ideal weight from 152.4 cm up (Devine).")
    return ideal_body_weight_kg(sex=sex, height_cm=height)


def adjusted_body_weight_kg(*, ideal_kg: Decimal, actual_kg: Decimal) -> Decimal:
    """Return IBW + 0.4 x (actual - IBW) (0.1 kg). Raises PlanError weight_invalid."""
    ideal = positive(ideal_kg, "ideal_kg", "weight_invalid")
    actual = positive(actual_kg, "actual_kg", "weight_invalid")
    return q(ideal + ADJUSTED_FRACTION * (actual - ideal), 1)


def _child_weight(
    *,
    policy: str,
    sex: str | None,
    height_cm: Decimal | None,
    actual: Decimal,
    child: AgeBand,
    paediatric_ideal: bool,
) -> DosingWeight:
    rule = f"child: actual body weight {fmt(actual)} kg is used ({child.reason})"
    if policy == "actual":
        return DosingWeight(actual, "actual", f"{rule}, as ordered.")
    if policy == "auto":
        return DosingWeight(actual, "actual", f'{rule}; "auto" never adjusts a child\'s weight.')
    if not paediatric_ideal:
        raise PlanError(
            "weight_policy_child",
            "policy",
            f"{policy.capitalize()} weight is not used for a child ({child.reason}): order actual body "
            "weight, or turn on the paediatric ideal-weight method in the infusion policy.",
        )
    if child.rule != "age" or child.years < 1:
        raise PlanError(
            "weight_policy_child",
            "policy",
            f"No ideal-weight method is defined for this patient ({child.reason}; the paediatric method "
            "is for children from 1 year): order actual body weight.",
        )
    if height_cm is None:
        raise PlanError("height_required", "height_cm", f"Height is needed for the {policy} weight policy.")
    ideal = paediatric_ideal_body_weight_kg(sex=sex, height_cm=height_cm)
    method = "Traub & Kichen" if height_cm < CHILD_HEIGHT_CM else "Devine"
    as_ideal = f"child ({child.reason}): ideal weight {fmt(ideal)} kg ({method}, the paediatric method)"
    if policy == "ideal":
        return DosingWeight(ideal, "ideal", f"{as_ideal} is used, as ordered.")
    adjusted = adjusted_body_weight_kg(ideal_kg=ideal, actual_kg=actual)
    return DosingWeight(
        adjusted, "adjusted", f"{as_ideal}; adjusted weight {fmt(adjusted)} kg is used, as ordered."
    )


def dosing_weight(
    *,
    policy: str,
    sex: str | None,
    height_cm: Decimal | None,
    actual_kg: Decimal,
    threshold: Decimal = Decimal("1.20"),
    child: AgeBand | None = None,
    paediatric_ideal: bool = False,
) -> DosingWeight:
    """Return the weight the dose is computed from, its basis and a reason a nurse can read.

    ``child`` is the patient's `patients.childhood.AgeBand` on the day of the infusion (None: an adult);
    when its child rules apply the weight is actual unless ``paediatric_ideal`` allows the paediatric
    method. Raises PlanError policy_invalid, weight_invalid, weight_policy_child, height_required,
    sex_required, sex_invalid, height_invalid, threshold_invalid.
    """
    if policy not in POLICIES:
        raise PlanError("policy_invalid", "policy", f"Weight policy must be one of {', '.join(POLICIES)}.")
    actual = q(positive(actual_kg, "actual_kg", "weight_invalid"), 1)
    if child is not None and child.child:
        return _child_weight(
            policy=policy,
            sex=sex,
            height_cm=height_cm,
            actual=actual,
            child=child,
            paediatric_ideal=paediatric_ideal,
        )
    if policy == "actual":
        return DosingWeight(actual, "actual", f"Actual weight {fmt(actual)} kg is used, as ordered.")
    if height_cm is None:
        raise PlanError("height_required", "height_cm", f"Height is needed for the {policy} weight policy.")
    if not sex:
        raise PlanError("sex_required", "sex", f"Sex is needed for the {policy} weight policy.")
    ideal = ideal_body_weight_kg(sex=sex, height_cm=height_cm)
    adjusted = adjusted_body_weight_kg(ideal_kg=ideal, actual_kg=actual)
    as_adjusted = f"adjusted weight {fmt(adjusted)} kg is used"
    if policy == "ideal":
        return DosingWeight(ideal, "ideal", f"Ideal weight {fmt(ideal)} kg (Devine) is used, as ordered.")
    if policy == "adjusted":
        return DosingWeight(
            adjusted, "adjusted", f"Ideal weight is {fmt(ideal)} kg; {as_adjusted}, as ordered."
        )
    limit = positive(threshold, "threshold", "threshold_invalid")
    compare = f"Actual weight {fmt(actual)} kg is {{}} {fmt(limit * 100)}% of ideal {fmt(ideal)} kg"
    if actual > ideal * limit:
        return DosingWeight(adjusted, "adjusted", compare.format("over") + f", so {as_adjusted}.")
    return DosingWeight(actual, "actual", compare.format("not over") + ", so actual weight is used.")
