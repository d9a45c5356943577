from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import JavaScriptCatalog

from charting import screen_lock, views
from clinic.login_throttle import LockoutAwareLoginForm

app_name = "chairside"

urlpatterns = [
    path("", views.board_page, name="board"),
    path("sw.js", views.service_worker, name="service-worker"),
    # The tablet script's strings in the page's language (a static script of our own: CSP allows it).
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["charting"]), name="jsi18n"),
    path("language/", views.language_change, name="language"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="chairside/login.html",
            next_page="chairside:board",
            authentication_form=LockoutAwareLoginForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="chairside:login"), name="logout"),
    path("lock/", screen_lock.lock_view, name="lock"),
    path("unlock/", screen_lock.unlock_view, name="unlock"),
    path("bookings/<int:booking_id>/", views.session_page, name="session"),
    path("sessions/<int:session_id>/summary/", views.summary_page, name="summary"),
    path("sessions/<int:session_id>/live/", views.live_fragment, name="live"),
]
