from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from clinic.audit import AuditedAdminMixin
from patients import icd10, selectors, services
from patients.admin_panels import patient_panels
from patients.models import Allergy, Diagnosis, LabResult, Measurement, Patient, RiskFlag

# A patient's records are added through the services the API uses (which also say who recorded them).
RECORD_ADDS = {
    Diagnosis: services.diagnosis_add,
    Allergy: services.allergy_add,
    RiskFlag: services.risk_flag_set,
    Measurement: services.measurement_record,
    LabResult: services.lab_record,
}


class ICD10Input(forms.TextInput):
    """A text box that offers the IVIG indications first (an HTML datalist) but takes any valid code."""

    def render(self, name, value, attrs=None, renderer=None):
        list_id = "icd10-indications"
        attrs = {**(attrs or {}), "list": list_id, "autocomplete": "off", "placeholder": "e.g. G61.81"}
        box = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}">{}</option>', icd10.INDICATIONS)
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


class DiagnosisForm(forms.ModelForm):
    class Meta:
        model = Diagnosis
        fields = ["code", "description", "diagnosed_on", "is_primary"]
        widgets = {"code": ICD10Input}


class DiagnosisInline(admin.TabularInline):
    model = Diagnosis
    form = DiagnosisForm
    extra = 0


class AllergyInline(admin.TabularInline):
    model = Allergy
    extra = 0


class RiskFlagInline(admin.TabularInline):
    model = RiskFlag
    extra = 0
    verbose_name = "contraindication or risk flag"
    verbose_name_plural = "contraindications and risk flags"


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0
    fields = ["kind", "value", "measured_at"]
    ordering = ["-measured_at"]


class LabResultInline(admin.TabularInline):
    model = LabResult
    extra = 0
    fields = ["test", "value", "unit", "collected_at"]
    ordering = ["-collected_at"]


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "mrn",
        "family_name",
        "given_name",
        "date_of_birth",
        "latest_weight",
        "latest_egfr",
        "flags",
    ]
    list_display_links = ["mrn", "family_name"]

    class Media:
        js = ["clinic/admin_local_time.js"]  # times are labelled with the site's zone; no offset note

    search_fields = ["mrn", "family_name", "given_name", "date_of_birth"]
    search_help_text = "Search by MRN, name, or date of birth (YYYY-MM-DD)."
    list_filter = ["sex", "reminder_channel", "reminder_opt_out", "risk_flags__kind"]
    readonly_fields = ["created_at", "updated_at", "reminder_history"]
    inlines = [DiagnosisInline, AllergyInline, RiskFlagInline, MeasurementInline, LabResultInline]
    fieldsets = [
        (None, {"fields": ["mrn", ("given_name", "family_name"), ("date_of_birth", "sex")]}),
        (
            "Contact and reminders",
            {
                "fields": [
                    ("phone", "email"),
                    ("reminder_channel", "reminder_opt_out"),
                    "preferred_language",
                    ("quiet_hours_start", "quiet_hours_end"),
                    "reminder_history",
                ]
            },
        ),
        ("Record", {"fields": [("created_at", "updated_at")], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return selectors.patient_list().prefetch_related("risk_flags")

    def save_model(self, request, obj, form, change):
        # The form has validated; the services save (the same path as the API's).
        data = form.cleaned_data
        fields = {name: data[name] for name in services.PATIENT_FIELDS if name in data}
        if change:
            changed = {name: value for name, value in fields.items() if name in form.changed_data}
            services.patient_update(patient=obj, **changed)
            return
        obj.pk = services.patient_create(**fields).pk
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        """The inline rows go through `patients.services`: added as the API adds them, corrected with
        `patient_record_update`, removed with `patient_record_remove`."""
        formset.save(commit=False)  # sorts the rows into new, changed and deleted; saves nothing
        for record in formset.deleted_objects:
            services.patient_record_remove(record=record)
        for record, changed in formset.changed_objects:
            services.patient_record_update(record=record, **{name: getattr(record, name) for name in changed})
        add = RECORD_ADDS[formset.model]
        by = {"recorded_by": request.user} if hasattr(formset.model, "recorded_by") else {}
        fields = [name for name in formset.form.base_fields if name not in (formset.fk.name, "recorded_by")]
        for record in formset.new_objects:
            values = {name: getattr(record, name) for name in fields}
            record.pk = add(patient=form.instance, **values, **by).pk

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The page opens with a summary the apps above patients add (patients/admin_panels.py).
        patient = self.get_object(request, object_id)
        panels = [panel(request, patient) for _, panel in patient_panels()] if patient else []
        extra_context = {**(extra_context or {}), "patient_summary": [p for p in panels if p]}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="Latest weight", ordering="latest_weight_kg")
    def latest_weight(self, patient):
        if patient.latest_weight_kg is None:
            return "—"
        return f"{patient.latest_weight_kg} kg ({patient.latest_weight_at:%Y-%m-%d})"

    @admin.display(description="Latest eGFR", ordering="latest_egfr")
    def latest_egfr(self, patient):
        if patient.latest_egfr is None:
            return "—"
        return f"{patient.latest_egfr.normalize():f} ({patient.latest_egfr_at:%Y-%m-%d})"

    @admin.display(description="Reminders")
    def reminder_history(self, patient):
        if not patient.pk:
            return "—"
        url = reverse("admin:clinic_notification_changelist") + f"?patient={patient.pk}"
        return format_html('<a href="{}">Messages sent and due</a>', url)

    @admin.display(description="Flags")
    def flags(self, patient):
        labels = [
            ("⛔ " if flag.is_contraindication else "⚠ ") + flag.get_kind_display()
            for flag in patient.risk_flags.all()
        ]
        return format_html_join(mark_safe("<br>"), "{}", ((label,) for label in labels)) or "—"
