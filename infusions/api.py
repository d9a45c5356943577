"""Staff REST API: /api/v1/products/ and /api/v1/orders/ (with preview, discontinue, replace, hold,
overrides, responses, and booking cycles: availability, book, book-series). Every order carries its
`plan`, computed on read from the patient's latest weight; serializers only parse and present, the
rules are in services, planning and checks."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.access import HasModelPermission
from clinic.api import AuditedModelViewSet
from infusions import catalogue, selectors, services
from infusions.api_cycles import CanBook, OrderCyclesMixin
from infusions.models import (
    InfusionPolicy,
    LabelRate,
    OrderStatus,
    Product,
    ResponseMeasure,
    ResponseRecord,
    TitrationProtocol,
    TreatmentOrder,
    WeightPolicy,
)
from infusions.planning import OrderPlan, order_plan
from patients.models import Diagnosis, Patient


def _dec(value):
    return None if value is None else str(value)


def plan_json(result: OrderPlan) -> dict:
    """The `plan` object of the API: figures as decimal strings, minutes from the start of the infusion."""
    checks = [
        {
            "code": c.code,
            "severity": c.severity,
            "message": c.message,
            "overridden_by": c.overridden_by,
            "override_reason": c.override_reason,
        }
        for c in result.checks
    ]
    person = {
        "age_band": age_band_json(result.age_band),
        "premedication": premedication_json(result.premedication),
    }
    if result.plan is None:
        error = result.error
        return {
            "error": {"code": error.code, "field": error.field, "detail": error.message},
            **person,
            "checks": checks,
        }
    plan = result.plan
    return {
        "dosing_weight_kg": _dec(plan.dosing_weight_kg),
        "dosing_weight_basis": plan.dosing_weight_basis,
        "actual_weight_kg": _dec(plan.actual_weight_kg),
        "days": plan.days,
        "total_grams": _dec(plan.total_grams),
        "dose_grams": _dec(plan.dose_grams),
        "rounded_dose_grams": _dec(plan.rounded_dose_grams),
        "vials": [{"size_grams": _dec(size), "count": count} for size, count in plan.vials],
        "volume_ml": _dec(plan.volume_ml),
        "billing_units": plan.billing_units,
        "protocol": result.protocol_name,
        "cap_ml_per_kg_h": _dec(result.cap_ml_per_kg_h),
        "steps": [
            {
                "start_minute": _dec(s.start_minute),
                "minutes": _dec(s.minutes),
                "rate_ml_per_hour": _dec(s.rate_ml_per_hour),
                "rate_ml_per_kg_h": _dec(s.rate_ml_per_kg_h),
                "volume_ml": _dec(s.volume_ml),
                "capped": s.capped,
            }
            for s in plan.steps
        ],
        "infusion_minutes": _dec(plan.infusion_minutes),
        "chair_minutes": plan.chair_minutes,
        "notes": list(plan.notes),
        **person,
        "checks": checks,
    }


def age_band_json(band) -> dict:
    """Who the plan is for: the age band on the infusion's day and whether (why) the child rules apply."""
    return {
        "band": band.band,
        "age": band.age_text,
        "child_rules": band.child,
        "rule": band.rule,
        "reason": band.reason,
    }


def premedication_json(suggestions) -> list[dict]:
    """The per-kg premedication suggested for a child (empty for an adult)."""
    return [
        {
            "drug": s.drug,
            "dose_mg": _dec(s.dose_mg),
            "mg_per_kg": _dec(s.mg_per_kg),
            "max_mg": _dec(s.max_mg),
            "route": s.route,
            "capped": s.capped,
            "text": s.text,
        }
        for s in suggestions
    ]


# The shape of `plan_json`, for the schema (and the clients it generates): every figure is a decimal
# string; when the plan cannot be computed, `error` says why and the figures are left out.
def _decimal(help_text: str = "", **kwargs):
    return serializers.CharField(help_text=help_text or "A decimal number, as a string.", **kwargs)


class PlanErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code, e.g. weight_required.")
    field = serializers.CharField(allow_null=True)
    detail = serializers.CharField()


class PlanVialSerializer(serializers.Serializer):
    size_grams = _decimal()
    count = serializers.IntegerField()


class PlanStepSerializer(serializers.Serializer):
    start_minute = _decimal("Minutes from the start of the infusion.")
    minutes = _decimal()
    rate_ml_per_hour = _decimal("The pump rate.")
    rate_ml_per_kg_h = _decimal()
    volume_ml = _decimal()
    capped = serializers.BooleanField(help_text="Lowered to the label's maximum for the indication.")


class PlanCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField(help_text="block, warn or info.")
    message = serializers.CharField()
    overridden_by = serializers.CharField(allow_null=True)
    override_reason = serializers.CharField(allow_null=True)


class PlanAgeBandSerializer(serializers.Serializer):
    band = serializers.CharField()
    age = serializers.CharField(help_text='As a nurse says it: "3 y", "7 months".')
    child_rules = serializers.BooleanField()
    rule = serializers.CharField(allow_null=True, help_text="age, height, or null for an adult.")
    reason = serializers.CharField(allow_blank=True)


class PlanPremedicationSerializer(serializers.Serializer):
    drug = serializers.CharField()
    dose_mg = _decimal(allow_null=True)
    mg_per_kg = _decimal(allow_null=True)
    max_mg = _decimal()
    route = serializers.CharField()
    capped = serializers.BooleanField()
    text = serializers.CharField()


class PlanSerializer(serializers.Serializer):
    """An order's plan: dose, vials, volume, billing units, rate steps and chair time (`plan_json`)."""

    error = PlanErrorSerializer(required=False, help_text="Only when the plan cannot be computed.")
    dosing_weight_kg = _decimal(required=False)
    dosing_weight_basis = serializers.CharField(required=False, help_text="actual, ideal or adjusted.")
    actual_weight_kg = _decimal(required=False)
    days = serializers.IntegerField(required=False, help_text="Days the dose is split over.")
    total_grams = _decimal(required=False)
    dose_grams = _decimal(required=False, help_text="Grams per day.")
    rounded_dose_grams = _decimal(required=False)
    vials = PlanVialSerializer(many=True, required=False)
    volume_ml = _decimal(required=False)
    billing_units = serializers.IntegerField(required=False, help_text="HCPCS units of 500 mg.")
    protocol = serializers.CharField(required=False)
    cap_ml_per_kg_h = _decimal(required=False, allow_null=True)
    steps = PlanStepSerializer(many=True, required=False)
    infusion_minutes = _decimal(required=False)
    chair_minutes = serializers.IntegerField(required=False, help_text="Booked chair time (grid-rounded).")
    notes = serializers.ListField(child=serializers.CharField(), required=False)
    age_band = PlanAgeBandSerializer()
    premedication = PlanPremedicationSerializer(many=True)
    checks = PlanCheckSerializer(many=True)


class PreviewSerializer(serializers.Serializer):
    plan = PlanSerializer()


class LabelRateSerializer(serializers.ModelSerializer):
    max_ml_per_kg_h = serializers.SerializerMethodField()
    start_ml_per_kg_h = serializers.SerializerMethodField()
    step_rates = serializers.ListField(child=serializers.DecimalField(max_digits=6, decimal_places=2))

    class Meta:
        model = LabelRate
        fields = [
            "indication_prefix",
            "unit",
            "start_rate",
            "start_minutes",
            "start_ml_per_kg_h",
            "step_rates",
            "step_minutes",
            "max_rate",
            "max_ml_per_kg_h",
            "note",
        ]

    def get_max_ml_per_kg_h(self, rate) -> str:
        return str(rate.max_ml_per_kg_h(rate.product.concentration_percent).normalize())

    def get_start_ml_per_kg_h(self, rate) -> str | None:
        if rate.start_rate is None:
            return None
        return f"{rate.schedule(rate.product).start.ml_per_kg_h.normalize():f}"


class ProductSerializer(serializers.ModelSerializer):
    label_rates = LabelRateSerializer(many=True, read_only=True)
    vial_sizes_g = serializers.ListField(child=serializers.DecimalField(max_digits=6, decimal_places=2))

    class Meta:
        model = Product
        fields = [
            "id",
            "brand",
            "manufacturer",
            "route",
            "concentration_percent",
            "vial_sizes_g",
            "hcpcs_code",
            "grams_per_billing_unit",
            "active",
            "label_rates",
        ]


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """Immunoglobulin products: vial sizes, HCPCS code, label maxima. Managers edit them in the admin."""

    serializer_class = ProductSerializer
    search_fields = ["brand", "manufacturer", "hcpcs_code"]
    filterset_fields = ["route", "active"]

    def get_queryset(self):
        return selectors.product_list()


class CatalogueField(serializers.PrimaryKeyRelatedField):
    """A product or protocol id, resolved from the catalogue each process keeps (infusions.catalogue),
    with PrimaryKeyRelatedField's errors."""

    def __init__(self, *, lookup, **kwargs):
        self.lookup = lookup
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            if isinstance(data, bool):
                raise TypeError
            found = self.lookup(int(data))
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class PatientIdField(serializers.PrimaryKeyRelatedField):
    """A patient or diagnosis id, checked for its type here and resolved with the other in one query
    (`OrderInputSerializer.validate`)."""

    def to_internal_value(self, data):
        try:
            if isinstance(data, bool):
                raise TypeError
            return int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)


def _does_not_exist(field: str, pk) -> ValidationError:
    message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    return ValidationError({field: ValidationError(str(message).format(pk_value=pk), code="does_not_exist")})


class OrderInputSerializer(serializers.Serializer):
    """Parses types only; ranges and cross-field rules are the service's, so each has one stable code."""

    patient = PatientIdField(queryset=Patient.objects.all())
    indication = PatientIdField(queryset=Diagnosis.objects.all())
    product = CatalogueField(queryset=Product.objects.all(), lookup=catalogue.product)
    protocol = CatalogueField(queryset=TitrationProtocol.objects.all(), lookup=catalogue.protocol)
    dose_grams_per_kg = serializers.DecimalField(
        max_digits=7, decimal_places=3, required=False, allow_null=True
    )
    fixed_grams = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)
    weight_policy = serializers.ChoiceField(choices=WeightPolicy.choices, default=WeightPolicy.AUTO)
    split_days = serializers.IntegerField(default=1)
    interval_days = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    cycles = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    premedication = serializers.CharField(required=False, allow_blank=True, default="")
    prescriber = serializers.CharField(required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False)

    def validate(self, attrs):
        # The patient and the diagnosis in one query (with the patient's risk flags).
        patient_id, indication_id = attrs["patient"], attrs["indication"]
        indication = (
            Diagnosis.objects.select_related("patient")
            .prefetch_related("patient__risk_flags")
            .filter(pk=indication_id)
            .first()
        )
        if indication is not None and indication.patient_id == patient_id:
            patient = indication.patient
        else:  # another patient's diagnosis (order_build refuses it), or a missing one
            patient = Patient.objects.prefetch_related("risk_flags").filter(pk=patient_id).first()
            if patient is None:
                raise _does_not_exist("patient", patient_id)
            if indication is None:
                raise _does_not_exist("indication", indication_id)
        return {**attrs, "patient": patient, "indication": indication}


class OrderCreateSerializer(OrderInputSerializer):
    prescriber = serializers.CharField(max_length=120)
    start_date = serializers.DateField()
    overrides = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Block code -> reason; clinic managers only.",
    )


class ReplaceSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False)
    protocol = serializers.PrimaryKeyRelatedField(queryset=TitrationProtocol.objects.all(), required=False)
    indication = serializers.PrimaryKeyRelatedField(queryset=Diagnosis.objects.all(), required=False)
    dose_grams_per_kg = serializers.DecimalField(
        max_digits=7, decimal_places=3, required=False, allow_null=True
    )
    fixed_grams = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)
    weight_policy = serializers.ChoiceField(choices=WeightPolicy.choices, required=False)
    split_days = serializers.IntegerField(required=False)
    interval_days = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    cycles = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    premedication = serializers.CharField(required=False, allow_blank=True)
    prescriber = serializers.CharField(required=False, max_length=120)
    start_date = serializers.DateField(required=False)
    overrides = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[OrderStatus.ACTIVE, OrderStatus.ON_HOLD])
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="Why the order is put on hold."
    )
    cancel_bookings = serializers.BooleanField(
        required=False,
        default=False,
        help_text="On hold: also cancel the order's bookings still to come (their units are released).",
    )


class OverrideSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    reason = serializers.CharField(allow_blank=True)


class ResponseSerializer(serializers.ModelSerializer):
    measure = serializers.ChoiceField(choices=ResponseMeasure.choices)

    class Meta:
        model = ResponseRecord
        fields = ["id", "cycle", "measure", "value", "recorded_at"]
        read_only_fields = ["recorded_at"]
        validators = []
        extra_kwargs = {"value": {"validators": []}}


class OrderSerializer(serializers.ModelSerializer):
    indication_code = serializers.CharField(source="indication.code", read_only=True)
    product_brand = serializers.CharField(source="product.brand", read_only=True)
    protocol_name = serializers.CharField(source="protocol.name", read_only=True)
    replaced_by = serializers.IntegerField(source="replacement_id", read_only=True, allow_null=True)
    responses = ResponseSerializer(many=True, read_only=True)
    plan = serializers.SerializerMethodField()

    class Meta:
        model = TreatmentOrder
        fields = [
            "id",
            "patient",
            "indication",
            "indication_code",
            "product",
            "product_brand",
            "protocol",
            "protocol_name",
            "dose_grams_per_kg",
            "fixed_grams",
            "weight_policy",
            "split_days",
            "interval_days",
            "cycles",
            "premedication",
            "prescriber",
            "start_date",
            "status",
            "discontinued_at",
            "discontinued_reason",
            "hold_reason",
            "replaces",
            "replaced_by",
            "needs_review",
            "review_reason",
            "responses",
            "created_at",
            "plan",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanSerializer)
    def get_plan(self, order) -> dict:
        policy = self.context["policy"]
        return plan_json(order_plan(order, policy=policy, now=self.context["now"]))


class OrderFilter(django_filters.FilterSet):
    class Meta:
        model = TreatmentOrder
        fields = ["patient", "status", "needs_review", "product"]


class CanViewOrders(HasModelPermission):
    """Trying a dose is a read: anyone who may see orders may preview one (POST, nothing is saved)."""

    perms_map = {**HasModelPermission.perms_map, "POST": ["%(app_label)s.view_%(model_name)s"]}


class CanChangeOrders(HasModelPermission):
    """Discontinuing or holding an order changes it."""

    perms_map = {**HasModelPermission.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class CanRecordResponses(HasModelPermission):
    perms_map = {**HasModelPermission.perms_map, "POST": ["%(app_label)s.add_responserecord"]}


class OrderViewSet(OrderCyclesMixin, AuditedModelViewSet):
    """Treatment orders with their plan. Changes are made by replacing an order, so history is kept.

    Cycles are booked from here too (`availability`, `book`, `book-series`: infusions.api_cycles)."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    search_fields = ["patient__mrn", "patient__family_name", "prescriber"]
    ordering_fields = ["created_at", "start_date"]
    http_method_names = ["get", "post", "head", "options"]
    audit_label = "treatment order"
    permission_model = TreatmentOrder
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.order_list()

    def get_permissions(self):
        special = {
            "preview": CanViewOrders,
            "override": CanViewOrders,  # the manager check below gives a stable 403 code
            "discontinue": CanChangeOrders,
            "set_status": CanChangeOrders,
            "responses": CanRecordResponses,
            "book": CanBook,
            "book_series": CanBook,
        }
        if self.action in special:
            return [special[self.action]()]
        return super().get_permissions()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "policy" not in context:
            context["policy"] = InfusionPolicy.current()
            context["now"] = timezone.now()
        return context

    def audit_subject(self, order):
        return order.patient

    def _shown(self, order_id: int, code=status.HTTP_200_OK) -> Response:
        order = self.get_queryset().get(pk=order_id)
        return Response(self.get_serializer(order).data, status=code)

    def _overrides_allowed(self, overrides) -> None:
        if overrides and not services.may_override_blocks(self.request.user):
            raise exceptions.PermissionDenied(services.OverrideNotAllowed.detail, code="override_not_allowed")

    @extend_schema(request=OrderCreateSerializer, responses=OrderSerializer)
    def create(self, request, *args, **kwargs):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        overrides = data.pop("overrides", None)
        self._overrides_allowed(overrides)
        order = services.order_create(created_by=request.user, overrides=overrides, **data)
        return self._shown(order.pk, status.HTTP_201_CREATED)

    @extend_schema(request=OrderInputSerializer, responses={200: PreviewSerializer})
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """The plan and checks of an unsaved order: try a dose before saving. Nothing is saved."""
        serializer = OrderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order, result = services.order_build(**serializer.validated_data)
        # The plan shows the patient's weight and flags: a read of patient data like any other.
        self.audit_shown([order], "preview")
        return Response({"plan": plan_json(result)})

    @extend_schema(request=ReasonSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def discontinue(self, request, pk=None):
        """Discontinue the order with a reason; its bookings still to come are cancelled."""
        order = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.order_discontinue(order=order, reason=serializer.validated_data["reason"], by=request.user)
        return self._shown(order.pk)

    @extend_schema(request=StatusSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Put the order on hold, or make it active again."""
        order = self.get_object()
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.order_set_status(order=order, by=request.user, **serializer.validated_data)
        return self._shown(order.pk)

    @extend_schema(request=ReplaceSerializer, responses={201: OrderSerializer})
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        """Discontinue the order with a reason and create its replacement with the given changes."""
        order = self.get_object()
        serializer = ReplaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        reason, overrides = changes.pop("reason"), changes.pop("overrides", None)
        self._overrides_allowed(overrides)
        new = services.order_replace(
            order=order, reason=reason, created_by=request.user, overrides=overrides, **changes
        )
        return self._shown(new.pk, status.HTTP_201_CREATED)

    @extend_schema(request=OverrideSerializer, responses={201: OrderSerializer})
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        """A clinic manager overrides a blocking check, with a reason."""
        order = self.get_object()
        serializer = OverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._overrides_allowed(True)
        services.block_override_record(order=order, by=request.user, **serializer.validated_data)
        return self._shown(order.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ResponseSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def responses(self, request, pk=None):
        """Record a response measure for a cycle (0 = baseline).

        Two cycles without improvement flag the order for review."""
        order = self.get_object()
        serializer = ResponseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.response_record(order=order, recorded_by=request.user, **serializer.validated_data)
        return self._shown(order.pk, status.HTTP_201_CREATED)


def register_routes(router) -> None:
    router.register("products", ProductViewSet, basename="product")
    router.register("orders", OrderViewSet, basename="order")
