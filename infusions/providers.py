"""What infusions asks of charting, the app above it, without importing it.

An order's checks need the patient's worst infusion reaction of grade 2 or more (`prior_reaction`: a
slower protocol and premedication next time), and the insurer's clinical summary lists the reactions
charted on an order's sessions. Both are charted at the chair, in charting, which registers its readers
here in `ChartingConfig.ready()`. Without charting installed an order simply has no reactions.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import DateTimeField, IntegerField, Value

# worst_reaction(patient_ref) -> {"worst_reaction_grade": expr, "worst_reaction_at": expr}
WorstReaction = Callable[[str], dict[str, Any]]
# order_reactions(order_id) -> [{"kind", "grade", "onset", "action", "outcome", "noted_on"}]
OrderReactions = Callable[[int], list[dict]]

_providers: dict[str, Callable] = {}


def register_reactions(*, worst_reaction: WorstReaction, order_reactions: OrderReactions) -> None:
    """Charting calls this once, with its two readers."""
    _providers["worst_reaction"] = worst_reaction
    _providers["order_reactions"] = order_reactions


def worst_reaction_annotations(patient_ref: str) -> dict[str, Any]:
    """Annotations naming the worst reaction grade and when it was noted, for the patient at
    `patient_ref` (an OuterRef path such as "patient_id"); NULLs when nothing is registered."""
    provider = _providers.get("worst_reaction")
    if provider is None:
        return {
            "worst_reaction_grade": Value(None, output_field=IntegerField()),
            "worst_reaction_at": Value(None, output_field=DateTimeField()),
        }
    return provider(patient_ref)


def order_reactions(order_id: int) -> list[dict]:
    """The reactions charted on an order's sessions, oldest first (empty without charting)."""
    provider = _providers.get("order_reactions")
    return provider(order_id) if provider is not None else []
