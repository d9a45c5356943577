from django.urls import path, re_path

from selfservice.access import malformed
from selfservice.tokens import TOKEN_PATTERN
from waitlist import views

app_name = "waitlist"

urlpatterns = [
    re_path(rf"^(?P<token>{TOKEN_PATTERN})$", views.offer_page, name="offer"),
    # Anything else under /w/ gets selfservice's neutral page, as a dead link does.
    path("", malformed),
    re_path(r"^(?P<rest>.*)$", malformed),
]
