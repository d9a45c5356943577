"""The order's calendar actions, mixed into the orders viewset (`infusions.api.OrderViewSet`):

- `GET  /api/v1/orders/{id}/availability/?date_from=&date_to=&site=&weekdays=&part_of_day=&chair_type=&limit=`
  the first slots the order's cycle fits (its plan's chair minutes, avoiding the patient's bookings);
  when none fits, `reasons` says why, with the desk's slot finder's codes (`infusions.slot_search`);
- `POST /api/v1/orders/{id}/book/` {chair, start}: book the next cycle -> 201 with its bookings;
- `POST /api/v1/orders/{id}/book-series/` {first_start, cycles, chair?}: book the next cycles at the
  order's interval -> 200 with one result per cycle (`booked`, `already_booked` or `not_placed`).

A series answers 200 whatever became of each cycle (like a 207 Multi-Status, in plain JSON): the
counts and `results` say what was booked. A 409 means the series was refused whole (the order is
blocked or not active), a 400 bad input. Reading availability needs `infusions.view_treatmentorder`
and is audited as a read of the order's patient; booking needs `scheduling.add_booking`.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.fields import AwareDateTimeField
from infusions import cycles, series, slot_search
from scheduling import access
from scheduling.api import AvailabilityQuerySerializer, BookingSerializer, SlotListSerializer, SlotSerializer
from scheduling.models import Chair
from scheduling.selectors import booking_list


class CanBook(permissions.BasePermission):
    """Booking a cycle writes the chair calendar: schedulers and managers (`scheduling.add_booking`)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("scheduling.add_booking"))


class OrderAvailabilitySerializer(AvailabilityQuerySerializer):
    """As /api/v1/availability/, with the duration and the patient taken from the order."""

    duration_minutes = None
    patient = None


REASON_CODES = (
    "closed: the site is closed on every day asked for (weekly hours, closures); "
    "no_chair: no chair of the kind in service; too_long: the cycle is longer than the longest open day; "
    "no_nurse_shifts: no nurse rostered (the detail names the day the roster ends); "
    "fully_booked: every fitting time is taken; interval_too_soon: the order's interval puts the next "
    "cycle after the dates asked for; authorization_required: no approved authorization or too few "
    "units; order_not_active, order_blocked: the order's status or safety checks; "
    "weight_required and the plan's other codes: the order cannot be planned; no_site."
)


class SlotReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=f"Stable: {REASON_CODES}")
    detail = serializers.CharField(help_text="The sentence the admin's slot finder shows.")
    blocks = serializers.BooleanField(help_text="False: a warning; the slots may still be booked.")


class OrderSlotListSerializer(SlotListSerializer):
    """The order's availability: the ranked slots and, when none fits, why."""

    reasons = SlotReasonSerializer(many=True, help_text="Why no slot fits; empty when slots were found.")


class CycleBookSerializer(serializers.Serializer):
    chair = serializers.PrimaryKeyRelatedField(queryset=Chair.objects.select_related("site"))
    start = AwareDateTimeField(help_text="The first day's start, with an offset or Z.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    early_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        default="",
        help_text="Why the cycle is booked earlier than the order's interval allows (else 409 "
        "interval_too_soon); recorded.",
    )


class SeriesBookSerializer(serializers.Serializer):
    first_start = AwareDateTimeField(help_text="The first cycle's start, with an offset or Z.")
    cycles = serializers.IntegerField(help_text=f"1 to {series.MAX_SERIES}.")
    chair = serializers.PrimaryKeyRelatedField(
        queryset=Chair.objects.select_related("site"),
        required=False,
        help_text="Left out: the first chair free at first_start.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    early_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        default="",
        help_text="Lets a cycle nearer another than the order's interval allows be booked; recorded.",
    )


class CycleBookedSerializer(serializers.Serializer):
    """What `book/` answers: the cycle booked and its bookings, one per day of a split dose."""

    order = serializers.IntegerField()
    cycle = serializers.IntegerField()
    bookings = BookingSerializer(many=True)


class SeriesCycleSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="1 = the series' first cycle.")
    status = serializers.ChoiceField(choices=[series.BOOKED, series.ALREADY_BOOKED, series.NOT_PLACED])
    cycle = serializers.IntegerField(allow_null=True)
    target_start = AwareDateTimeField(help_text="The start the order's interval gives.")
    target_local_start = serializers.CharField(help_text="The same, in the site's zone.")
    moved = serializers.BooleanField(help_text="Booked, but not at the target time or chair.")
    code = serializers.CharField(allow_blank=True, help_text="Why a cycle was not placed.")
    detail = serializers.CharField(allow_blank=True)
    bookings = BookingSerializer(many=True)


class SeriesBookedSerializer(serializers.Serializer):
    """What `book-series/` answers (200 whatever became of each cycle): counts, and a result per cycle."""

    order = serializers.IntegerField()
    booked = serializers.IntegerField()
    already_booked = serializers.IntegerField()
    not_placed = serializers.IntegerField()
    results = SeriesCycleSerializer(many=True)


def _bookings_json(bookings, context) -> list[dict]:
    rows = {b.pk: b for b in booking_list().filter(pk__in=[b.pk for b in bookings])}
    return BookingSerializer([rows[b.pk] for b in bookings], many=True, context=context).data


class OrderCyclesMixin:
    """The availability, book and book-series actions of OrderViewSet (see the module docstring)."""

    @extend_schema(parameters=[OrderAvailabilitySerializer], responses=OrderSlotListSerializer)
    # The order list's filters and pages are not this action's query parameters.
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def availability(self, request, pk=None):
        """The first slots this order's cycle fits, ranked as /api/v1/availability/."""
        order = self.get_object()
        query = OrderAvailabilitySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        sites = access.access_sites(request.user)
        if "site" in q:
            sites = sites.filter(pk=q["site"])
        slots = cycles.order_slots(
            order=order,
            sites=sites,
            date_from=q["date_from"],
            date_to=q["date_to"],
            weekdays=q.get("weekdays"),
            part_of_day=q.get("part_of_day"),
            chair_type=q.get("chair_type"),
            limit=q["limit"],
        )
        reasons = [] if slots else self._no_slot_reasons(order, sites, q)
        self.audit_shown([order], "availability")
        return Response(
            {
                "count": len(slots),
                "results": SlotSerializer(slots, many=True).data,
                "reasons": SlotReasonSerializer(reasons, many=True).data,
            }
        )

    def _no_slot_reasons(self, order, sites, q) -> list[slot_search.Reason]:
        """Why nothing fits: the admin's slot finder asked the same question (one rule, one place)."""
        first = sites.order_by("name").first()
        today = timezone.now().astimezone(first.zone).date() if first else timezone.localdate()
        search = slot_search.order_slot_search(
            order=order,
            sites=sites,
            date_from=q["date_from"],
            date_to=q["date_to"],
            weekdays=q.get("weekdays"),
            part_of_day=q.get("part_of_day"),
            chair_type=q.get("chair_type"),
            limit=1,
            today=today,
        )
        return search.reasons

    @extend_schema(request=CycleBookSerializer, responses={201: CycleBookedSerializer})
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        """Book the order's next cycle: one booking per day; 409 with the code that refused it."""
        order = self.get_object()
        form = CycleBookSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        bookings = cycles.cycle_book(order=order, created_by=request.user, **form.validated_data)
        body = {
            "order": order.pk,
            "cycle": bookings[0].cycle_day.cycle,
            "bookings": _bookings_json(bookings, self.get_serializer_context()),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=SeriesBookSerializer, responses={200: SeriesBookedSerializer})
    @action(detail=True, methods=["post"], url_path="book-series")
    def book_series(self, request, pk=None):
        """Book the next cycles at the order's interval; 200 with each cycle's outcome."""
        order = self.get_object()
        form = SeriesBookSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        outcomes = series.series_book(order=order, created_by=request.user, **form.validated_data)
        context = self.get_serializer_context()
        when = AwareDateTimeField()
        results = []
        for outcome in outcomes:
            results.append(
                {
                    "index": outcome.index,
                    "status": outcome.status,
                    "cycle": outcome.cycle,
                    "target_start": when.to_representation(outcome.target),
                    "target_local_start": outcome.target.isoformat(),
                    "moved": outcome.moved,
                    "code": outcome.code,
                    "detail": outcome.detail,
                    "bookings": _bookings_json(outcome.bookings, context),
                }
            )
        counts = {
            name: sum(1 for o in outcomes if o.status == name)
            for name in (series.BOOKED, series.ALREADY_BOOKED, series.NOT_PLACED)
        }
        return Response({"order": order.pk, **counts, "results": results}, status=status.HTTP_200_OK)
