"""Staff REST API of the chair calendar: /api/v1/sites/, chairs/, bookings/ and availability/.

Serializers only parse and present; every write goes through scheduling.services, which answers a
refused booking with a 409 whose `code` says why (chair_conflict, patient_conflict, nurse_capacity,
start_limit, outside_hours, off_grid).
"""

from datetime import timedelta

import django_filters
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.api import AuditedModelViewSet
from clinic.audit import bind_actor
from clinic.db import validated_save
from clinic.fields import AwareDateTimeField, AwareDateTimeFilter
from patients.models import Patient
from scheduling import access, selectors, services
from scheduling.availability import MAX_RANGE_DAYS, find_slots
from scheduling.models import MAX_SESSION, Booking, BookingStatus, Chair, ChairKind, OpeningHours, Site


class OpeningHoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]


class SiteSerializer(serializers.ModelSerializer):
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "time_zone",
            "address",
            "phone",
            "grid_minutes",
            "patients_per_nurse",
            "starts_per_nurse_per_slot",
            "flatten_peak",
            "opening_hours",
        ]
        validators = []
        extra_kwargs = {"name": {"validators": []}, "time_zone": {"validators": []}}


class ChairSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chair
        fields = ["id", "site", "name", "kind", "is_active"]
        validators = []

    def validate_site(self, site):
        # Bookings carry their chair's site; a chair that moved would take its bookings elsewhere.
        if self.instance is not None and site.pk != self.instance.site_id:
            raise ValidationError("A chair cannot move to another site; add a new chair.", code="site_change")
        return site


class WriteOnSaveMixin:
    """Sites and chairs are plain records: saved through the model's own validation and constraints."""

    def perform_create(self, serializer):
        serializer.instance = validated_save(serializer.Meta.model(**serializer.validated_data))

    def perform_update(self, serializer):
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        validated_save(serializer.instance)


class SiteViewSet(WriteOnSaveMixin, viewsets.ModelViewSet):
    """Clinic sites with their time zone, grid, nurse ratios and opening hours. Managers write."""

    serializer_class = SiteSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    search_fields = ["name"]
    filterset_fields = ["time_zone"]
    queryset = Site.objects.none()  # for the permission class; get_queryset scopes by user

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Site.objects.none()
        return access.access_sites(self.request.user).prefetch_related("opening_hours")


class ChairViewSet(WriteOnSaveMixin, viewsets.ModelViewSet):
    """Chairs (recliners or beds) of a site. Managers write; staff read the chairs of their sites."""

    serializer_class = ChairSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["site", "kind", "is_active"]
    search_fields = ["name"]
    queryset = Chair.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Chair.objects.none()
        return access.access_chairs(self.request.user, Chair.objects.all())


class BookingSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)
    chair_name = serializers.CharField(source="chair.name", read_only=True)
    patient_name = serializers.SerializerMethodField()
    patient_mrn = serializers.CharField(source="patient.mrn", read_only=True)
    time_zone = serializers.CharField(source="site.time_zone", read_only=True)
    local_start = serializers.SerializerMethodField()
    local_end = serializers.SerializerMethodField()
    duration_minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "site",
            "site_name",
            "chair",
            "chair_name",
            "patient",
            "patient_name",
            "patient_mrn",
            "start",
            "end",
            "time_zone",
            "local_start",
            "local_end",
            "duration_minutes",
            "status",
            "note",
            "cancel_reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_patient_name(self, booking) -> str:
        return f"{booking.patient.family_name}, {booking.patient.given_name}"

    def get_local_start(self, booking) -> str:
        return booking.start.astimezone(booking.site.zone).isoformat()

    def get_local_end(self, booking) -> str:
        return booking.end.astimezone(booking.site.zone).isoformat()


class BookingCreateSerializer(serializers.Serializer):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), required=False)
    chair = serializers.PrimaryKeyRelatedField(queryset=Chair.objects.select_related("site"))
    patient = serializers.PrimaryKeyRelatedField(queryset=Patient.objects.all())
    start = AwareDateTimeField()
    end = AwareDateTimeField(required=False)
    duration_minutes = serializers.IntegerField(required=False, min_value=1, max_value=24 * 60)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    def validate(self, attrs):
        # A field this endpoint does not take is refused, not dropped: a client that sends `order_ref`
        # believes it links the booking to an order, and only the order's book/ action does that.
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise ValidationError(
                {
                    name: ValidationError(
                        "Bookings do not take this field. To book an order's cycle, POST "
                        "/api/v1/orders/{id}/book/."
                        if name == "order_ref"
                        else "Bookings do not take this field.",
                        code="unknown_field",
                    )
                    for name in unknown
                }
            )
        return attrs


class RescheduleSerializer(serializers.Serializer):
    start = AwareDateTimeField()
    end = AwareDateTimeField(required=False)
    chair = serializers.PrimaryKeyRelatedField(queryset=Chair.objects.select_related("site"), required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class BookingReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class BookingStatusChangeSerializer(serializers.Serializer):
    # A booking never goes back to "booked"; the services say which of these may follow which.
    status = serializers.ChoiceField(
        choices=[c for c in BookingStatus.choices if c[0] != BookingStatus.BOOKED]
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class BookingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=BookingStatus.choices)
    starts_after = AwareDateTimeFilter(field_name="start", lookup_expr="gte")
    starts_before = AwareDateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = Booking
        fields = ["site", "chair", "patient", "status"]


class BookingViewSet(AuditedModelViewSet):
    """Chair bookings. Create with POST; change only through reschedule, cancel, no-show and status.

    A refused booking is a 409 with `code` chair_conflict, patient_conflict, nurse_capacity, start_limit,
    outside_hours or off_grid, and `conflict` naming the booking or time in the way.
    """

    serializer_class = BookingSerializer
    filterset_class = BookingFilter
    permission_model = Booking
    search_fields = ["patient__mrn", "patient__family_name"]
    ordering_fields = ["start", "created_at"]
    http_method_names = ["get", "post", "head", "options"]
    audit_label = "booking"
    lookup_value_regex = r"\d+"
    queryset = Booking.objects.none()

    def audit_subject(self, obj):
        return obj.patient

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        return access.access_bookings(self.request.user, selectors.booking_list())

    def _fresh(self, booking: Booking) -> Response:
        return Response(self.get_serializer(selectors.booking_list().get(pk=booking.pk)).data)

    @extend_schema(
        request=BookingCreateSerializer,
        responses={201: BookingSerializer},
        examples=[
            OpenApiExample(
                "Four hours in chair 3",
                value={
                    "chair": 3,
                    "patient": 42,
                    "start": "2027-03-02T10:00:00-05:00",
                    "duration_minutes": 240,
                },
                request_only=True,
            ),
            OpenApiExample(
                "The booking made",
                value={
                    "id": 12,
                    "site": 1,
                    "site_name": "Riverside Infusion Center",
                    "chair": 3,
                    "chair_name": "R3",
                    "patient": 42,
                    "patient_name": "Whitfield, Ada",
                    "patient_mrn": "MRN-0042",
                    "start": "2027-03-02T15:00:00Z",
                    "end": "2027-03-02T19:00:00Z",
                    "time_zone": "America/New_York",
                    "local_start": "2027-03-02T10:00:00-05:00",
                    "local_end": "2027-03-02T14:00:00-05:00",
                    "duration_minutes": 240,
                    "status": "booked",
                    "note": "",
                    "cancel_reason": "",
                    "created_at": "2027-02-20T14:03:11Z",
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        form = BookingCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        booking = services.booking_create(**form.validated_data, created_by=request.user)
        # The new booking holds its site, chair and patient already: no need to read it back.
        return Response(self.get_serializer(booking).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RescheduleSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        booking = self.get_object()
        form = RescheduleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        booking = services.booking_reschedule(
            booking=booking,
            start=data["start"],
            end=data.get("end"),
            chair=data.get("chair"),
            by=request.user,
            reason=data["reason"],
        )
        return self._fresh(booking)

    @extend_schema(request=BookingReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = self.get_object()
        form = BookingReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._fresh(
            services.booking_cancel(booking=booking, reason=form.validated_data["reason"], by=request.user)
        )

    @extend_schema(request=BookingReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        booking = self.get_object()
        form = BookingReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        booking = services.booking_mark_no_show(
            booking=booking, by=request.user, reason=form.validated_data["reason"]
        )
        return self._fresh(booking)

    @extend_schema(request=BookingStatusChangeSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        booking = self.get_object()
        form = BookingStatusChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        booking = services.booking_set_status(booking=booking, by=request.user, **form.validated_data)
        return self._fresh(booking)


WEEKDAY_NAMES = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


class AvailabilityQuerySerializer(serializers.Serializer):
    site = serializers.IntegerField(required=False, help_text="A site id; all your sites when left out.")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=int(MAX_SESSION.total_seconds() // 60))
    date_from = serializers.DateField()
    date_to = serializers.DateField(
        required=False, help_text="Inclusive; 14 days after date_from if left out."
    )
    weekdays = serializers.CharField(
        required=False, help_text="Comma-separated: mon,tue,... or 0 (Monday) to 6 (Sunday)."
    )
    part_of_day = serializers.ChoiceField(choices=["morning", "afternoon"], required=False)
    chair_type = serializers.ChoiceField(choices=ChairKind.choices, required=False)
    patient = serializers.IntegerField(required=False, help_text="Leave out times this patient is booked.")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10)

    def validate_weekdays(self, value):
        days = set()
        for part in value.lower().split(","):
            part = part.strip()[:3]
            if part.isdigit() and 0 <= int(part) <= 6:
                days.add(int(part))
            elif part in WEEKDAY_NAMES:
                days.add(WEEKDAY_NAMES[part])
            elif part:
                raise ValidationError(
                    "%(day)s is not a weekday.", code="weekday_invalid", params={"day": part}
                )
        return days

    def validate(self, attrs):
        date_from = attrs["date_from"]
        date_to = attrs.setdefault("date_to", date_from + timedelta(days=13))
        if date_to < date_from:
            raise ValidationError(
                {"date_to": ValidationError("date_to is before date_from.", code="end_before_start")}
            )
        if (date_to - date_from).days >= MAX_RANGE_DAYS:
            raise ValidationError(
                {
                    "date_to": ValidationError(
                        f"Search at most {MAX_RANGE_DAYS} days at once.", code="range_too_long"
                    )
                }
            )
        return attrs


class SlotSerializer(serializers.Serializer):
    site = serializers.IntegerField(source="site.pk")
    site_name = serializers.CharField(source="site.name")
    chair = serializers.IntegerField(source="chair.pk")
    chair_name = serializers.CharField(source="chair.name")
    chair_type = serializers.CharField(source="chair.kind")
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    time_zone = serializers.CharField(source="site.time_zone")
    local_start = serializers.SerializerMethodField()
    local_end = serializers.SerializerMethodField()
    peak_load = serializers.FloatField(help_text="Booked patients over nurse capacity at the busiest moment.")

    def get_local_start(self, slot) -> str:
        return slot.local_start.isoformat()

    def get_local_end(self, slot) -> str:
        return slot.local_end.isoformat()


@extend_schema_serializer(many=False)  # one object, though the `list` action answers it
class SlotListSerializer(serializers.Serializer):
    """What availability answers: the ranked slots (not paged: `limit` bounds them) and how many."""

    count = serializers.IntegerField()
    results = SlotSerializer(many=True)


class AvailabilityViewSet(viewsets.ViewSet):
    """The first bookable slots for a session: GET /api/v1/availability/?duration_minutes=240&date_from=..."""

    queryset = Booking.objects.none()  # HasModelPermission: reading availability needs view_booking

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bind_actor(request.user)

    @extend_schema(parameters=[AvailabilityQuerySerializer], responses=SlotListSerializer)
    def list(self, request):
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        sites = access.access_sites(request.user)
        if "site" in q:
            sites = sites.filter(pk=q["site"])
        slots = find_slots(
            sites=sites,
            duration_minutes=q["duration_minutes"],
            date_from=q["date_from"],
            date_to=q["date_to"],
            weekdays=q.get("weekdays"),
            part_of_day=q.get("part_of_day"),
            chair_kind=q.get("chair_type"),
            patient_id=q.get("patient"),
            limit=q["limit"],
        )
        return Response({"count": len(slots), "results": SlotSerializer(slots, many=True).data})


def register_routes(router) -> None:
    router.register("sites", SiteViewSet, basename="site")
    router.register("chairs", ChairViewSet, basename="chair")
    router.register("bookings", BookingViewSet, basename="booking")
    router.register("availability", AvailabilityViewSet, basename="availability")
    from scheduling.proposal_api import ProposalViewSet  # the optimiser's proposals, in their own module

    router.register("proposals", ProposalViewSet, basename="proposal")
