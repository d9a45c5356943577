"""The chairside API's viewsets: sessions and their life, and the rows charted under each one."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from charting import fhir, selectors, services
from charting.api.inputs import (
    CheckInInput,
    ChecklistInput,
    EndInput,
    LotInput,
    PremedicationInput,
    RateChangeInput,
    ReactionInput,
    TransitionInput,
    VitalsInput,
)
from charting.api.serializers import (
    LotSerializer,
    RateChangeSerializer,
    ReactionSerializer,
    SessionSerializer,
    VitalsSerializer,
)
from charting.models import (
    InfusionSession,
    LotRecord,
    RateChange,
    Reaction,
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
    # A session's rows are few and answered whole, in charting order: no pages, no filters.
    pagination_class = None
    filter_backends = []

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

    @extend_schema(responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT})
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
