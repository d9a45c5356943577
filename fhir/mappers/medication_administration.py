"""MedicationAdministration: one per constant-rate period of an infusion, with its lots.

A period starts at a rate change that sets a flowing rate other than the one before (the start, a
step up, a slow-down, a resume; a hold keeps the period going) and ends at the next change of rate
(a pause or stop is rate 0), or when the infusion ended; a period still running is `in-progress`.
Its id is the id of the rate change that began it. The lots used in the session are contained
Medications (product code, lot number, expiry); the volume a closed period gave is its dose.
"""

from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery

from charting.models import InfusionSession, RateChange
from charting.selectors import access_sessions
from fhir.mappers.common import drop_empty, instant, number, quantity, reference
from fhir.mappers.medication_request import medication_concept, route_concept
from fhir.model_types import model_type
from fhir.registry import ResourceType, SearchParam, register
from fhir.search import filter_date, filter_reference, token_codes


def _before() -> Q:
    return Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk"))


def _after() -> Q:
    return Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk"))


def periods():
    """The rate changes that begin a period, each with `ends_at` (the next change of rate, or None)."""
    same_session = RateChange.objects.filter(session=OuterRef("session"))
    previous_rate = same_session.filter(_before()).order_by("-at", "-pk").values("rate_ml_per_hour")[:1]
    next_change = (
        same_session.filter(_after())
        .exclude(rate_ml_per_hour=OuterRef("rate_ml_per_hour"))
        .order_by("at", "pk")
        .values("at")[:1]
    )
    return (
        RateChange.objects.annotate(
            previous_rate=Subquery(previous_rate), next_change_at=Subquery(next_change)
        )
        .filter(rate_ml_per_hour__gt=0)
        .filter(Q(previous_rate__isnull=True) | ~Q(previous_rate=F("rate_ml_per_hour")))
        .select_related("session__order__product")
        .prefetch_related("session__lots")
    )


def medication_administration_resource(change: RateChange) -> dict:
    session = change.session
    product = session.order.product
    ends_at = change.next_change_at or session.ended_at
    lots = sorted(session.lots.all(), key=lambda lot: (lot.recorded_at, lot.pk))
    contained = [
        {
            "resourceType": "Medication",
            "id": f"lot{lot.pk}",
            "code": medication_concept(product),
            "batch": {"lotNumber": lot.lot_number, "expirationDate": lot.expiry.isoformat()},
            "amount": {
                "numerator": quantity(lot.vial_size_g * lot.vials, "g"),
                "denominator": {"value": lot.vials, "unit": "vial"},
            },
        }
        for lot in lots
    ]
    dosage = {
        "route": route_concept(product.route),
        "rateQuantity": quantity(change.rate_ml_per_hour, "mL/h"),
    }
    if ends_at is not None:
        hours = Decimal((ends_at - change.at).total_seconds()) / Decimal(3600)
        dosage["dose"] = quantity((change.rate_ml_per_hour * hours).quantize(Decimal("0.1")), "mL")
    medication = (
        {"medicationReference": {"reference": f"#{contained[0]['id']}"}}
        if contained
        else {"medicationCodeableConcept": medication_concept(product)}
    )
    return drop_empty(
        {
            "resourceType": "MedicationAdministration",
            "id": str(change.pk),
            "contained": contained,
            "status": "completed" if ends_at is not None else "in-progress",
            **medication,
            "subject": reference("Patient", session.patient_id),
            "context": reference("Encounter", f"infusion-session-{session.pk}"),
            "supportingInformation": [{"reference": f"#{lot['id']}"} for lot in contained[1:]],
            "effectivePeriod": drop_empty({"start": instant(change.at), "end": instant(ends_at)}),
            "request": reference("MedicationRequest", session.order_id),
            "note": [{"text": change.reason}] if change.reason else [],
            "dosage": drop_empty(
                {**dosage, "text": f"{number(change.rate_ml_per_hour)} mL/h ({change.kind})"}
            ),
        }
    )


def _rows(request):
    sessions = access_sessions(request.user, InfusionSession.objects.all())
    return periods().filter(session__in=sessions)


def _status(queryset, values, query):
    running = Q(next_change_at__isnull=True, session__ended_at__isnull=True)
    known = {
        "in-progress": ["running"],
        "completed": ["closed"],
        "not-done": [],
        "on-hold": [],
        "entered-in-error": [],
        "stopped": [],
        "unknown": [],
    }
    for alternatives in token_codes("status", values, known):
        wanted = {state for group in alternatives for state in group}
        if wanted == {"running"}:
            queryset = queryset.filter(running)
        elif wanted == {"closed"}:
            queryset = queryset.exclude(running)
        elif not wanted:
            return queryset.none()
    return queryset


PARAMS = {
    "patient": SearchParam(
        "patient",
        "reference",
        "The patient (Patient/id or id).",
        lambda qs, values, query: filter_reference(qs, "patient", values, "Patient", "session__patient_id"),
    ),
    "subject": SearchParam(
        "subject",
        "reference",
        "Same as patient.",
        lambda qs, values, query: filter_reference(qs, "subject", values, "Patient", "session__patient_id"),
    ),
    "request": SearchParam(
        "request",
        "reference",
        "The treatment order (MedicationRequest/id).",
        lambda qs, values, query: filter_reference(
            qs, "request", values, "MedicationRequest", "session__order_id"
        ),
    ),
    "effective-time": SearchParam(
        "effective-time",
        "date",
        "When the period began (eq, ge, gt, le, lt).",
        lambda qs, values, query: filter_date(query, qs, "effective-time", values, "at"),
    ),
    "date": SearchParam(
        "date",
        "date",
        "Same as effective-time.",
        lambda qs, values, query: filter_date(query, qs, "date", values, "at"),
    ),
    "status": SearchParam("status", "token", "in-progress (still running) or completed.", _status),
}

read, search = model_type(
    "MedicationAdministration",
    rows=_rows,
    to_resource=medication_administration_resource,
    params=PARAMS,
    patients=lambda row: [row.session.patient_id],
)

register(
    ResourceType(
        name="MedicationAdministration",
        permission="charting.view_ratechange",
        params=PARAMS,
        read=read,
        search=search,
        documentation="One per constant-rate period of an infusion (rate in mL/h, volume given, the lots).",
    )
)
