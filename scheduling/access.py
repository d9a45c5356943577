"""Which sites a user may see. Managers and schedulers (who may write bookings) see every site; other
staff, such as nurses, see the sites they are members of (SiteMembership)."""

from django.db.models import QuerySet

from scheduling.models import Booking, Chair, Site


def sees_all_sites(user) -> bool:
    # has_perm is cached on the user for the request, so this costs no query after the API's own check.
    return user.has_perm("scheduling.change_booking")


def access_sites(user) -> QuerySet[Site]:
    if sees_all_sites(user):
        return Site.objects.all()
    return Site.objects.filter(memberships__user=user)


def access_chairs(user, queryset: QuerySet[Chair]) -> QuerySet[Chair]:
    return queryset if sees_all_sites(user) else queryset.filter(site__memberships__user=user)


def access_bookings(user, queryset: QuerySet[Booking]) -> QuerySet[Booking]:
    return queryset if sees_all_sites(user) else queryset.filter(site__memberships__user=user)


def may_optimise(user) -> bool:
    """Asking for and applying optimiser proposals moves bookings: managers and schedulers."""
    return user.is_authenticated and user.has_perm("scheduling.change_booking")
