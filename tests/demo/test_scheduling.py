import pytest
from django.core.management import call_command

from scheduling.models import (
    INACTIVE_STATUSES,
    Booking,
    Chair,
    NurseShift,
    OpeningHours,
    Site,
    SiteMembership,
)

pytestmark = pytest.mark.django_db


def _counts():
    return {
        m.__name__: m.objects.count()
        for m in (Site, Chair, OpeningHours, NurseShift, SiteMembership, Booking)
    }


def test_seed_demo_gives_the_site_chairs_nurses_and_two_weeks_of_bookings(settings):
    settings.DEBUG = True

    call_command("seed_demo", quiet=True)

    site = Site.objects.get()
    assert site.chairs.count() == 12
    assert set(site.chairs.values_list("kind", flat=True)) == {"recliner", "bed"}
    assert site.opening_hours.count() == 5
    assert site.memberships.filter(user__username="nurse").exists()
    # The fortnight of calendar bookings; the infusion seed adds cycles of an order on top (cycle days).
    bookings = list(Booking.objects.filter(site=site, cycle_day__isnull=True))
    assert len(bookings) >= 40
    local = [(b.start.astimezone(site.zone), b.end.astimezone(site.zone)) for b in bookings]
    assert all(start.weekday() < 5 for start, _ in local)
    assert all(180 <= (end - start).total_seconds() / 60 <= 360 for start, end in local)
    assert len({start.date() for start, _ in local}) == 10
    assert sum(b.status in INACTIVE_STATUSES for b in bookings) == 1


def test_seeding_twice_adds_no_calendar_records(settings):
    settings.DEBUG = True
    call_command("seed_demo", quiet=True)
    first = _counts()

    call_command("seed_demo", quiet=True)

    assert _counts() == first
