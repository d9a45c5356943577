"""The links sent to patients, read-only: which booking, when made, opened, used, revoked and why.
The tokens themselves are not kept (only their hashes, which are not shown)."""

from django.contrib import admin

from clinic.audit import AuditedAdminMixin
from selfservice.models import LinkToken


@admin.register(LinkToken)
class LinkTokenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "purpose", "booking", "created_at", "expires_at", "last_opened_at", "revoked_at"]
    list_filter = ["purpose"]
    raw_id_fields = ["booking", "patient"]
    fields = [
        "purpose",
        "patient",
        "booking",
        "ref",
        "created_at",
        "expires_at",
        "last_opened_at",
        "used_at",
        "revoked_at",
        "revoked_reason",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("booking__site", "patient")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
