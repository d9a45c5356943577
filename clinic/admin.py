from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType

from clinic.audit import AuditedAdminMixin, AuditedAutocompleteJsonView
from clinic.notifications import registry
from clinic.notifications.models import Notification, Status
from clinic.notifications.services import broker_reachable, notification_resend
from clinic.preferences import StaffPreference


class AuditTrailAdmin(AuditedAdminMixin, LogEntryAdmin):
    """The audit trail, read-only for everyone: no add, change or delete (the database refuses them too).

    Its rows name patients, so reading it is recorded too.
    """

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, AuditTrailAdmin)


def _audited_autocomplete(request):
    return AuditedAutocompleteJsonView.as_view(admin_site=admin.site)(request)


# The admin's type-ahead offers patients by name and MRN; it goes through the audited view.
admin.site.autocomplete_view = _audited_autocomplete


# --- The notification outbox --------------------------------------------------------------------------


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return registry.kind_choices()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class PatientFilter(admin.SimpleListFilter):
    """One patient's history (linked from the patient's page as ?patient=<id>)."""

    title = "patient"
    parameter_name = "patient"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, f"Patient #{value}")] if value else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        patient_type = ContentType.objects.get_by_natural_key("patients", "patient")
        return queryset.filter(recipient_type=patient_type, recipient_id=self.value())


@admin.register(Notification)
class NotificationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The outbox, read-only: what is due, what went out, what failed and why. Failed rows can be resent."""

    list_display = [
        "id",
        "kind",
        "channel",
        "recipient_label",
        "record_label",
        "due_at",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", KindFilter, "channel", PatientFilter]
    date_hierarchy = "due_at"
    actions = ["resend"]
    list_select_related = ["recipient_type", "record_type"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("recipient", "record")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Recipient")
    def recipient_label(self, row):
        return (
            str(row.recipient)
            if row.recipient is not None
            else f"{row.recipient_type.model} #{row.recipient_id}"
        )

    @admin.display(description="About")
    def record_label(self, row):
        label = str(row.record) if row.record is not None else f"{row.record_type.model} #{row.record_id}"
        return f"{label} {row.record_key}".strip()

    @admin.action(description="Resend the selected failed messages", permissions=["change"])
    def resend(self, request, queryset):
        resent = sum(notification_resend(notification=row) for row in queryset.filter(status=Status.FAILED))
        skipped = queryset.count() - resent
        if resent and not broker_reachable():
            self.message_user(
                request,
                f"{resent} message(s) queued again, but the message queue (Redis) is unreachable: they go "
                "out at the first dispatch after it is back. Nothing is lost.",
                messages.WARNING,
            )
        else:
            self.message_user(request, f"{resent} message(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected message(s) were not failed and were left as they are.",
                messages.WARNING,
            )


# --- Staff preferences ----------------------------------------------------------------------------------


@admin.register(StaffPreference)
class StaffPreferenceAdmin(admin.ModelAdmin):
    """A nurse's tablet language, set by a manager here or by the nurse on the tablet."""

    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
