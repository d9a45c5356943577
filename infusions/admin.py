from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from clinic.admin_actions import ActionPagesMixin
from clinic.audit import AuditedAdminMixin
from infusions import admin_booking, admin_order_actions, admin_patient, cycles, selectors, services
from infusions.admin_order_form import OrderEntryForm
from infusions.models import (
    BlockOverride,
    InfusionPolicy,
    LabelRate,
    OrderStatus,
    Product,
    ProtocolStep,
    ResponseRecord,
    TitrationProtocol,
    TreatmentOrder,
)
from infusions.models.policy_children import child_limit_rows
from infusions.planning import order_plan
from patients.admin_panels import register_patient_panel
from scheduling.board_hooks import register_book_here, register_booking_words

register_patient_panel("orders", admin_patient.orders_panel)
register_booking_words(admin_booking.booking_words)
register_book_here(admin_booking.book_here_url)


class LabelRateInline(admin.TabularInline):
    model = LabelRate
    extra = 0
    verbose_name = "label rate"
    verbose_name_plural = (
        "label rates: start, steps and maximum (longest matching indication prefix wins; empty = general)"
    )


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
    list_display = ["name", "summary", "over"]
    fields = ["name", "description", ("over_hours_min", "over_hours_max")]
    search_fields = ["name"]
    inlines = [ProtocolStepInline]

    def get_queryset(self, request):
        return selectors.protocol_list()

    @admin.display(description="Steps (mL/kg/h, minutes)")
    def summary(self, protocol):
        return " → ".join(str(step) for step in protocol.steps.all())

    @admin.display(description="Over a fixed time")
    def over(self, protocol):
        hours = protocol.over_hours()
        return f"{hours[0].normalize():f}-{hours[1].normalize():f} h" if hours else "—"


@admin.register(InfusionPolicy)
class InfusionPolicyAdmin(admin.ModelAdmin):
    """One row; opening the list creates it with the defaults."""

    fieldsets = [
        ("Before an infusion", {"fields": ["lab_window_days", ("dose_min_g_per_kg", "dose_max_g_per_kg")]}),
        (
            "Dose",
            {
                "fields": [
                    "adjusted_weight_threshold_percent",
                    "vial_tolerance_percent",
                    ("max_g_per_kg_actual", "max_ml_per_kg_actual"),
                    "paediatric_ideal_weight",
                ]
            },
        ),
        ("At-risk patients", {"fields": ["at_risk_protocol", "at_risk_max_ml_per_kg_h"]}),
        ("Chair time", {"fields": [("prep_minutes", "observation_minutes", "grid_minutes")]}),
        (
            "Vitals: out-of-range flags and how often",
            {
                "description": "A reading past these limits is saved with a flag: the tablet suggests "
                "slowing or pausing and asks whether this is a reaction. A reading no patient can have "
                "(systolic 400 mmHg, SpO2 over 100%, 50 °C, diastolic not below systolic) is refused "
                "whatever these say. Changes apply to the next reading taken.",
                "fields": [
                    ("systolic_low", "systolic_high", "diastolic_high"),
                    ("heart_rate_low", "heart_rate_high"),
                    ("temperature_high_c", "respiratory_rate_high", "spo2_low"),
                    ("temperature_rise_c", "systolic_change", "heart_rate_rise"),
                    ("vitals_titration_minutes", "vitals_steady_minutes"),
                ],
            },
        ),
        (
            "Vitals for children: out-of-range flags by age band",
            {
                "description": "A child's reading is judged by the limits of the age band the patient is in "
                "on the day of the reading (infant under 1 year, toddler 1-2, preschool 3-5, school age "
                "6-11, adolescent 12-17); temperature, SpO2, the changes from the baseline and the "
                "intervals above apply to everyone. Defaults: the American Heart Association's PALS 2020 "
                "normal ranges and hypotension limits (the README lists every figure).",
                "fields": child_limit_rows(),
            },
        ),
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
class TreatmentOrderAdmin(ActionPagesMixin, AuditedAdminMixin, admin.ModelAdmin):
    """New orders are entered through `services.order_create` (so the plan and checks always run); after
    that an order is read-only here: it is put on hold, discontinued or replaced (order entry prefilled,
    saved by `services.order_replace`) from its page (`infusions.admin_order_actions`)."""

    list_display = ["__str__", "patient", "product", "indication", "status", "review_flag", "start_date"]
    list_filter = ["status", "needs_review", "product"]
    search_fields = ["patient__mrn", "patient__family_name", "prescriber"]
    list_select_related = ["patient", "product", "indication"]
    inlines = [BlockOverrideInline, ResponseInline]
    fieldsets = [
        ("Cycles", {"fields": ["cycle_actions"]}),
        (
            None,
            {
                "fields": [
                    "order_status",
                    "patient",
                    "indication",
                    "product",
                    "protocol_used",
                    "prescriber",
                    "start_date",
                ]
            },
        ),
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
                    "hold_reason",
                    ("replaces", "needs_review", "review_reason"),
                    ("created_by", "created_at"),
                ]
            },
        ),
    ]
    action_pages = admin_order_actions.ORDER_ACTIONS
    action_permission = "infusions.change_treatmentorder"
    action_url_name = "infusions_treatmentorder_status_action"
    action_template = "admin/infusions/order_action.html"
    action_object_name = "order"
    action_audit_label = "treatment order"

    autocomplete_fields = ["patient"]
    add_fieldsets = [
        (None, {"fields": ["patient", "indication_code", "product", "protocol", "prescriber", "start_date"]}),
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
        ("Blocking checks", {"fields": ["override_reason"]}),
        ("Duplicate", {"fields": ["confirm_duplicate"]}),
    ]

    def get_queryset(self, request):
        return selectors.order_list()

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in TreatmentOrder._meta.fields] + [
            "order_status",
            "protocol_used",
            "cycle_actions",
            "plan_table",
            "checks_table",
        ]

    def get_inlines(self, request, obj):
        return [] if obj is None else super().get_inlines(request, obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:order_id>/book/",
                view(lambda request, order_id: admin_booking.finder_view(self, request, order_id)),
                name="infusions_treatmentorder_book",
            ),
            path(
                "preview/",
                view(self.preview_view),
                name="infusions_treatmentorder_preview",
            ),
            path(
                "book-here/",
                view(lambda request: admin_booking.book_here_view(self, request)),
                name="infusions_treatmentorder_book_here",
            ),
            path(
                "<int:order_id>/book/confirm/",
                view(lambda request, order_id: admin_booking.confirm_view(self, request, order_id)),
                name="infusions_treatmentorder_book_confirm",
            ),
            *self.action_page_urls(),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The add form's live plan: the form as typed, planned and checked by the same service as a
        save (`services.order_build`), rendered as the saved order's plan and checks; nothing saved."""
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        form = self.get_form(request)(request.POST)
        form.is_valid()
        result = getattr(form, "result", None)
        # The reason for a replacement is asked on saving; the plan does not depend on it.
        problems = [
            str(m) for name, errors in form.errors.items() if name != "replace_reason" for m in errors
        ]
        return TemplateResponse(
            request,
            "admin/infusions/_order_live_plan.html",
            {
                "result": result,
                "problems": problems,
                "chair_hours": result.plan.chair_minutes // 60 if result and result.plan else 0,
                "chair_rest": result.plan.chair_minutes % 60 if result and result.plan else 0,
            },
        )

    def add_view(self, request, form_url="", extra_context=None):
        extra = {"live_plan_url": reverse("admin:infusions_treatmentorder_preview")}
        replaced = self._replaced(request)
        if replaced is not None:
            # The preview plans the form as a replacement too: the old order is no duplicate of it.
            extra["live_plan_url"] += f"?{admin_order_actions.REPLACES}={replaced.pk}"
            extra["title"] = f"Replace {replaced}"
            extra["replaced"] = replaced
            extra.update(admin_order_actions.bookings_context(replaced))
        return super().add_view(request, form_url, {**(extra_context or {}), **extra})

    def _replaced(self, request) -> TreatmentOrder | None:
        """The order being replaced (`?replaces=<id>` on the add form), if the user may change it."""
        order_id = request.GET.get(admin_order_actions.REPLACES, "")
        if not order_id.isdigit():
            return None
        if not request.user.has_perm(self.action_permission):
            raise PermissionDenied
        if not hasattr(request, "_replaced_order"):
            request._replaced_order = selectors.order_list().filter(pk=order_id).first()
        return request._replaced_order

    def get_changeform_initial_data(self, request):
        replaced = self._replaced(request)
        if replaced is None:
            return super().get_changeform_initial_data(request)
        names = [n for n in services.ORDER_INPUTS if n != "indication"]
        initial = {name: getattr(replaced, name) for name in names}
        initial.update(
            patient=replaced.patient_id,
            product=replaced.product_id,
            protocol=replaced.protocol_id,
            indication_code=replaced.indication.code,
            start_date=max(replaced.start_date, timezone.localdate()),
        )
        return initial

    def action_audited(self, order):
        return [order.patient]

    def action_page_context(self, order):
        return admin_order_actions.bookings_context(order)

    @admin.display(description="Status")
    def order_status(self, order):
        return admin_order_actions.status_line(order)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The status changes sit with the page's other tools (top right), for those who may make them.
        if obj is not None and request.user.has_perm(self.action_permission):
            context["status_actions"] = admin_order_actions.status_actions(
                obj, self.action_page_url, may_replace=self.has_add_permission(request)
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Booked and to book")
    def cycle_actions(self, order):
        zone_of = {}
        booked = []
        for booking in cycles.order_bookings(order.pk):
            zone = zone_of.setdefault(booking.site_id, booking.site.zone)
            day = booking.cycle_day
            booked.append(
                {
                    "what": f"Cycle {day.cycle}, day {day.day}" if day.cycle else "Session",
                    "when": admin_booking.when(booking.start, booking.end, zone),
                    "where": f"{booking.chair.name}, {booking.site.name}",
                    "status": booking.get_status_display(),
                    "url": reverse("admin:scheduling_booking_change", args=[booking.pk]),
                    "early": day.early_reason,
                }
            )
        return render_to_string(
            "admin/infusions/_order_cycles.html",
            {
                "order": order,
                "active": order.status == OrderStatus.ACTIVE,
                "links": admin_booking.book_links(order),
                "booked": booked,
            },
        )

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return super().get_fieldsets(request, obj)
        replaced = self._replaced(request)
        if replaced is None:
            return self.add_fieldsets
        return [(f"Replacing {replaced}", {"fields": ["replace_reason"]}), *self.add_fieldsets]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        form = super().get_form(request, obj, change=change, form=OrderEntryForm, **kwargs)

        replaced = self._replaced(request)

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, replaces=replaced, **inner)

        return WithUser

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        if form.replaces is not None:
            return services.order_replace(
                order=form.replaces,
                reason=form.cleaned_data["replace_reason"],
                created_by=request.user,
                overrides=form.overrides,
                **form.replace_changes(),
            )
        return services.order_create(created_by=request.user, overrides=form.overrides, **form.order_inputs())

    def save_model(self, request, obj, form, change):
        # A new order was saved by order_create in save_form; orders are never changed here.
        pass

    def save_related(self, request, form, formsets, change):
        pass

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

    @admin.display(description="Protocol")
    def protocol_used(self, order):
        """The protocol the plan follows (the capped one, the label's schedule), as the plan says it."""
        url = reverse("admin:infusions_titrationprotocol_change", args=[order.protocol_id])
        used = self._result(order).protocol_used
        if used == order.protocol.name:
            return format_html('<a href="{}">{}</a>', url, used)
        return format_html(
            '{}<div class="help">Ordered: <a href="{}">{}</a></div>', used, url, order.protocol.name
        )

    @admin.display(description="Plan")
    def plan_table(self, order):
        result = self._result(order)
        chair = result.plan.chair_minutes if result.plan else 0
        return render_to_string(
            "admin/infusions/_order_plan.html",
            {"result": result, "chair_hours": chair // 60, "chair_rest": chair % 60},
        )

    @admin.display(description="Checks")
    def checks_table(self, order):
        return render_to_string("admin/infusions/_order_checks.html", {"checks": self._result(order).checks})
