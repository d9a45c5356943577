"""Insurance in the admin: payers and their API clients, coverages, and the prior-authorization
worklist (overdue, due soon, pended, units short, expiring, denied), each row coloured by urgency.

Status changes go through `insurance.services`, as the API's do: staff record a decision taken by
phone or fax at `<id>/decide/`, and submit, appeal or cancel at `<id>/submit/`, `appeal/`, `cancel/`.
"""

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic.admin_actions import ActionPage, ActionPagesMixin
from clinic.audit import AuditedAdminMixin
from insurance import selectors, services
from insurance.due import due_words
from insurance.models import (
    AuthorizationDocument,
    AuthorizationEvent,
    AuthorizationOverride,
    AuthorizationUsage,
    AuthStatus,
    Coverage,
    Payer,
    PayerClient,
    PriorAuthorization,
)

# The worklist's badges in a word or two, so the list fits a 1366 px desk; each keeps the full reason
# (selectors.WORKLIST) as its tooltip. Their colours, and the row's, are in insurance/worklist.css.
WORKLIST_BADGES = {
    "overdue": "Overdue",
    "due_soon": "Due < 24 h",
    "pended": "Pended",
    "units_short": "Units short",
    "expiring": "Expiring",
    "denied": "Denied",
}


class PayerClientInline(admin.TabularInline):
    model = PayerClient
    extra = 0
    raw_id_fields = ["application"]


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "requires_authorization", "phone", "fax"]
    search_fields = ["name", "code"]
    inlines = [PayerClientInline]


@admin.register(Coverage)
class CoverageAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["patient", "payer", "member_id", "plan_name", "priority", "valid_from", "valid_to"]
    list_filter = ["payer"]
    search_fields = ["member_id", "patient__mrn", "patient__family_name"]
    raw_id_fields = ["patient"]
    list_select_related = ["patient", "payer"]

    def save_model(self, request, obj, form, change):
        # Through the service: a coverage moved to another payer takes its authorizations along.
        services.coverage_save(coverage=obj)


class WorklistFilter(admin.SimpleListFilter):
    title = "worklist"
    parameter_name = "worklist"

    def lookups(self, request, model_admin):
        return list(selectors.WORKLIST.items())

    def queryset(self, request, queryset):
        if self.value() in selectors.WORKLIST:
            return queryset.filter(selectors.worklist_filter(self.value(), now=timezone.now()))
        return queryset


class DocumentInline(admin.TabularInline):
    model = AuthorizationDocument
    extra = 1
    fields = ["title", "file", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]


class UsageInline(admin.TabularInline):
    model = AuthorizationUsage
    extra = 0
    fields = ["booking_id", "status", "units", "service_date", "updated_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = AuthorizationEvent
    extra = 0
    fields = ["at", "kind", "from_status", "to_status", "by", "via", "reason", "data"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "History"

    def has_add_permission(self, request, obj=None):
        return False


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=services.DECISION_CHOICES)
    via = forms.ChoiceField(choices=[("phone", "Phone"), ("fax", "Fax")], label="Received by")
    number = forms.CharField(required=False, max_length=40, label="Authorization number")
    units_approved = forms.IntegerField(required=False, min_value=0)
    infusions_approved = forms.IntegerField(required=False, min_value=0)
    valid_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    denial_code = forms.CharField(required=False, max_length=20)
    denial_reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    information_requested = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(required=False, help_text="Who called or faxed, reference number.")


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class SubmitForm(forms.Form):
    reason = forms.CharField(required=False, label="Note", help_text="E.g. what information was sent.")


def _with_reason(service):
    """Run a transition service that takes the staff member's reason (submit, appeal, cancel)."""
    return lambda request, auth, data: service(authorization=auth, by=request.user, reason=data["reason"])


# Each action calls the service the insurer API and the tasks use; every change is in the history.
ACTIONS = {
    "decide": ActionPage(
        DecisionForm,
        "Record a phone or fax decision",
        "Record decision",
        run=lambda request, auth, data: services.authorization_decide(
            authorization=auth, by=request.user, **data
        ),
    ),
    "submit": ActionPage(
        SubmitForm, "Submit to the payer", "Submit", run=_with_reason(services.authorization_submit)
    ),
    "appeal": ActionPage(
        ReasonForm, "Appeal the decision", "Appeal", run=_with_reason(services.authorization_appeal)
    ),
    "cancel": ActionPage(
        ReasonForm,
        "Cancel the authorization",
        "Cancel authorization",
        run=_with_reason(services.authorization_cancel),
    ),
}


class AuthorizationAddForm(forms.ModelForm):
    class Meta:
        model = PriorAuthorization
        fields = [
            "coverage",
            "urgency",
            "hcpcs_code",
            "icd10_code",
            "units_requested",
            "infusions_requested",
            "requested_from",
            "requested_to",
            "order_id",
            "notes",
        ]


@admin.register(PriorAuthorization)
class PriorAuthorizationAdmin(ActionPagesMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "attention",
        "__str__",
        "patient",
        "payer",
        "status_and_urgency",
        "decision_due",
        "valid_to",
        "remaining",
        "next_steps",
    ]
    list_display_links = ["__str__"]
    list_filter = [WorklistFilter, "status", "urgency", "payer"]
    search_fields = ["number", "coverage__member_id", "patient__mrn", "patient__family_name"]
    raw_id_fields = ["coverage"]
    inlines = [DocumentInline, UsageInline, EventInline]
    readonly_fields = [
        "payer",
        "patient",
        "status",
        "number",
        "units_approved",
        "infusions_approved",
        "valid_from",
        "valid_to",
        "units_per_cycle",
        "submitted_at",
        "due_at",
        "decided_at",
        "denial_code",
        "denial_reason",
        "information_requested",
        "created_by",
    ]

    action_pages = ACTIONS
    action_permission = "insurance.change_priorauthorization"
    action_url_name = "insurance_authorization_action"
    action_template = "admin/insurance/authorization_action.html"
    action_object_name = "authorization"
    action_audit_label = "authorization"

    class Media:
        css = {"all": ["insurance/worklist.css"]}

    def get_queryset(self, request):
        # Most urgent first (overdue decisions at the top), so nothing lapses below the fold.
        return selectors.with_attention(
            selectors.with_remaining(selectors.authorization_list()), now=timezone.now()
        )

    def changelist_view(self, request, extra_context=None):
        # A work list of nine columns next to its filters: the admin's menu would push it past 1366 px,
        # so it is left out here (the breadcrumbs lead back).
        extra = {"is_nav_sidebar_enabled": False}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def get_ordering(self, request):
        return list(selectors.WORKLIST_ORDER)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AuthorizationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # What was requested is fixed once created; decisions are recorded through the actions.
        return [*self.readonly_fields, *(f for f in AuthorizationAddForm.Meta.fields if f != "notes")]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": AuthorizationAddForm.Meta.fields})]
        return [
            (None, {"fields": ["coverage", "payer", "patient", "status", "urgency", "order_id"]}),
            (
                "Request",
                {
                    "fields": [
                        "hcpcs_code",
                        "icd10_code",
                        ("units_requested", "infusions_requested"),
                        ("requested_from", "requested_to"),
                        "submitted_at",
                        "due_at",
                    ]
                },
            ),
            (
                "Decision",
                {
                    "fields": [
                        "decided_at",
                        "number",
                        ("units_approved", "infusions_approved"),
                        ("valid_from", "valid_to"),
                        "units_per_cycle",
                        "denial_code",
                        "denial_reason",
                        "information_requested",
                    ]
                },
            ),
            (None, {"fields": ["notes", "created_by"]}),
        ]

    def save_model(self, request, obj, form, change):
        if change:
            services.authorization_notes_update(authorization=obj, notes=form.cleaned_data["notes"])
            return
        data = form.cleaned_data
        created = services.authorization_create(created_by=request.user, **data)
        obj.pk = created.pk

    def save_formset(self, request, form, formset, change):
        """Documents go through `insurance.services` (the only inline that takes input)."""
        formset.save(commit=False)  # sorts the rows into new, changed and deleted; saves nothing
        for document in formset.deleted_objects:
            services.authorization_document_remove(document=document)
        for document, _ in formset.changed_objects:
            services.authorization_document_update(
                document=document, title=document.title, file=document.file
            )
        for document in formset.new_objects:
            document.pk = services.authorization_document_add(
                authorization=form.instance, title=document.title, file=document.file, by=request.user
            ).pk

    @admin.display(description="", ordering="attention_rank")
    def attention(self, auth):
        reasons = selectors.worklist_reasons(auth, now=timezone.now())
        if not reasons:
            return ""
        return format_html_join(
            " ",
            '<span class="wl wl-{}" title="{}">{}</span>',
            ((r, selectors.WORKLIST[r], WORKLIST_BADGES[r]) for r in reasons),
        )

    @admin.display(description="Status", ordering="status")
    def status_and_urgency(self, auth):
        return format_html(
            "{}<br><small>{}</small>", auth.get_status_display(), auth.get_urgency_display().split(" (")[0]
        )

    @admin.display(description="Decision due", ordering="due_at")
    def decision_due(self, auth):
        """'overdue by 2 h' over its time in the site's zone (the one the admin activated)."""
        if auth.due_at is None:
            return "-"
        local = timezone.localtime(auth.due_at)
        return format_html(
            '<span class="wl-due">{}</span><br><small>{}</small>',
            due_words(auth.due_at, timezone.now()),
            f"{local:%a %d %b %H:%M %Z}",
        )

    @admin.display(description="Units left")
    def remaining(self, auth):
        if auth.units_approved is None:
            return "-"
        return format_html(
            "{} of {} left<br><small>{} reserved</small>",
            auth.remaining_units,
            auth.units_approved,
            auth.units_reserved,
        )

    @admin.display(description="Actions")
    def next_steps(self, auth):
        links = []
        if auth.status in services.DECIDABLE:
            links.append(("decide", "Record decision"))
        if AuthStatus.SUBMITTED in services.TRANSITIONS[auth.status]:
            links.append(("submit", "Submit" if auth.status == AuthStatus.DRAFT else "Resubmit"))
        if AuthStatus.APPEALED in services.TRANSITIONS[auth.status]:
            links.append(("appeal", "Appeal"))
        return self.action_links(auth, links)

    def get_urls(self):
        return [*self.action_page_urls(), *super().get_urls()]

    def action_object(self, request, object_id):
        return get_object_or_404(PriorAuthorization.objects.select_related("payer", "coverage"), pk=object_id)


@admin.register(AuthorizationOverride)
class AuthorizationOverrideAdmin(admin.ModelAdmin):
    list_display = ["order_id", "reason", "overridden_by", "overridden_at", "used_cycle", "used_at"]
    readonly_fields = ["overridden_by", "overridden_at", "used_cycle", "used_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        created = services.authorization_override_record(
            order_id=obj.order_id, reason=obj.reason, by=request.user
        )
        obj.pk = created.pk
