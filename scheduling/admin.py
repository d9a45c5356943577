from django.contrib import admin

from scheduling.models import Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "phone"]
    search_fields = ["name"]
