"""What insurance asks of the apps above it, without importing them.

Insurance cannot import infusions (the arrow points the other way), yet an insurer deciding a request
needs the clinical summary of the order behind it. Infusions registers a provider here in its
`AppConfig.ready()` (`infusions.authorizations`); insurance calls it with plain values.
"""

from collections.abc import Callable
from typing import TypedDict


class ClinicalSummary(TypedDict):
    """The minimum necessary for a decision (HIPAA): no name, address or contact details."""

    diagnosis: dict | None  # {"code", "description"}
    product: dict | None  # {"brand", "hcpcs_code", "concentration_percent"}
    dose_plan: (
        dict | None
    )  # {"dose_grams_per_kg" | "fixed_grams", "grams_per_cycle", "billing_units_per_cycle", ...}
    weight: dict | None  # {"kg", "measured_at"}
    cycles_given: list[dict]  # [{"cycle", "given_on", "responses": [{"measure", "value"}]}]
    reactions: list[dict]  # [{"kind", "grade", "onset", "on"}]


SummaryProvider = Callable[..., ClinicalSummary | None]

_providers: dict[str, SummaryProvider] = {}


def register_clinical_summary(provider: SummaryProvider) -> None:
    """Infusions calls this once: `provider(*, order_id, patient_id, hcpcs_code)` -> ClinicalSummary."""
    _providers["clinical_summary"] = provider


def clinical_summary(*, order_id: int | None, patient_id: int, hcpcs_code: str) -> ClinicalSummary:
    """The clinical summary for an authorization; empty parts when no provider or order is known."""
    provider = _providers.get("clinical_summary")
    summary = provider(order_id=order_id, patient_id=patient_id, hcpcs_code=hcpcs_code) if provider else None
    return summary or ClinicalSummary(
        diagnosis=None, product=None, dose_plan=None, weight=None, cycles_given=[], reactions=[]
    )
