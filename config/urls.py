from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider import views as oauth_views
from rest_framework.routers import DefaultRouter

from charting.api import register_routes as register_session_routes
from clinic.login_throttle import LockoutAwareAdminLoginForm, LockoutAwareLoginForm, ThrottledTokenView
from config import views
from infusions.api import register_routes as register_infusion_routes
from infusions.authorizations import AuthorizationOverrideView
from insurance.api import register_routes as register_insurance_routes
from patients.api import register_routes as register_patient_routes
from scheduling.api import register_routes as register_scheduling_routes

admin.site.site_header = "Infusion Clinic"
admin.site.site_title = "Infusion Clinic admin"
admin.site.index_title = "Clinic administration"
admin.site.login_form = LockoutAwareAdminLoginForm

# The browsable API's login (DRF's own two URLs), with the form that says when logins are locked.
api_auth_urls = (
    [
        path(
            "login/",
            auth_views.LoginView.as_view(
                template_name="rest_framework/login.html", authentication_form=LockoutAwareLoginForm
            ),
            name="login",
        ),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    ],
    "rest_framework",
)

router = DefaultRouter()
register_patient_routes(router)
register_infusion_routes(router)
register_session_routes(router)
register_scheduling_routes(router)
register_insurance_routes(router)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the pages allow no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Insurer clients get tokens here (client credentials); only the token and revoke endpoints exist.
    path("api/v1/oauth/token/", ThrottledTokenView.as_view(), name="oauth-token"),
    path("api/v1/oauth/revoke/", oauth_views.RevokeTokenView.as_view(), name="oauth-revoke"),
    path(
        "api/v1/orders/<int:pk>/authorization-override/",
        AuthorizationOverrideView.as_view(),
        name="order-authorization-override",
    ),
    path("api/v1/reports/", include("reports.urls")),
    path("api/v1/", include(router.urls)),
    path("chairside/", include("charting.urls")),
    # FHIR R4 (fhir/): read and search of the clinic's records, PAS prior authorization; metadata lists it.
    path("fhir/R4/", include("fhir.urls")),
    # A patient's visit link from their reminder (selfservice): /v/<token>, nothing else in the URL.
    path("v/", include("selfservice.urls")),
    # A waitlist offer's link (waitlist): /w/<token>, nothing else in the URL.
    path("w/", include("waitlist.urls")),
    path("api/auth/", include(api_auth_urls)),
]

handler404 = "clinic.views.not_found"
handler500 = "clinic.views.server_error"
