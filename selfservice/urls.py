from django.urls import path, re_path

from selfservice import access, views
from selfservice.tokens import TOKEN_PATTERN

app_name = "selfservice"

T = rf"(?P<token>{TOKEN_PATTERN})"

urlpatterns = [
    re_path(rf"^{T}$", views.visit, name="visit"),
    re_path(rf"^{T}/confirm$", views.confirm, name="confirm"),
    re_path(rf"^{T}/cancel$", views.cancel, name="cancel"),
    re_path(rf"^{T}/move$", views.move, name="move"),
    re_path(rf"^{T}/move/ask$", views.move_ask, name="move_ask"),
    re_path(rf"^{T}/move/do$", views.move_do, name="move_do"),
    # Anything else under /v/ gets the same neutral page as a dead link.
    path("", access.malformed),
    re_path(r"^(?P<rest>.*)$", access.malformed),
]
