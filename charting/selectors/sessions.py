"""Reads of chairside sessions: who sees which, one session with everything charted on it, and
what other apps read of the record (an order's usage and reactions, a patient's worst reaction).

Each read's query count does not grow with its rows: the selectors own their joins and prefetches.
"""

from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Sum

from charting.models import (
    FLAG_GRADE,
    HandoverNote,
    InfusionSession,
    LotRecord,
    Premedication,
    RateChange,
    Reaction,
    VitalsReading,
)
from scheduling.access import sees_all_sites


def access_sessions(user, queryset: QuerySet[InfusionSession]) -> QuerySet[InfusionSession]:
    """A nurse sees the sessions of her sites; managers see every site's."""
    return queryset if sees_all_sites(user) else queryset.filter(booking__site__memberships__user=user)


def session_list() -> QuerySet[InfusionSession]:
    return InfusionSession.objects.select_related(
        "booking__site", "booking__chair", "patient", "order__product", "order__indication"
    )


def session_detail() -> QuerySet[InfusionSession]:
    """Sessions with everything charted on them, for the session page, the summary and the API."""
    return (
        session_list()
        .select_related("checklist__recorded_by")
        .prefetch_related(
            Prefetch(
                "vitals", VitalsReading.objects.select_related("recorded_by").order_by("taken_at", "pk")
            ),
            Prefetch("rate_changes", RateChange.objects.select_related("recorded_by").order_by("at", "pk")),
            Prefetch(
                "reactions",
                Reaction.objects.select_related("recorded_by")
                .order_by("noted_at", "pk")
                .prefetch_related("vitals"),
            ),
            Prefetch("lots", LotRecord.objects.select_related("recorded_by")),
            Prefetch("premedications", Premedication.objects.select_related("recorded_by")),
            Prefetch("handover_notes", HandoverNote.objects.select_related("written_by")),
            "patient__risk_flags",
            "patient__allergies",
        )
    )


def session_checklist(session: InfusionSession):
    return getattr(session, "checklist", None) if _has_checklist(session) else None


def _has_checklist(session: InfusionSession) -> bool:
    try:
        session.checklist  # noqa: B018 - the reverse one-to-one raises when missing
    except InfusionSession.checklist.RelatedObjectDoesNotExist:
        return False
    return True


def order_usage(order_id: int) -> dict:
    """Grams and mL given against an order so far (ended sessions)."""
    totals = InfusionSession.objects.filter(order_id=order_id, ended_at__isnull=False).aggregate(
        grams=Sum("grams_given"), volume=Sum("volume_given_ml")
    )
    return {"grams_given": totals["grams"] or Decimal(0), "volume_given_ml": totals["volume"] or Decimal(0)}


def worst_reaction(patient_ref: str) -> dict:
    """Annotations for the worst reaction of grade 2 or more of the patient at `patient_ref` (an
    OuterRef path) and when it was noted: what an order's `prior_reaction` check reads
    (registered with `infusions.providers`)."""
    worst = Reaction.objects.filter(session__patient=OuterRef(patient_ref), grade__gte=FLAG_GRADE).order_by(
        "-grade", "-noted_at"
    )
    return {
        "worst_reaction_grade": Subquery(worst.values("grade")[:1]),
        "worst_reaction_at": Subquery(worst.values("noted_at")[:1]),
    }


def order_reactions(order_id: int) -> list[dict]:
    """The reactions charted on an order's sessions, oldest first, as an authorization's clinical
    summary gives them to the insurer (kind, CTCAE grade, onset, action, outcome, day): one query."""
    rows = Reaction.objects.filter(session__order_id=order_id).order_by("noted_at", "pk")
    return [
        {
            "kind": r.kind,
            "grade": r.grade,
            "onset": r.onset,
            "action": r.action,
            "outcome": r.outcome,
            "noted_on": r.noted_at.date().isoformat(),
        }
        for r in rows.values_list("kind", "grade", "onset", "action", "outcome", "noted_at", named=True)
    ]
