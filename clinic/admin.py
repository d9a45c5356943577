from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin


class AuditTrailAdmin(LogEntryAdmin):
    """The audit trail, read-only for everyone: no add, change or delete (the database refuses them too)."""

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, AuditTrailAdmin)
