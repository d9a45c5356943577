"""AdverseEvent: a reaction charted during (or after) an infusion, with its CTCAE v5 grade.

The grade is in the R4 backport of HL7's Adverse Event Clinical Research guide (`ae-grade`
extension, codes 1-5 of the adverse-event-clinical-research-grades code system), and also as R4's
coarse `severity` (1 mild, 2 moderate, 3-5 severe); grade 3 or more is `serious`.
"""

from charting.models import CTCAE_GRADES, InfusionSession, Reaction, ReactionOutcome
from charting.selectors import access_sessions
from fhir.mappers.common import drop_empty, instant, reference
from fhir.model_types import model_type
from fhir.registry import ResourceType, SearchParam, register
from fhir.search import filter_date, filter_reference, filter_token

GRADE_EXTENSION = "http://hl7.org/fhir/uv/ae-research-backport-ig/StructureDefinition/ae-grade"
GRADE_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-clinical-research-grades"
GRADE_NAMES = {1: "Mild", 2: "Moderate", 3: "Severe", 4: "Life Threatening or Disabling", 5: "Death"}
SEVERITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
SERIOUSNESS_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
OUTCOME_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
REACTION_KIND_SYSTEM = "urn:infusion-clinic:reaction-kind"
OUTCOMES = {
    ReactionOutcome.RESOLVED: "resolved",
    ReactionOutcome.RESOLVING: "recovering",
    ReactionOutcome.ONGOING: "ongoing",
    ReactionOutcome.TRANSFERRED: "ongoing",
    ReactionOutcome.FATAL: "fatal",
}


def severity(grade: int) -> str:
    return "mild" if grade <= 1 else "moderate" if grade == 2 else "severe"


def adverse_event_resource(reaction: Reaction) -> dict:
    session = reaction.session
    grade = reaction.grade
    level = severity(grade)
    serious = grade >= 3
    return drop_empty(
        {
            "resourceType": "AdverseEvent",
            "id": str(reaction.pk),
            "extension": [
                {
                    "url": GRADE_EXTENSION,
                    "valueCodeableConcept": {
                        "coding": [
                            {"system": GRADE_SYSTEM, "code": str(grade), "display": GRADE_NAMES[grade]}
                        ],
                        "text": f"CTCAE v5 grade {grade}: {CTCAE_GRADES[grade]}",
                    },
                }
            ],
            "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{reaction.client_id}"},
            "actuality": "actual",
            "event": {
                "coding": [
                    {
                        "system": REACTION_KIND_SYSTEM,
                        "code": reaction.kind,
                        "display": reaction.get_kind_display(),
                    }
                ],
                "text": f"Infusion reaction: {reaction.get_kind_display()} ({reaction.get_onset_display()})",
            },
            "subject": reference("Patient", session.patient_id),
            "encounter": reference("Encounter", f"infusion-session-{session.pk}"),
            "date": instant(reaction.noted_at),
            "recordedDate": instant(reaction.recorded_at),
            "seriousness": {
                "coding": [
                    {
                        "system": SERIOUSNESS_SYSTEM,
                        "code": "serious" if serious else "non-serious",
                        "display": "Serious" if serious else "Non-serious",
                    }
                ]
            },
            "severity": {
                "coding": [{"system": SEVERITY_SYSTEM, "code": level, "display": level.capitalize()}]
            },
            "outcome": {"coding": [{"system": OUTCOME_SYSTEM, "code": OUTCOMES[reaction.outcome]}]},
            "suspectEntity": [
                {"instance": {"display": str(session.order.product)}},
            ],
        }
    )


def _rows(request):
    sessions = access_sessions(request.user, InfusionSession.objects.all())
    return Reaction.objects.select_related("session__order__product").filter(session__in=sessions)


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
    "date": SearchParam(
        "date",
        "date",
        "When the reaction was noted (eq, ge, gt, le, lt).",
        lambda qs, values, query: filter_date(query, qs, "date", values, "noted_at"),
    ),
    "severity": SearchParam(
        "severity",
        "token",
        "mild (grade 1), moderate (2), severe (3 to 5).",
        lambda qs, values, query: filter_token(
            qs, "severity", values, {"mild": [1], "moderate": [2], "severe": [3, 4, 5]}, "grade"
        ),
    ),
    "grade": SearchParam(
        "grade",
        "token",
        "The CTCAE grade, 1 to 5.",
        lambda qs, values, query: filter_token(
            qs, "grade", values, {str(g): [g] for g in CTCAE_GRADES}, "grade"
        ),
    ),
}

read, search = model_type(
    "AdverseEvent",
    rows=_rows,
    to_resource=adverse_event_resource,
    params=PARAMS,
    patients=lambda row: [row.session.patient_id],
)

register(
    ResourceType(
        name="AdverseEvent",
        permission="charting.view_reaction",
        params=PARAMS,
        read=read,
        search=search,
        documentation="Infusion reactions with their CTCAE v5 grade (ae-grade extension) and R4 severity.",
    )
)
