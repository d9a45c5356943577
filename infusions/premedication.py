"""Premedication suggested for a child, per kg of actual body weight with the usual caps.

Standard library only (no Django). A suggestion, shown on the order and on the tablet's premedication
step; what is given is what the prescriber ordered and the nurse records. Adults get none here: their
premedication is the order's own text.

- **Acetaminophen** (paracetamol) 15 mg/kg a dose, at most 1,000 mg (the adult single dose); 12.5 mg/kg
  in the first 28 days of life. The US label of acetaminophen injection (OFIRMEV, Mallinckrodt; dosage
  for children from 2 years and adolescents under 50 kg: 15 mg/kg; adults and adolescents from 50 kg:
  1,000 mg; neonates: 12.5 mg/kg); oral doses of 10-15 mg/kg are the American Academy of Pediatrics'
  (Sullivan JE, Farrar HC. Fever and antipyretic use in children. Pediatrics 2011;127:580-587).
- **Diphenhydramine** 1 mg/kg a dose, at most 50 mg (the usual adult single dose): within the US label of
  diphenhydramine hydrochloride injection (children: 5 mg/kg a day in four doses, 1.25 mg/kg each, at
  most 300 mg a day; adults 10-50 mg a dose). The label contraindicates it in neonates and premature
  infants, so none is suggested in the first 28 days.

Doses are rounded DOWN to the whole mg, so a suggestion is never above its mg/kg.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from infusions.quantities import fmt, positive
from patients.childhood import AgeBand

# drug -> (mg/kg, mg/kg in the first 28 days or None for none, most mg a dose, route)
CHILD_PREMEDICATION: tuple[tuple[str, Decimal, Decimal | None, Decimal, str], ...] = (
    ("Acetaminophen", Decimal("15"), Decimal("12.5"), Decimal("1000"), "PO"),
    ("Diphenhydramine", Decimal("1"), None, Decimal("50"), "PO"),
)


@dataclass(frozen=True)
class Suggestion:
    drug: str
    dose_mg: Decimal | None  # None: not suggested for this child (see text)
    mg_per_kg: Decimal | None
    max_mg: Decimal
    route: str
    capped: bool
    text: str


def child_premedication(*, band: AgeBand, weight_kg: Decimal) -> list[Suggestion]:
    """The per-kg premedication suggested for a child in `band` weighing `weight_kg` (actual weight);
    empty for an adult. Raises PlanError weight_invalid."""
    if band.band == "adult":
        return []
    weight = positive(weight_kg, "weight_kg", "weight_invalid")
    suggestions = []
    for drug, per_kg, neonate_per_kg, most, route in CHILD_PREMEDICATION:
        mg_per_kg = neonate_per_kg if band.is_neonate else per_kg
        if mg_per_kg is None:
            suggestions.append(
                Suggestion(
                    drug,
                    None,
                    None,
                    most,
                    route,
                    False,
                    f"{drug}: not for a newborn (label); ask the prescriber.",
                )
            )
            continue
        full = (mg_per_kg * weight).quantize(Decimal(1), rounding=ROUND_DOWN)
        dose, capped = min(full, most), full > most
        how = f"{fmt(mg_per_kg)} mg/kg x {fmt(weight)} kg" + (f", capped at {fmt(most)} mg" if capped else "")
        suggestions.append(
            Suggestion(drug, dose, mg_per_kg, most, route, capped, f"{drug} {fmt(dose)} mg {route} ({how})")
        )
    return suggestions
