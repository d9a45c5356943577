"""The chairside API's viewsets: sessions and their life, and the rows charted under each one."""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from charting import selectors, services
from charting.api.inputs import (
    ChairAssignmentInput,
    CheckInInput,
    ChecklistInput,
    DischargeInput,
    EndInput,
    FlagAnswerInput,
    HandoverNoteInput,
    LotInput,
    PremedicationAsOrderedInput,
    PremedicationInput,
    RateChangeInput,
    ReactionInput,
    ScanInput,
    TransitionInput,
    VitalsInput,
)
from charting.api.serializers import (
    ChairAssignmentSerializer,
    HandoverNoteSerializer,
    LotSerializer,
    RateChangeSerializer,
    ReactionSerializer,
    SessionSerializer,
    VitalsSerializer,
)
from charting.models import (
    ChairAssignment,
    HandoverNote,
    InfusionSession,
    LotRecord,
    RateChange,
    Reaction,
    VitalsReading,
)
from charting.vial_barcode import BarcodeError, vial_from_barcode
from clinic.api import REPLAY_HEADER, AuditedViewMixin
from infusions.models import InfusionPolicy
from scheduling.access import access_bookings, access_chairs, access_sites
from scheduling.models import Booking, Chair


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

    @extend_schema(request=PremedicationAsOrderedInput, responses={201: SessionSerializer})
    @action(detail=True, methods=["post"], url_path="premedications/as-ordered")
    def premedications_as_ordered(self, request, pk=None):
        """Give as ordered: each medication of the order's premedication, recorded in one step."""
        session = self.get_object()
        _, replayed = services.premedication_as_ordered(
            session=session, by=request.user, **_parse(PremedicationAsOrderedInput, request)
        )
        return self._shown(session.pk, replayed)

    @extend_schema(request=DischargeInput, responses={201: SessionSerializer})
    @action(detail=True, methods=["post"])
    def discharge(self, request, pk=None):
        """Discharge after observation vitals; the booking is completed. Early (before the observation
        time is over) or with a reaction not resolved, it needs a reason."""
        session = self.get_object()
        _, replayed = services.session_discharge(
            session=session, by=request.user, **_parse(DischargeInput, request)
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
    `flags`. `{id}/fhir/` redirects to the reading as a FHIR R4 Observation (/fhir/R4/Observation/...)."""

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

    @extend_schema(request=FlagAnswerInput, responses={201: VitalsSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, session_pk=None, pk=None):
        """Answer a flagged reading: slowed (with the slower rate), paused, reaction, or continued (with a
        reason). Slowed and paused set the pump too."""
        reading = self.get_object()
        reading, replayed = services.vitals_flag_answer(
            reading=reading, by=request.user, **_parse(FlagAnswerInput, request)
        )
        return _created(self.get_serializer(self.get_queryset().get(pk=reading.pk)).data, replayed)

    @extend_schema(
        responses={
            301: OpenApiResponse(
                description="Moved: the reading is /fhir/R4/Observation/vitals-{id} (Location)."
            ),
            # What a client that follows the redirect gets.
            (200, "application/fhir+json"): OpenApiTypes.OBJECT,
        }
    )
    @action(detail=True, methods=["get"])
    def fhir(self, request, session_pk=None, pk=None):
        """Moved to the FHIR interface: answers 301 to /fhir/R4/Observation/vitals-{id}, where the reading
        is the FHIR R4 Observation it always was (the mapping lives in fhir/, one per resource type)."""
        reading = self.get_object()
        return HttpResponsePermanentRedirect(f"/fhir/R4/Observation/vitals-{reading.pk}")


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

    @extend_schema(request=ScanInput, responses={200: dict})
    @action(detail=False, methods=["post"])
    def scan(self, request, session_pk=None):
        """Read a vial's GS1 barcode: `{gtin, lot_number, expiry}` to fill the lot form. Nothing is
        stored; a vial of another product than the order's is refused (400 `wrong_product`)."""
        code = _parse(ScanInput, request)["code"]
        try:
            vial = vial_from_barcode(code)
        except BarcodeError as exc:
            return Response({"code": "barcode_invalid", "detail": str(exc), "fields": {}}, status=400)
        services.vial_check(session=self.session, gtin=vial.gtin)
        return Response(
            {"gtin": vial.gtin, "lot_number": vial.lot_number, "expiry": vial.expiry.isoformat()}, status=200
        )


class ChairAssignmentViewSet(AuditedViewMixin, viewsets.GenericViewSet):
    """The caller picks a chair of her site for today (taking it over), or gives it back (`release`)."""

    permission_model = InfusionSession  # those who chart pick chairs
    serializer_class = ChairAssignmentSerializer

    def get_queryset(self):
        return ChairAssignment.objects.none()

    @extend_schema(request=ChairAssignmentInput, responses={201: ChairAssignmentSerializer, 200: dict})
    def create(self, request, *args, **kwargs):
        data = _parse(ChairAssignmentInput, request)
        chair = data["chair"]
        if not access_chairs(request.user, Chair.objects.filter(pk=chair.pk)).exists():
            return Response(
                {"code": "not_found", "detail": "No such chair at your sites.", "fields": {}}, status=404
            )
        if data["release"]:
            released = services.chair_release(chair=chair, nurse=request.user)
            return Response({"released": released}, status=200)
        assignment = services.chair_take(chair=chair, nurse=request.user)
        return Response(ChairAssignmentSerializer(assignment).data, status=201)


class HandoverNoteViewSet(AuditedViewMixin, viewsets.GenericViewSet):
    """Handover notes: for the shift at a site, or for one session (`session`)."""

    permission_model = InfusionSession
    serializer_class = HandoverNoteSerializer
    audit_label = "handover notes"

    def get_queryset(self):
        return HandoverNote.objects.none()

    @extend_schema(request=HandoverNoteInput, responses={201: HandoverNoteSerializer})
    def create(self, request, *args, **kwargs):
        data = _parse(HandoverNoteInput, request)
        if not access_sites(request.user).filter(pk=data["site"].pk).exists():
            return Response(
                {"code": "not_found", "detail": "No such site among yours.", "fields": {}}, status=404
            )
        note, replayed = services.handover_note_record(by=request.user, **data)
        return _created(HandoverNoteSerializer(note).data, replayed)
