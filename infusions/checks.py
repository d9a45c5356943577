"""Safety checks on a treatment order, run when it is written and again before each cycle.

Plain functions over plain facts (no queries): the caller passes the patient's flags, latest weight and
eGFR times, the policy and the overrides already recorded. Each result has a stable `code`, a severity
("block" stops the order unless a clinic manager overrides it; "warn" is shown) and a sentence a nurse
understands.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

BLOCK = "block"
WARN = "warn"

# Contraindication flag kind -> check code.
CONTRAINDICATION_CODES = {
    "iga_deficiency_antibodies": "contraindicated_iga_antibodies",
    "prior_severe_ig_reaction": "contraindicated_prior_reaction",
}
BLOCK_CODES = frozenset(
    {*CONTRAINDICATION_CODES.values(), "indication_not_recommended", "dose_over_max", "volume_over_max"}
)


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    message: str
    overridden_by: str | None = None
    override_reason: str | None = None

    @property
    def blocks(self) -> bool:
        """True for a block nobody has overridden."""
        return self.severity == BLOCK and self.overridden_by is None


@dataclass(frozen=True)
class Override:
    code: str
    by: str
    reason: str


@dataclass(frozen=True)
class ActualWeightDose:
    """One cycle's dose and one day's bag against the patient's actual weight, with their maxima."""

    actual_kg: Decimal
    grams_per_cycle: Decimal  # as ordered, before rounding to whole vials
    bag_ml: Decimal  # one day's volume
    max_g_per_kg: Decimal
    max_source: str  # whose maximum: "Gammagard Liquid's label for M30.3", "the clinic's maximum"
    max_ml_per_kg: Decimal
    indication_code: str


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def order_checks(
    *,
    contraindications: Iterable[tuple[str, str]],
    indication_code: str,
    indication_label: str,
    indication_not_recommended: bool,
    at_risk_reasons: Iterable[str],
    capped_with: str | None,
    weight_at: datetime | None,
    egfr_at: datetime | None,
    dose_g_per_kg: Decimal | None,
    window_days: int,
    dose_min: Decimal,
    dose_max: Decimal,
    now: datetime,
    overrides: Mapping[str, Override] | None = None,
    prior_reaction: tuple[int, datetime] | None = None,
    slower_protocol: str | None = None,
    actual: ActualWeightDose | None = None,
) -> list[Check]:
    """Return the checks for an order, blocks first. ``contraindications`` are (flag kind, label) pairs.

    ``dose_g_per_kg`` is one cycle's dose per kg of dosing weight (None when it cannot be known).
    ``prior_reaction`` is the (CTCAE grade, time) of the patient's worst infusion reaction of grade 2 or
    more; the next infusion then suggests ``slower_protocol`` and premedication. ``actual`` is the dose
    and bag against the patient's actual weight (None when there is no plan): over their maxima, a block.
    """
    overrides = overrides or {}
    found: list[Check] = []
    for kind, label in contraindications:
        code = CONTRAINDICATION_CODES.get(kind, f"contraindicated_{kind}")
        found.append(Check(code, BLOCK, f"Contraindicated: {label}. Do not give immunoglobulin."))
    if indication_not_recommended:
        found.append(
            Check(
                "indication_not_recommended",
                BLOCK,
                f"Immunoglobulin is not recommended for {indication_code} {indication_label}".rstrip()
                + "; a clinic manager must approve it with a reason.",
            )
        )
    if actual is not None:
        found.extend(actual_weight_checks(actual))
    found = [
        Check(c.code, c.severity, c.message, overrides[c.code].by, overrides[c.code].reason)
        if c.code in overrides
        else c
        for c in found
    ]
    window = timedelta(days=window_days)
    if egfr_at is None:
        found.append(
            Check("egfr_missing", WARN, "No eGFR is on file: check kidney function before infusing.")
        )
    elif now - egfr_at > window:
        found.append(
            Check(
                "egfr_stale",
                WARN,
                f"The last eGFR is {(now - egfr_at).days} days old (over {window_days}): check kidney "
                "function before infusing.",
            )
        )
    if weight_at is not None and now - weight_at > window:
        found.append(
            Check(
                "weight_stale",
                WARN,
                f"The last weight is {(now - weight_at).days} days old (over {window_days}): weigh the "
                "patient, the dose depends on it.",
            )
        )
    if dose_g_per_kg is not None and not dose_min <= dose_g_per_kg <= dose_max:
        found.append(
            Check(
                "dose_out_of_range",
                WARN,
                f"{_fmt(dose_g_per_kg)} g/kg per cycle is outside the usual {_fmt(dose_min)}-"
                f"{_fmt(dose_max)} g/kg: confirm the dose with the prescriber.",
            )
        )
    reasons = list(at_risk_reasons)
    if reasons:
        how = f"the {capped_with} protocol is used" if capped_with else "use the minimum practicable rate"
        found.append(
            Check(
                "at_risk_capped",
                WARN,
                f"Capped protocol: {', '.join(reasons)} (thrombosis and kidney risk); {how}.",
            )
        )
    if prior_reaction is not None:
        grade, when = prior_reaction
        slower = f"the slower {slower_protocol} protocol" if slower_protocol else "a slower protocol"
        found.append(
            Check(
                "prior_reaction",
                WARN,
                f"Grade {grade} infusion reaction on {when:%Y-%m-%d}: use {slower} and premedicate "
                "(acetaminophen and an antihistamine; consider a corticosteroid).",
            )
        )
    return found


def actual_weight_checks(dose: ActualWeightDose) -> list[Check]:
    """Blocks for a dose or a bag too large for the patient's actual body weight, whatever weight the dose
    was computed from (an ideal weight above the actual one, a child planned as an adult).

    The dose is compared as ordered, before rounding to whole vials (which the vial tolerance bounds).
    """
    found = []
    per_kg = dose.grams_per_cycle / dose.actual_kg
    weight = f"{_fmt(dose.actual_kg)} kg"
    if per_kg > dose.max_g_per_kg:
        found.append(
            Check(
                "dose_over_max",
                BLOCK,
                f"{_fmt(dose.grams_per_cycle)} g per cycle is {_fmt(per_kg.quantize(Decimal('0.01')))} g/kg "
                f"of the patient's actual weight ({weight}), over the {_fmt(dose.max_g_per_kg)} g/kg maximum "
                f"for {dose.indication_code} ({dose.max_source}): check the dosing weight and the dose with "
                "the prescriber.",
            )
        )
    ml_per_kg = dose.bag_ml / dose.actual_kg
    if ml_per_kg > dose.max_ml_per_kg:
        found.append(
            Check(
                "volume_over_max",
                BLOCK,
                f"The {_fmt(dose.bag_ml)} mL bag is {_fmt(ml_per_kg.quantize(Decimal('0.1')))} mL/kg of the "
                f"patient's actual weight ({weight}), over the clinic's {_fmt(dose.max_ml_per_kg)} mL/kg: "
                "check the dosing weight, or split the dose over more days.",
            )
        )
    return found


def unresolved_blocks(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if c.blocks]
