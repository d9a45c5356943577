from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from clinic import views
from infusions.api import register_routes as register_infusion_routes
from patients.api import register_routes as register_patient_routes
from scheduling.api import register_routes as register_scheduling_routes

admin.site.site_header = "Infusion Clinic"
admin.site.site_title = "Infusion Clinic admin"
admin.site.index_title = "Clinic administration"

router = DefaultRouter()
register_patient_routes(router)
register_infusion_routes(router)
register_scheduling_routes(router)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(router.urls)),
    path("api/auth/", include("rest_framework.urls", namespace="rest_framework")),
]

handler404 = "clinic.views.not_found"
handler500 = "clinic.views.server_error"
