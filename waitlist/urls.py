from django.urls import path, re_path

from selfservice.access import malformed
from selfservice.tokens import TOKEN_PATTERN
from waitlist import views, visit_panel

app_name = "waitlist"

urlpatterns = [
    re_path(rf"^(?P<token>{TOKEN_PATTERN})$", views.offer_page, name="offer"),
    # The visit page's "Tell me if an earlier time frees up" (a visit link's token).
    re_path(rf"^(?P<token>{TOKEN_PATTERN})/earlier$", visit_panel.visit_join, name="visit_join"),
    # Anything else under /w/ gets selfservice's neutral page, as a dead link does.
    path("", malformed),
    re_path(r"^(?P<rest>.*)$", malformed),
]
