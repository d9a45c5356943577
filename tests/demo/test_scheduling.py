from datetime import time

import pytest
from django.core.management import call_command

from scheduling.models import (
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


def test_seed_demo_gives_the_site_chairs_twelve_hour_days_and_a_roster(settings):
    settings.DEBUG = True

    call_command("seed_demo", quiet=True)

    site = Site.objects.get()
    assert site.chairs.count() == 12
    assert set(site.chairs.values_list("kind", flat=True)) == {"recliner", "bed"}
    # Weekdays 07:00-19:00, long enough for the 11-hour paediatric Kawasaki session.
    assert {(h.weekday, h.opens, h.closes) for h in site.opening_hours.all()} == {
        (day, time(7, 0), time(19, 0)) for day in range(5)
    }
    assert site.memberships.filter(user__username="nurse").exists()
    # Three nurses a weekday from last week's Monday (22 February; it is Monday 1 March) to 12 weeks on
    # (Monday 24 May): 13 weeks of 5 weekdays, and that Monday.
    assert NurseShift.objects.count() == 3 * (13 * 5 + 1)
    assert Booking.objects.filter(site=site).exists()


def test_seeding_twice_adds_no_calendar_records(settings):
    settings.DEBUG = True
    call_command("seed_demo", quiet=True)
    first = _counts()

    call_command("seed_demo", quiet=True)

    assert _counts() == first
