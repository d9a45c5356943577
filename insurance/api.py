"""The insurer API: /api/v1/authorizations/ for a payer's client application (OAuth2 client credentials).

- `GET  authorizations/?status=&updated_since=&ordering=&page_size=&cursor=`  the payer's authorizations,
  in cursor pages (`next`; no count, no page numbers: each page is read from an index)
- `GET  authorizations/{id}/`              one authorization, with its usage
- `GET  authorizations/{id}/summary/`      the clinical summary for deciding (minimum necessary)
- `GET  authorizations/{id}/utilization/`  units approved, used, reserved and remaining, per session
- `POST authorizations/{id}/decision/`     approve, partially approve, deny or pend (Idempotency-Key)
- `GET  authorizations/events/?since=`     the payer's changes feed, oldest first

Only bearer tokens of a payer's client are accepted (no session): a staff login gets 401 here, and an
insurer token gets nothing from staff endpoints (they accept sessions only). Another payer's
authorization is a 404, as if it did not exist. Every read lands in the audit trail.
"""

from datetime import UTC, datetime

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.api import REPLAY_HEADER
from clinic.audit import bind_actor, record_access, record_page_access
from clinic.fields import AwareDateTimeField, AwareDateTimeFilter
from clinic.pagination import KeysetPagination, Pagination
from insurance import selectors, services
from insurance.models import (
    AuthorizationEvent,
    AuthorizationUsage,
    AuthStatus,
    PriorAuthorization,
)
from insurance.oauth import DECIDE, READ, HasInsurerScope, InsurerTokenAuthentication
from insurance.providers import clinical_summary

TAG = "insurer API"


class UsageSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuthorizationUsage
        fields = ["booking_id", "status", "units", "service_date", "updated_at"]


class AuthorizationSerializer(serializers.ModelSerializer):
    member_id = serializers.CharField(source="coverage.member_id", read_only=True)
    plan_name = serializers.CharField(source="coverage.plan_name", read_only=True)
    units_used = serializers.IntegerField(read_only=True)
    units_reserved = serializers.IntegerField(read_only=True)
    remaining_units = serializers.IntegerField(read_only=True, allow_null=True)
    remaining_infusions = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = PriorAuthorization
        fields = [
            "id",
            "status",
            "urgency",
            "number",
            "member_id",
            "plan_name",
            "hcpcs_code",
            "icd10_code",
            "units_requested",
            "infusions_requested",
            "requested_from",
            "requested_to",
            "units_approved",
            "infusions_approved",
            "valid_from",
            "valid_to",
            "units_used",
            "units_reserved",
            "remaining_units",
            "remaining_infusions",
            "submitted_at",
            "due_at",
            "decided_at",
            "denial_code",
            "denial_reason",
            "information_requested",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AuthorizationDetailSerializer(AuthorizationSerializer):
    usage = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta(AuthorizationSerializer.Meta):
        fields = [*AuthorizationSerializer.Meta.fields, "usage", "documents"]
        read_only_fields = fields

    def get_usage(self, auth) -> list[dict]:
        return UsageSerializer([u for u in auth.usage.all() if u.status != "released"], many=True).data

    def get_documents(self, auth) -> list[dict]:
        # Titles only: files are sent to the payer through its portal, not served from here.
        return [{"title": d.title, "uploaded_at": d.uploaded_at.isoformat()} for d in auth.documents.all()]


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=services.DECISION_CHOICES)
    number = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    units_approved = serializers.IntegerField(required=False, min_value=0, allow_null=True, default=None)
    infusions_approved = serializers.IntegerField(required=False, min_value=0, allow_null=True, default=None)
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)
    denial_code = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    denial_reason = serializers.CharField(required=False, allow_blank=True, default="")
    information_requested = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuthorizationEvent
        fields = ["id", "authorization", "kind", "from_status", "to_status", "at", "via", "reason", "data"]


class UtilizationSerializer(serializers.Serializer):
    authorization = serializers.IntegerField()
    units_approved = serializers.IntegerField(allow_null=True)
    units_used = serializers.IntegerField()
    units_reserved = serializers.IntegerField()
    remaining_units = serializers.IntegerField(allow_null=True)
    infusions_approved = serializers.IntegerField(allow_null=True)
    remaining_infusions = serializers.IntegerField(allow_null=True)
    sessions = UsageSerializer(many=True)


class SummarySerializer(serializers.Serializer):
    authorization = serializers.IntegerField()
    diagnosis = serializers.DictField(allow_null=True)
    product = serializers.DictField(allow_null=True)
    dose_plan = serializers.DictField(allow_null=True)
    weight = serializers.DictField(allow_null=True)
    cycles_given = serializers.ListField(child=serializers.DictField())
    reactions = serializers.ListField(child=serializers.DictField())


class AuthorizationFilter(django_filters.FilterSet):
    # distinct=False: one row per authorization already; SELECT DISTINCT doubled the list's cost.
    status = django_filters.MultipleChoiceFilter(choices=AuthStatus.choices, distinct=False)
    updated_since = AwareDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = PriorAuthorization
        fields = ["status", "urgency", "hcpcs_code", "updated_since"]


class EventQuerySerializer(serializers.Serializer):
    since = AwareDateTimeField(required=False, help_text="Events strictly after this time.")


DECISION_EXAMPLES = [
    OpenApiExample(
        "Approve in full",
        value={"outcome": "approved", "number": "PA-2027-00042"},
        description="Grants the units and dates requested.",
        request_only=True,
    ),
    OpenApiExample(
        "Approve in part",
        value={
            "outcome": "partially_approved",
            "number": "PA-2027-00043",
            "units_approved": 280,
            "valid_from": "2027-03-01",
            "valid_to": "2027-05-31",
        },
        request_only=True,
    ),
    OpenApiExample(
        "Deny",
        value={
            "outcome": "denied",
            "denial_code": "MN01",
            "denial_reason": "Criteria for CIDP maintenance not met: no documented response after 2 cycles.",
        },
        request_only=True,
    ),
    OpenApiExample(
        "Pend for information",
        value={
            "outcome": "pended",
            "information_requested": "Nerve conduction study report and INCAT scores.",
        },
        request_only=True,
    ),
    OpenApiExample(
        "Already decided (409)",
        value={
            "code": "already_decided",
            "detail": "This authorization is approved; it is not awaiting a decision.",
            "fields": {"status": [{"code": "already_decided", "detail": "..."}]},
            "status": "approved",
        },
        response_only=True,
        status_codes=["409"],
    ),
]


def _iso(value) -> str | None:
    """A date or time as the API's serializers write it (UTC times end in Z)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value.isoformat()


LIST_DATES = ("requested_from", "requested_to", "valid_from", "valid_to")
LIST_TIMES = ("submitted_at", "due_at", "decided_at", "created_at", "updated_at")


def list_row(row: dict) -> dict:
    """One authorization of the list, in AuthorizationSerializer's fields and format, from a plain row."""
    for name in (*LIST_DATES, *LIST_TIMES):
        row[name] = _iso(row[name])
    return {name: row[name] for name in AuthorizationSerializer.Meta.fields}


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="Your members' authorizations",
        description="Needs `authorizations:read`. Filter by `status` (repeatable) and `updated_since`; "
        "order by `updated_at`, `due_at`, `created_at` or `id` (prefix `-` for descending; ties by id). "
        "Pages by cursor: follow `next` until it is null. There is no total count and no page number "
        "(`page` is 400 `page_not_supported`); a cursor is tied to its ordering (else 400 "
        "`cursor_invalid`).",
    ),
    retrieve=extend_schema(tags=[TAG], summary="One authorization with its usage"),
)
class InsurerAuthorizationViewSet(viewsets.ReadOnlyModelViewSet):
    authentication_classes = [InsurerTokenAuthentication]
    permission_classes = [HasInsurerScope]
    filterset_class = AuthorizationFilter
    # Ordering belongs to the cursor pagination: a cursor is a position in one ordering.
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    pagination_class = KeysetPagination
    ordering_fields = ["updated_at", "due_at", "created_at", "id"]
    ordering = "-updated_at"
    lookup_value_regex = r"\d+"

    def filter_queryset(self, queryset):
        # Building the filter set costs more than the page query (django-filter copies every filter
        # each time); a list asked without any filter skips it.
        if self.action == "list" and not any(
            name in self.request.query_params for name in AuthorizationFilter.base_filters
        ):
            return queryset
        return super().filter_queryset(queryset)

    def scope_for(self, action_name: str | None) -> str:
        return DECIDE if action_name == "decision" else READ

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bind_actor(request.user)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return PriorAuthorization.objects.none()
        # Only this payer's rows: another payer's id is a 404, exactly as a missing one.
        if self.action == "list":  # plain rows; usage figures are added to the page only (see `list`)
            return selectors.payer_authorization_rows(self.request.payer)
        return selectors.authorization_detail(selectors.payer_authorizations(self.request.payer))

    def get_serializer_class(self):
        return AuthorizationSerializer if self.action == "list" else AuthorizationDetailSerializer

    def _audit(self, objects, action_name: str) -> None:
        client = self.request.payer_client
        record_access(
            self.request,
            objects,
            via="insurer_api",
            detail=f"insurer {client.payer.code} client {client.application.client_id}: "
            f"authorization {action_name}",
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = selectors.with_remaining_rows(page)
        client = request.payer_client
        # One audit row for the page, naming every authorization and patient on it.
        record_page_access(
            request,
            PriorAuthorization,
            [row["id"] for row in rows],
            via="insurer_api",
            detail=f"insurer {client.payer.code} client {client.application.client_id}: authorization list",
            related={"patients.patient": [row["patient_id"] for row in rows]},
        )
        return self.get_paginated_response([list_row(row) for row in rows])

    def retrieve(self, request, *args, **kwargs):
        auth = self.get_object()
        self._audit([auth], "view")
        return Response(self.get_serializer(auth).data)

    @extend_schema(tags=[TAG], summary="Clinical summary for deciding", responses=SummarySerializer)
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """Diagnosis, product, dose plan, weight, cycles given with their response measures, and
        reactions: the minimum necessary to decide (no name, contact details or address)."""
        auth = self.get_object()
        summary = clinical_summary(
            order_id=auth.order_id, patient_id=auth.patient_id, hcpcs_code=auth.hcpcs_code
        )
        self._audit([auth], "clinical summary")
        return Response({"authorization": auth.pk, **summary})

    @extend_schema(
        tags=[TAG], summary="Utilization: units used, reserved and remaining", responses=UtilizationSerializer
    )
    @action(detail=True, methods=["get"])
    def utilization(self, request, pk=None):
        auth = self.get_object()
        self._audit([auth], "utilization")
        sessions = [u for u in auth.usage.all() if u.status != "released"]
        return Response(
            {
                "authorization": auth.pk,
                "units_approved": auth.units_approved,
                "units_used": auth.units_used,
                "units_reserved": auth.units_reserved,
                "remaining_units": auth.remaining_units,
                "infusions_approved": auth.infusions_approved,
                "remaining_infusions": auth.remaining_infusions,
                "sessions": UsageSerializer(sessions, many=True).data,
            }
        )

    @extend_schema(
        tags=[TAG],
        summary="Decide: approve, partially approve, deny or pend",
        description="Needs `authorizations:decide`. Send an `Idempotency-Key` header to retry safely: "
        "a replay with the same body returns the first response (header `Idempotent-Replayed: true`); "
        "the same key with a different body is 409 `idempotency_key_reused`. A request that is not "
        "awaiting a decision is 409 `already_decided`; units over those requested are 400 "
        "`units_over_requested`.",
        request=DecisionSerializer,
        responses={200: AuthorizationDetailSerializer},
        examples=DECISION_EXAMPLES,
        parameters=[
            OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False)
        ],
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        auth = self.get_object()
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        answer, replayed = services.authorization_decision_once(
            authorization=auth,
            application=request.payer_client.application,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_body=request.data,
            render=lambda decided: AuthorizationDetailSerializer(self.get_queryset().get(pk=decided.pk)).data,
            by=request.user if request.user.is_authenticated else None,
            via="insurer_api",
            **form.validated_data,
        )
        headers = {REPLAY_HEADER: "true"} if replayed else None
        return Response(answer, status=status.HTTP_200_OK, headers=headers)

    @extend_schema(
        tags=[TAG],
        summary="Changes feed",
        description="What changed for your members, oldest first: status transitions (with who and why) "
        "and usage (units reserved, used, released). Poll with `since` = the `at` of the last event "
        "you processed minus one minute, and skip event `id`s you have already processed: an event is "
        "stamped when it is written and appears when its transaction commits, a moment later, so an "
        "overlap of a minute never misses one.",
        parameters=[EventQuerySerializer],
        responses=EventSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=Pagination)
    def events(self, request):
        query = EventQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        events = selectors.payer_events(request.payer, since=query.validated_data.get("since"))
        page = self.paginate_queryset(events)
        shown = PriorAuthorization.objects.filter(pk__in={e.authorization_id for e in page})
        self._audit(shown, "events")
        return self.get_paginated_response(EventSerializer(page, many=True).data)


def register_routes(router) -> None:
    router.register("authorizations", InsurerAuthorizationViewSet, basename="insurer-authorization")
