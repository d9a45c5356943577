"""Staff REST API for patients: /api/v1/patients/ and their diagnoses, allergies, flags, measurements, labs.

Serializers here only parse and present; rules live on the models and writes go through services.
"""

import django_filters
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from clinic.api import AuditedModelViewSet, AuditedViewMixin
from clinic.fields import AwareDateTimeField
from patients import selectors, services
from patients.models import (
    Allergy,
    AllergySeverity,
    Diagnosis,
    LabResult,
    Measurement,
    Patient,
    ReminderChannel,
    RiskFlag,
    RiskFlagKind,
    Sex,
)


class DiagnosisSerializer(serializers.ModelSerializer):
    not_recommended = serializers.BooleanField(read_only=True)

    class Meta:
        model = Diagnosis
        fields = ["id", "code", "description", "diagnosed_on", "is_primary", "not_recommended"]
        # Validation is the model's (clinic.db.validated_save); the serializer only parses types.
        validators = []
        extra_kwargs = {"code": {"validators": []}, "diagnosed_on": {"validators": []}}


class AllergySerializer(serializers.ModelSerializer):
    severity = serializers.ChoiceField(choices=AllergySeverity.choices, default=AllergySeverity.MODERATE)

    class Meta:
        model = Allergy
        fields = ["id", "substance", "reaction", "severity", "noted_on"]
        read_only_fields = ["noted_on"]
        validators = []


class RiskFlagSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_kind_display", read_only=True)
    is_contraindication = serializers.BooleanField(read_only=True)

    class Meta:
        model = RiskFlag
        fields = ["id", "kind", "label", "is_contraindication", "note", "noted_on"]
        read_only_fields = ["noted_on"]
        validators = []


class MeasurementSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(read_only=True)
    measured_at = AwareDateTimeField(required=False)

    class Meta:
        model = Measurement
        fields = ["id", "kind", "value", "unit", "measured_at"]
        extra_kwargs = {"value": {"validators": []}, "measured_at": {"validators": []}}


class LabResultSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(allow_blank=True, required=False, default="")

    class Meta:
        model = LabResult
        fields = ["id", "test", "value", "unit", "collected_at"]
        extra_kwargs = {"value": {"validators": []}, "collected_at": {"validators": []}}


class PatientSerializer(serializers.ModelSerializer):
    age = serializers.IntegerField(read_only=True)
    latest_weight_kg = serializers.DecimalField(
        max_digits=6, decimal_places=2, read_only=True, allow_null=True
    )
    latest_weight_at = AwareDateTimeField(read_only=True, allow_null=True)
    latest_height_cm = serializers.DecimalField(
        max_digits=6, decimal_places=2, read_only=True, allow_null=True
    )
    latest_egfr = serializers.DecimalField(max_digits=10, decimal_places=3, read_only=True, allow_null=True)
    latest_egfr_at = AwareDateTimeField(read_only=True, allow_null=True)
    diagnoses = DiagnosisSerializer(many=True, read_only=True)
    allergies = AllergySerializer(many=True, read_only=True)
    risk_flags = RiskFlagSerializer(many=True, read_only=True)
    reminder_channel = serializers.ChoiceField(choices=ReminderChannel.choices, required=False)
    at_risk_reasons = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = [
            "id",
            "mrn",
            "given_name",
            "family_name",
            "date_of_birth",
            "age",
            "sex",
            "phone",
            "email",
            "reminder_channel",
            "reminder_opt_out",
            "quiet_hours_start",
            "quiet_hours_end",
            "preferred_language",
            "latest_weight_kg",
            "latest_weight_at",
            "latest_height_cm",
            "latest_egfr",
            "latest_egfr_at",
            "diagnoses",
            "allergies",
            "risk_flags",
            "at_risk_reasons",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []
        extra_kwargs = {
            "mrn": {"validators": []},
            "date_of_birth": {"validators": []},
            "phone": {"validators": []},
        }

    def get_at_risk_reasons(self, patient) -> list[str]:
        return patient.at_risk_reasons()


class PatientFilter(django_filters.FilterSet):
    mrn = django_filters.CharFilter(field_name="mrn", lookup_expr="iexact")
    date_of_birth = django_filters.DateFilter()
    sex = django_filters.ChoiceFilter(choices=Sex.choices)
    diagnosis = django_filters.CharFilter(method="filter_diagnosis", label="ICD-10-CM code (prefix)")
    risk_flag = django_filters.ChoiceFilter(choices=RiskFlagKind.choices, method="filter_risk_flag")

    class Meta:
        model = Patient
        fields = ["mrn", "date_of_birth", "sex", "reminder_channel", "reminder_opt_out"]

    def filter_diagnosis(self, queryset, name, value):
        matching = Diagnosis.objects.filter(patient=OuterRef("pk"), code__istartswith=value.strip())
        return queryset.filter(Exists(matching))

    def filter_risk_flag(self, queryset, name, value):
        return queryset.filter(Exists(RiskFlag.objects.filter(patient=OuterRef("pk"), kind=value)))


class PatientViewSet(AuditedModelViewSet):
    """Patients. Search by MRN or name (`?search=`), filter by date of birth, sex, diagnosis, risk flag."""

    serializer_class = PatientSerializer
    filterset_class = PatientFilter
    search_fields = ["mrn", "family_name", "given_name"]
    ordering_fields = ["family_name", "date_of_birth", "mrn", "created_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    audit_label = "patient"
    permission_model = Patient
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.patient_detail_list()

    def _fresh(self, patient_id: int) -> Patient:
        return self.get_queryset().get(pk=patient_id)

    @extend_schema(
        examples=[
            OpenApiExample(
                "A patient with SMS reminders and own quiet hours",
                value={
                    "mrn": "MRN-0042",
                    "given_name": "Ada",
                    "family_name": "Whitfield",
                    "date_of_birth": "1970-05-04",
                    "sex": "female",
                    "phone": "+15555550100",
                    "reminder_channel": "sms",
                    "quiet_hours_start": "20:00",
                    "quiet_hours_end": "09:00",
                },
                request_only=True,
            )
        ]
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient = services.patient_create(**serializer.validated_data)
        return Response(self.get_serializer(self._fresh(patient.pk)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        patient = self.get_object()
        serializer = self.get_serializer(patient, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        services.patient_update(patient=patient, **serializer.validated_data)
        return Response(self.get_serializer(self._fresh(patient.pk)).data)


class PatientChildViewSet(
    AuditedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Records under /patients/{patient_id}/...; every read is audited against the patient."""

    model = None
    create_service = None
    filter_backends = []
    audit_label = ""

    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no patient_id
            return self.model.objects.none()
        return self.model.objects.filter(patient_id=self.kwargs["patient_id"]).select_related("patient")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.patient = get_object_or_404(Patient, pk=self.kwargs["patient_id"])

    def audit_subject(self, obj):
        return self.patient

    def list(self, request, *args, **kwargs):
        self.audit_shown([self.patient], "list")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        self.audit_shown([self.patient], "view")
        return super().retrieve(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extra = {"recorded_by": request.user} if hasattr(self.model, "recorded_by") else {}
        record = type(self).create_service(patient=self.patient, **serializer.validated_data, **extra)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


def _child(model, serializer, service, label):
    viewset = type(
        f"{model.__name__}ViewSet",
        (PatientChildViewSet,),
        {
            "model": model,
            "serializer_class": serializer,
            "create_service": staticmethod(service),
            "audit_label": label,
            "__doc__": f"A patient's {label}.",
        },
    )
    return extend_schema_view(list=extend_schema(tags=["patients"]), create=extend_schema(tags=["patients"]))(
        viewset
    )


DiagnosisViewSet = _child(Diagnosis, DiagnosisSerializer, services.diagnosis_add, "diagnoses")
AllergyViewSet = _child(Allergy, AllergySerializer, services.allergy_add, "allergies")
RiskFlagViewSet = _child(RiskFlag, RiskFlagSerializer, services.risk_flag_set, "risk flags")
MeasurementViewSet = _child(Measurement, MeasurementSerializer, services.measurement_record, "measurements")
LabResultViewSet = _child(LabResult, LabResultSerializer, services.lab_record, "labs")

CHILD_ROUTES = {
    "diagnoses": DiagnosisViewSet,
    "allergies": AllergyViewSet,
    "risk-flags": RiskFlagViewSet,
    "measurements": MeasurementViewSet,
    "labs": LabResultViewSet,
}


def register_routes(router) -> None:
    router.register("patients", PatientViewSet, basename="patient")
    for prefix, viewset in CHILD_ROUTES.items():
        router.register(rf"patients/(?P<patient_id>\d+)/{prefix}", viewset, basename=f"patient-{prefix}")
