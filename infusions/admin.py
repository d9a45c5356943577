from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic.audit import AuditedAdminMixin
from infusions import selectors
from infusions.models import (
    BlockOverride,
    InfusionPolicy,
    LabelRate,
    Product,
    ProtocolStep,
    ResponseRecord,
    TitrationProtocol,
    TreatmentOrder,
)
from infusions.planning import order_plan


class LabelRateInline(admin.TabularInline):
    model = LabelRate
    extra = 0
    verbose_name = "label maximum rate"
    verbose_name_plural = "label maximum rates (longest matching indication prefix wins; empty = general)"


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "brand",
        "manufacturer",
        "route",
        "concentration_percent",
        "vials",
        "hcpcs_code",
        "active",
    ]
    list_filter = ["route", "active"]
    search_fields = ["brand", "manufacturer", "hcpcs_code"]
    inlines = [LabelRateInline]

    @admin.display(description="Vial sizes (g)")
    def vials(self, product):
        return ", ".join(f"{v.normalize():f}" for v in product.vial_sizes_g)


class ProtocolStepInline(admin.TabularInline):
    model = ProtocolStep
    extra = 0
    ordering = ["position"]


@admin.register(TitrationProtocol)
class TitrationProtocolAdmin(admin.ModelAdmin):
    list_display = ["name", "summary"]
    search_fields = ["name"]
    inlines = [ProtocolStepInline]

    def get_queryset(self, request):
        return selectors.protocol_list()

    @admin.display(description="Steps (mL/kg/h, minutes)")
    def summary(self, protocol):
        return " → ".join(str(step) for step in protocol.steps.all())


@admin.register(InfusionPolicy)
class InfusionPolicyAdmin(admin.ModelAdmin):
    """One row; opening the list creates it with the defaults."""

    fieldsets = [
        ("Before an infusion", {"fields": ["lab_window_days", ("dose_min_g_per_kg", "dose_max_g_per_kg")]}),
        ("Dose", {"fields": ["adjusted_weight_threshold_percent", "vial_tolerance_percent"]}),
        ("At-risk patients", {"fields": ["at_risk_protocol", "at_risk_max_ml_per_kg_h"]}),
        ("Chair time", {"fields": [("prep_minutes", "observation_minutes", "grid_minutes")]}),
    ]

    def changelist_view(self, request, extra_context=None):
        InfusionPolicy.current()
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BlockOverrideInline(admin.TabularInline):
    model = BlockOverride
    extra = 0
    fields = ["code", "reason", "overridden_by", "overridden_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ResponseInline(admin.TabularInline):
    model = ResponseRecord
    extra = 0
    fields = ["cycle", "measure", "value", "recorded_by", "recorded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TreatmentOrder)
class TreatmentOrderAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Orders are written through the API's services (so the plan and checks always run); the admin shows
    them with their plan and checks."""

    list_display = ["__str__", "patient", "product", "indication", "status", "review_flag", "start_date"]
    list_filter = ["status", "needs_review", "product"]
    search_fields = ["patient__mrn", "patient__family_name", "prescriber"]
    list_select_related = ["patient", "product", "indication"]
    inlines = [BlockOverrideInline, ResponseInline]
    fieldsets = [
        (None, {"fields": ["patient", "indication", "product", "protocol", "prescriber", "start_date"]}),
        (
            "Dose and course",
            {
                "fields": [
                    ("dose_grams_per_kg", "fixed_grams", "weight_policy"),
                    ("split_days", "interval_days", "cycles"),
                    "premedication",
                ]
            },
        ),
        ("Plan", {"fields": ["plan_table", "checks_table"]}),
        (
            "Status",
            {
                "fields": [
                    "status",
                    ("discontinued_at", "discontinued_reason"),
                    ("replaces", "needs_review", "review_reason"),
                    ("created_by", "created_at"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return selectors.order_list()

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in TreatmentOrder._meta.fields] + ["plan_table", "checks_table"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Review", boolean=False)
    def review_flag(self, order):
        return "⚑ Review" if order.needs_review else "—"

    def _result(self, order):
        if not hasattr(order, "_plan_result"):
            order._plan_result = order_plan(order, policy=InfusionPolicy.current(), now=timezone.now())
        return order._plan_result

    @admin.display(description="Plan")
    def plan_table(self, order):
        result = self._result(order)
        plan = result.plan
        if plan is None:
            return format_html("<strong>No plan</strong>: {} ({})", result.error.message, result.error.code)
        vials = " + ".join(f"{count} x {size.normalize():f} g" for size, count in plan.vials) or "—"
        rows = [
            ("Dosing weight", f"{plan.dosing_weight_kg} kg ({plan.dosing_weight_basis})"),
            ("Dose (this day)", f"{plan.dose_grams} g of {plan.total_grams} g over {plan.days} day(s)"),
            ("Rounded dose", f"{plan.rounded_dose_grams} g: {vials}"),
            ("Volume", f"{plan.volume_ml} mL"),
            ("Billing units", str(plan.billing_units)),
            ("Protocol", result.protocol_name),
            ("Infusion", f"{plan.infusion_minutes} min"),
            (
                "Chair",
                f"{plan.chair_minutes} min ({plan.chair_minutes // 60} h {plan.chair_minutes % 60} min)",
            ),
        ]
        figures = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        steps = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (s.start_minute, s.minutes, s.rate_ml_per_hour, s.volume_ml, "capped" if s.capped else "")
                for s in plan.steps
            ),
        )
        notes = format_html_join("", "<li>{}</li>", ((n,) for n in plan.notes))
        return format_html(
            '<table class="plan">{}</table><table class="plan-steps"><tr><th>Start (min)</th>'
            "<th>Minutes</th><th>Rate (mL/h)</th><th>Volume (mL)</th><th></th></tr>{}</table><ul>{}</ul>",
            figures,
            steps,
            notes,
        )

    @admin.display(description="Checks")
    def checks_table(self, order):
        checks = self._result(order).checks
        if not checks:
            return "No warnings."
        return format_html(
            '<table class="checks"><tr><th>Severity</th><th>Code</th><th>Check</th><th>Override</th></tr>{}'
            "</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        c.severity,
                        c.code,
                        c.message,
                        f"{c.overridden_by}: {c.override_reason}" if c.overridden_by else "",
                    )
                    for c in checks
                ),
            ),
        )
