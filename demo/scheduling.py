"""Demo calendar for `seed_demo`: chairs, opening hours and nurse shifts from last week to 12 weeks ahead.

Bookings are not made here: every demo booking is a cycle of an order (`demo.infusions`, through
`infusions.cycles` and `infusions.series`, so it obeys every rule a real desk does: the safety checks,
the authorization, the calendar) or a chairside session linked to its order (`demo.charting`).

Idempotent: records are looked up before they are made.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from scheduling.models import Chair, ChairKind, NurseShift, OpeningHours, Site, SiteMembership

CHAIRS = [(f"Chair {n:02d}", ChairKind.BED if n > 10 else ChairKind.RECLINER) for n in range(1, 13)]
# Twelve hours a weekday: the paediatric Kawasaki order runs 10-12 hours (AHA 2017), an 11-hour chair
# session with preparation and observation, which a 07:30-18:00 day could not hold.
OPENS, CLOSES = time(7, 0), time(19, 0)
# Three nurses, staggered so that the early and late hours have one or two and the middle three.
SHIFTS = (("Nia Lindqvist", time(7, 0), time(15, 30)), ("Tomás Ibarra", time(8, 30), time(17, 0)),
          ("Priya Raman", time(10, 30), time(19, 0)))  # fmt: skip
# From last week (the chairside demo may chart the last opening day) to 12 weeks ahead, so a maintenance
# order's next cycles (every 3-4 weeks) can be booked.
ROSTER_WEEKS_BACK, ROSTER_WEEKS_AHEAD = 1, 12


def local_today(site: Site) -> date:
    """Today in the site's zone (at 23:30 in New York, UTC is already tomorrow)."""
    return timezone.now().astimezone(site.zone).date()


def seed_scheduling(*, site: Site) -> None:
    """Give the demo site its hours, chairs, nurse and roster (see the module docstring). Safe to run
    again; a site seeded with shorter hours gets these."""
    if not site.flatten_peak:
        site.flatten_peak = True
        site.save(update_fields=["flatten_peak"])
    for weekday in range(5):
        OpeningHours.objects.update_or_create(
            site=site, weekday=weekday, defaults={"opens": OPENS, "closes": CLOSES}
        )
    for name, kind in CHAIRS:
        Chair.objects.get_or_create(site=site, name=name, defaults={"kind": kind})
    nurse = get_user_model().objects.filter(username="nurse").first()
    if nurse is not None:
        SiteMembership.objects.get_or_create(site=site, user=nurse)
    _roster(site, nurse)


def _roster(site: Site, nurse) -> None:
    """The shifts of every weekday of the roster's weeks that has none yet: one read, one insert."""
    today = local_today(site)
    first = today - timedelta(days=today.weekday() + 7 * ROSTER_WEEKS_BACK)
    last = today + timedelta(weeks=ROSTER_WEEKS_AHEAD)
    zone = site.zone
    rostered = {
        start.astimezone(zone).date()
        for start in NurseShift.objects.filter(
            site=site,
            start__gte=datetime.combine(first, time.min, tzinfo=zone),
            start__lt=datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
        ).values_list("start", flat=True)
    }
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    NurseShift.objects.bulk_create(
        NurseShift(
            site=site,
            name=name,
            nurse=nurse if name.startswith("Nia") else None,
            start=datetime.combine(day, start, tzinfo=zone),
            end=datetime.combine(day, end, tzinfo=zone),
        )
        for day in days
        if day.weekday() < 5 and day not in rostered
        for name, start, end in SHIFTS
    )
