"""Chairside REST API: /api/v1/sessions/ (check-in, checklist, premedication, start, end, discharge),
with vitals/, rate-changes/, reactions/ and lots/ under each session, and each vitals reading as a FHIR R4
Observation (vitals/{id}/fhir/).

Every POST carries `client_id` (a UUID the client makes). Sending it again stores nothing and answers
with the first answer (same status and body, plus the `Idempotent-Replayed: true` header). The tablet
pages use these same endpoints.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from charting import fhir, selectors, services
from charting.models import (
    Checklist,
    Hydration,
    InfusionSession,
    LotRecord,
    Premedication,
    RateChange,
    RateKind,
    Reaction,
    ReactionAction,
    ReactionKind,
    ReactionOnset,
    ReactionOutcome,
    VitalsReading,
)
from clinic.api import REPLAY_HEADER, AuditedViewMixin
from infusions.models import InfusionPolicy
from scheduling.access import access_bookings
from scheduling.models import Booking


def _created(data, replayed: bool) -> Response:
    response = Response(data, status=status.HTTP_201_CREATED)
    if replayed:
        response[REPLAY_HEADER] = "true"
    return response


class _Charted(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)


class VitalsSerializer(_Charted):
    reaction_ids = serializers.SerializerMethodField()

    class Meta:
        model = VitalsReading
        fields = [
            "id",
            "client_id",
            "session",
            "phase",
            "taken_at",
            "systolic",
            "diastolic",
            "heart_rate",
            "temperature_c",
            "respiratory_rate",
            "spo2",
            "symptoms",
            "flags",
            "recorded_by",
            "recorded_at",
            "reaction_ids",
        ]

    def get_reaction_ids(self, reading) -> list[int]:
        return (
            [r.pk for r in reading.reactions.all()]
            if "reactions" in getattr(reading, "_prefetched_objects_cache", {})
            else []
        )


class RateChangeSerializer(_Charted):
    class Meta:
        model = RateChange
        fields = ["id", "client_id", "session", "kind", "at", "rate_ml_per_hour", "reason", "over_cap"]
        fields += ["recorded_by", "recorded_at"]


class ReactionSerializer(_Charted):
    vitals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Reaction
        fields = [
            "id",
            "client_id",
            "session",
            "kind",
            "onset",
            "grade",
            "action",
            "medication",
            "outcome",
            "noted_at",
            "note",
            "vitals",
            "recorded_by",
            "recorded_at",
        ]


class LotSerializer(_Charted):
    class Meta:
        model = LotRecord
        fields = ["id", "client_id", "session", "lot_number", "vial_size_g", "vials", "expiry"]
        fields += ["recorded_by", "recorded_at"]


class PremedicationSerializer(_Charted):
    class Meta:
        model = Premedication
        fields = [
            "id",
            "client_id",
            "session",
            "drug",
            "dose",
            "route",
            "given_at",
            "recorded_by",
            "recorded_at",
        ]


class ChecklistSerializer(_Charted):
    class Meta:
        model = Checklist
        fields = [
            "id",
            "client_id",
            "session",
            "identity_confirmed",
            "weight_kg",
            "hydration",
            "egfr_reviewed",
            "checks_acknowledged",
            "note",
            "recorded_by",
            "recorded_at",
        ]


class SessionSerializer(serializers.ModelSerializer):
    patient_name = serializers.SerializerMethodField()
    chair = serializers.CharField(source="booking.chair.label", read_only=True)
    product = serializers.CharField(source="order.product.brand", read_only=True)
    checklist = serializers.SerializerMethodField()
    premedications = PremedicationSerializer(many=True, read_only=True)
    vitals = VitalsSerializer(many=True, read_only=True)
    rate_changes = RateChangeSerializer(many=True, read_only=True)
    reactions = ReactionSerializer(many=True, read_only=True)
    lots = LotSerializer(many=True, read_only=True)
    schedule = serializers.SerializerMethodField()
    next_due = serializers.SerializerMethodField()

    class Meta:
        model = InfusionSession
        fields = [
            "id",
            "booking",
            "order",
            "patient",
            "patient_name",
            "chair",
            "product",
            "cycle",
            "day",
            "status",
            "checked_in_at",
            "started_at",
            "ended_at",
            "discharged_at",
            "order_weight_kg",
            "weight_kg",
            "dose_recomputed",
            "protocol_name",
            "planned_grams",
            "planned_volume_ml",
            "rate_cap_ml_per_hour",
            "schedule",
            "volume_given_ml",
            "grams_given",
            "next_due",
            "checklist",
            "premedications",
            "vitals",
            "rate_changes",
            "reactions",
            "lots",
        ]

    def get_patient_name(self, session) -> str:
        return f"{session.patient.given_name} {session.patient.family_name}"

    def get_checklist(self, session) -> dict | None:
        checklist = selectors.session_checklist(session)
        return ChecklistSerializer(checklist).data if checklist else None

    def get_schedule(self, session) -> list[dict]:
        return [
            {
                "at": row["at"].isoformat() if row["at"] else None,
                "minutes": str(row["minutes"]),
                "rate_ml_per_hour": str(row["rate"]),
                "capped": row["capped"],
            }
            for row in selectors.plan_clock(session)
        ]

    def get_next_due(self, session) -> list[dict]:
        policy = self.context["policy"]  # loaded once per request by the view
        return [
            {"what": d.what, "at": d.at.isoformat() if d.at else None, "text": d.text, "overdue": d.overdue}
            for d in selectors.next_due(session, policy=policy)
        ]


# Inputs: types only; the rules are the services'.


class _Submission(serializers.Serializer):
    client_id = serializers.UUIDField()


class CheckInInput(_Submission):
    booking = serializers.PrimaryKeyRelatedField(queryset=Booking.objects.select_related("site", "patient"))
    at = serializers.DateTimeField(required=False, allow_null=True)


class TransitionInput(_Submission):
    at = serializers.DateTimeField(required=False, allow_null=True)


class EndInput(TransitionInput):
    volume_given_ml = serializers.DecimalField(
        max_digits=7, decimal_places=1, required=False, allow_null=True
    )


class ChecklistInput(_Submission):
    identity_confirmed = serializers.BooleanField()
    weight_kg = serializers.DecimalField(max_digits=6, decimal_places=2)
    hydration = serializers.ChoiceField(choices=Hydration.choices)
    egfr_reviewed = serializers.BooleanField()
    checks_acknowledged = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class PremedicationInput(_Submission):
    drug = serializers.CharField(max_length=80)
    dose = serializers.CharField(max_length=40)
    route = serializers.CharField(max_length=10, default="PO")
    given_at = serializers.DateTimeField()


class VitalsInput(_Submission):
    taken_at = serializers.DateTimeField()
    systolic = serializers.IntegerField()
    diastolic = serializers.IntegerField()
    heart_rate = serializers.IntegerField()
    spo2 = serializers.IntegerField()
    temperature_c = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    respiratory_rate = serializers.IntegerField(required=False, allow_null=True)
    symptoms = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class RateChangeInput(_Submission):
    kind = serializers.ChoiceField(
        choices=RateKind.choices, help_text="start comes with the session's start/."
    )
    at = serializers.DateTimeField()
    rate_ml_per_hour = serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    confirm_over_cap = serializers.BooleanField(default=False)


class ReactionInput(_Submission):
    kind = serializers.ChoiceField(choices=ReactionKind.choices)
    grade = serializers.IntegerField()
    action = serializers.ChoiceField(choices=ReactionAction.choices)
    outcome = serializers.ChoiceField(choices=ReactionOutcome.choices)
    noted_at = serializers.DateTimeField()
    onset = serializers.ChoiceField(choices=ReactionOnset.choices, default=ReactionOnset.DURING)
    medication = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    vitals_ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)


class LotInput(_Submission):
    lot_number = serializers.CharField(max_length=40)
    vial_size_g = serializers.DecimalField(max_digits=6, decimal_places=2)
    vials = serializers.IntegerField(min_value=1, max_value=50, default=1)
    expiry = serializers.DateField()


def _parse(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class SessionViewSet(
    AuditedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Chairside sessions of the caller's sites. POST checks a booking's patient in (the session begins)."""

    serializer_class = SessionSerializer
    permission_model = InfusionSession
    audit_label = "infusion session"
    filterset_fields = ["status", "order", "patient", "booking"]

    def audit_subject(self, obj):
        return obj.patient

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema has no user
            return InfusionSession.objects.none()
        return selectors.access_sessions(self.request.user, selectors.session_detail())

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "policy": InfusionPolicy.current(),
        }

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self.audit_shown(page, "list")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        session = self.get_object()
        self.audit_shown([session], "view")
        return Response(self.get_serializer(session).data)

    def _shown(self, session_id: int, replayed: bool) -> Response:
        session = self.get_queryset().get(pk=session_id)
        return _created(self.get_serializer(session).data, replayed)

    @extend_schema(request=CheckInInput, responses={201: SessionSerializer})
    def create(self, request, *args, **kwargs):
        data = _parse(CheckInInput, request)
        booking = data.pop("booking")
        if not access_bookings(request.user, Booking.objects.filter(pk=booking.pk)).exists():
            return Response(
                {"code": "not_found", "detail": "No such booking at your sites.", "fields": {}}, status=404
            )
        session, replayed = services.session_check_in(booking=booking, by=request.user, **data)
        return self._shown(session.pk, replayed)

    @extend_schema(request=ChecklistInput, responses={201: SessionSerializer})
    @action(detail=True, methods=["post"])
    def checklist(self, request, pk=None):
        """The pre-infusion checklist and today's weight (over 5% off the order's: the dose is recomputed)."""
        session = self.get_object()
        _, replayed = services.checklist_record(
            session=session, by=request.user, **_parse(ChecklistInput, request)
        )
        return self._shown(session.pk, replayed)

    @extend_schema(request=PremedicationInput, responses={201: SessionSerializer})
    @action(detail=True, methods=["post"])
    def premedications(self, request, pk=None):
        """A premedication given, with its time."""
        session = self.get_object()
        _, replayed = services.premedication_record(
            session=session, by=request.user, **_parse(PremedicationInput, request)
        )
        return self._shown(session.pk, replayed)

    @extend_schema(request=TransitionInput, responses={201: SessionSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start the infusion at the plan's first rate; the schedule gets its clock times."""
        session = self.get_object()
        _, replayed = services.session_start(
            session=session, by=request.user, **_parse(TransitionInput, request)
        )
        return self._shown(session.pk, replayed)

    @extend_schema(request=EndInput, responses={201: SessionSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the infusion (observation begins); volume and grams given are recorded."""
        session = self.get_object()
        _, replayed = services.session_end(session=session, by=request.user, **_parse(EndInput, request))
        return self._shown(session.pk, replayed)

    @extend_schema(request=TransitionInput, responses={201: SessionSerializer})
    @action(detail=True, methods=["post"])
    def discharge(self, request, pk=None):
        """Discharge after observation vitals; the booking is completed."""
        session = self.get_object()
        _, replayed = services.session_discharge(
            session=session, by=request.user, **_parse(TransitionInput, request)
        )
        return self._shown(session.pk, replayed)


class _SessionRows(
    AuditedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Rows charted on one session of the caller's sites: list, read, and POST (idempotent by client_id)."""

    input_class: type[serializers.Serializer]
    record = None  # the service

    def audit_subject(self, obj):
        return self.session.patient

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        sessions = selectors.access_sessions(request.user, selectors.session_list())
        self.session = get_object_or_404(sessions, pk=kwargs["session_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema has no session
            return self.permission_model.objects.none()
        return self.permission_model.objects.filter(session=self.session).select_related("recorded_by")

    def list(self, request, *args, **kwargs):
        rows = list(self.get_queryset())
        self.audit_shown([self.session], "list")
        return Response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        self.audit_shown([self.session], "view")
        return Response(self.get_serializer(row).data)

    def create(self, request, *args, **kwargs):
        row, replayed = type(self).record(
            session=self.session, by=request.user, **_parse(self.input_class, request)
        )
        return _created(self.get_serializer(row).data, replayed)


class VitalsViewSet(_SessionRows):
    """Vitals sets: impossible values are refused with a message per field; abnormal ones come back with
    `flags`. `{id}/fhir/` is the reading as a FHIR R4 Observation (vital-signs panel)."""

    serializer_class = VitalsSerializer
    permission_model = VitalsReading
    input_class = VitalsInput
    record = staticmethod(services.vitals_record)
    audit_label = "vitals"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("reactions")

    @extend_schema(request=VitalsInput, responses={201: VitalsSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def fhir(self, request, session_pk=None, pk=None):
        """The reading as a FHIR R4 Observation (LOINC codes, UCUM units)."""
        reading = self.get_object()
        self.audit_shown([self.session], "fhir export")
        return Response(fhir.vitals_observation(reading, self.session), content_type="application/fhir+json")


class RateChangeViewSet(_SessionRows):
    """Rate changes: step up, hold, slow, pause, resume, stop (start comes with the session's start)."""

    serializer_class = RateChangeSerializer
    permission_model = RateChange
    input_class = RateChangeInput
    record = staticmethod(services.rate_change_record)
    audit_label = "rate changes"

    @extend_schema(request=RateChangeInput, responses={201: RateChangeSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class ReactionViewSet(_SessionRows):
    """Reactions with CTCAE grade; grade 2 or more flags the patient and the order's next plan."""

    serializer_class = ReactionSerializer
    permission_model = Reaction
    input_class = ReactionInput
    record = staticmethod(services.reaction_record)
    audit_label = "reactions"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("vitals")

    @extend_schema(request=ReactionInput, responses={201: ReactionSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class LotViewSet(_SessionRows):
    """Product lots: lot number, vial size and expiry per vial (or vials of one lot); expired lots refused."""

    serializer_class = LotSerializer
    permission_model = LotRecord
    input_class = LotInput
    record = staticmethod(services.lot_record)
    audit_label = "lots"

    @extend_schema(request=LotInput, responses={201: LotSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


def register_routes(router) -> None:
    router.register("sessions", SessionViewSet, basename="session")
    nested = r"sessions/(?P<session_pk>\d+)"
    router.register(f"{nested}/vitals", VitalsViewSet, basename="session-vitals")
    router.register(f"{nested}/rate-changes", RateChangeViewSet, basename="session-rate-changes")
    router.register(f"{nested}/reactions", ReactionViewSet, basename="session-reactions")
    router.register(f"{nested}/lots", LotViewSet, basename="session-lots")
