"""Staff pages speak the site's local time: the admin activates the requesting user's site zone.

A user who belongs to one site (SiteMembership) sees that site's zone; a user of several sites the first
of them; anyone else the clinic's only site, or the first site, when there is one (a single-site clinic
is the common case), else the server's zone. Forms then read times typed in that zone, and every time
shown is in it; the admin's date-time format carries the zone's abbreviation ("09:30 EST",
config/formats/en/formats.py). The API is not touched: it speaks ISO 8601 with offsets.

The zone is kept in the session (it is read there with the session, at no extra query) and looked up
again after a log-in.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Site

SESSION_KEY = "site_time_zone"


def user_zone_name(user) -> str:
    """The name of the time zone `user` should see (two queries at most)."""
    mine = list(
        Site.objects.filter(memberships__user=user).order_by("pk").values_list("time_zone", flat=True)[:1]
    )
    if mine:
        return mine[0]
    first = list(Site.objects.order_by("pk").values_list("time_zone", flat=True)[:1])
    return first[0] if first else settings.TIME_ZONE


class SiteTimeZoneMiddleware:
    """Activate the user's site zone for the admin's pages (after authentication and sessions)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        if self.prefix is None:
            self.prefix = reverse("admin:index")
        user = getattr(request, "user", None)
        if request.path.startswith(self.prefix) and user is not None and user.is_authenticated:
            cached = request.session.get(SESSION_KEY)
            if cached is None or cached[0] != user.pk:
                cached = (user.pk, user_zone_name(user))
                request.session[SESSION_KEY] = cached
            try:
                timezone.activate(ZoneInfo(cached[1]))
            except (ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            try:
                return self.get_response(request)
            finally:
                timezone.deactivate()
        return self.get_response(request)
