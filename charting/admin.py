"""The chairside record in the admin: each infusion session, read-only, with its summary."""

from django.contrib import admin
from django.template.loader import render_to_string

from charting import selectors
from charting.models import InfusionSession, ProductBarcode
from clinic.audit import AuditedAdminMixin


class InfusionSessionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "patient", "chair", "status", "checked_in_at", "grams_given", "reactions"]
    list_filter = ["status", "booking__site"]
    search_fields = ["patient__family_name", "patient__mrn"]
    date_hierarchy = "checked_in_at"
    fields = ["summary"]
    readonly_fields = ["summary"]

    def get_queryset(self, request):
        return selectors.session_detail()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # charted at the chair, read here

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Chair")
    def chair(self, session):
        return session.booking.chair.label

    @admin.display(description="Reactions")
    def reactions(self, session):
        grades = [r.grade for r in session.reactions.all()]
        return f"{len(grades)} (max grade {max(grades)})" if grades else "None"

    @admin.display(description="Summary")
    def summary(self, session):
        if session.started_at is None:
            return "Not started yet."
        return render_to_string(
            "chairside/_summary_admin.html", {"summary": selectors.session_summary(session)}
        )


admin.site.register(InfusionSession, InfusionSessionAdmin)


@admin.register(ProductBarcode)
class ProductBarcodeAdmin(admin.ModelAdmin):
    """The GTINs on each product's vials, so a scanned vial is known to be the order's product."""

    list_display = ["gtin", "product", "note"]
    list_filter = ["product"]
    search_fields = ["gtin"]
