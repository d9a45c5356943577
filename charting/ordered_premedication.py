"""The premedication an order prescribes, read from the order's text, and whether what a nurse gives
matches it.

Standard library only (no Django). An order's premedication is free text written by the prescriber,
e.g. "Acetaminophen 650 mg PO, cetirizine 10 mg PO" or "Acetaminophen 650 mg PO; 500 mL saline before".
Each part that reads as *drug, dose, unit, route* is a medication the tablet can record in one tap
("give as ordered"); the other parts (hydration, instructions) are shown as written, not recorded.
A dose per kg is not recorded in one tap: the nurse works it out and records it.
"""

import re
from dataclasses import dataclass

_PART = re.compile(
    r"^(?P<drug>[A-Za-z][A-Za-z\- ]*?)\s+(?P<amount>\d+(?:[.,]\d+)?)\s*(?P<unit>mg|mcg|g|mL|ml|units?)"
    r"(?:\s+(?P<route>PO|IV|IM|SC|SQ))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Ordered:
    drug: str
    dose: str  # as recorded: "650 mg"
    route: str

    @property
    def text(self) -> str:
        return f"{self.drug} {self.dose} {self.route}"


def ordered_items(text: str) -> tuple[list[Ordered], list[str]]:
    """The medications an order's text prescribes, and the parts that are not one (kept as written)."""
    items, other = [], []
    for part in re.split(r"[;,\n]", text or ""):
        part = part.strip().rstrip(".")
        if not part:
            continue
        match = _PART.match(part)
        if match is None:
            other.append(part)
            continue
        drug = match["drug"].strip()
        unit = match["unit"].lower().replace("ml", "mL")
        items.append(
            Ordered(
                drug=drug[0].upper() + drug[1:],
                dose=f"{match['amount'].replace(',', '.')} {unit}",
                route=(match["route"] or "PO").upper(),
            )
        )
    return items, other


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", (text or "").lower())


def matches_order(text: str, *, drug: str, dose: str, route: str) -> bool:
    """True when drug, dose and route are one of the order's medications (case and spaces aside)."""
    items, _ = ordered_items(text)
    return any(
        _norm(i.drug) == _norm(drug) and _norm(i.dose) == _norm(dose) and i.route == (route or "").upper()
        for i in items
    )
