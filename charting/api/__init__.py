"""Chairside REST API: /api/v1/sessions/ (check-in, checklist, premedication, start, end, discharge),
with vitals/, rate-changes/, reactions/ and lots/ under each session, and each vitals reading as a FHIR R4
Observation (vitals/{id}/fhir/, a redirect to /fhir/R4/Observation/vitals-{id}).

Every POST carries `client_id` (a UUID the client makes). Sending it again stores nothing and answers
with the first answer (same status and body, plus the `Idempotent-Replayed: true` header). The tablet
pages use these same endpoints.
"""

from charting.api.views import (
    ChairAssignmentViewSet,
    HandoverNoteViewSet,
    LotViewSet,
    RateChangeViewSet,
    ReactionViewSet,
    SessionViewSet,
    VitalsViewSet,
)


def register_routes(router) -> None:
    router.register("chair-assignments", ChairAssignmentViewSet, basename="chair-assignment")
    router.register("handover-notes", HandoverNoteViewSet, basename="handover-note")
    router.register("sessions", SessionViewSet, basename="session")
    nested = r"sessions/(?P<session_pk>\d+)"
    router.register(f"{nested}/vitals", VitalsViewSet, basename="session-vitals")
    router.register(f"{nested}/rate-changes", RateChangeViewSet, basename="session-rate-changes")
    router.register(f"{nested}/reactions", ReactionViewSet, basename="session-reactions")
    router.register(f"{nested}/lots", LotViewSet, basename="session-lots")
