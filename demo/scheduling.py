"""Demo calendar for `seed_demo`: chairs, opening hours, nurse shifts and two weeks of bookings.

Idempotent: records are looked up before they are made, and bookings are made only when the site has
none in the fortnight. Bookings go through `availability.find_slots` and `services.booking_create`, so
the demo obeys every rule a real desk does.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from patients.models import Patient
from scheduling.availability import find_slots
from scheduling.models import Booking, Chair, ChairKind, NurseShift, OpeningHours, Site, SiteMembership
from scheduling.services import booking_cancel, booking_create

CHAIRS = [(f"Chair {n:02d}", ChairKind.BED if n > 10 else ChairKind.RECLINER) for n in range(1, 13)]
OPENS, CLOSES = time(7, 30), time(18, 0)
# Three nurses, staggered so that the early and late hours have one or two and the middle three.
SHIFTS = (("Nia Lindqvist", time(7, 30), time(16, 0)), ("Tomás Ibarra", time(8, 30), time(17, 0)),
          ("Priya Raman", time(9, 30), time(18, 0)))  # fmt: skip
# Session lengths (minutes) the demo cycles through: IVIG chair time is 3-6 hours.
DURATIONS = (240, 300, 180, 360, 270, 210, 255)
# Five of the eight demo patients come on each weekday: loading courses on consecutive days, as for a
# 2 g/kg dose split over several days.
PATIENTS_PER_DAY = 5


def _next_monday(site: Site) -> date:
    today = timezone.now().astimezone(site.zone).date()
    return today + timedelta(days=7 - today.weekday())


def seed_scheduling(*, site: Site) -> None:
    """Give the demo site its calendar (see the module docstring). Safe to run again."""
    if not site.flatten_peak:
        site.flatten_peak = True
        site.save(update_fields=["flatten_peak"])
    for weekday in range(5):
        OpeningHours.objects.get_or_create(
            site=site, weekday=weekday, defaults={"opens": OPENS, "closes": CLOSES}
        )
    for name, kind in CHAIRS:
        Chair.objects.get_or_create(site=site, name=name, defaults={"kind": kind})
    users = get_user_model().objects
    nurse = users.filter(username="nurse").first()
    if nurse is not None:
        SiteMembership.objects.get_or_create(site=site, user=nurse)

    first = _next_monday(site) - timedelta(days=7)  # this week too, so today's board has nurses
    # Six weeks of shifts: the demo books maintenance cycles 3 weeks apart.
    days = [first + timedelta(days=n) for n in range(42) if (first + timedelta(days=n)).weekday() < 5]
    zone = site.zone
    for day in days:
        day_start = datetime.combine(day, time.min, tzinfo=zone)
        if NurseShift.objects.filter(
            site=site, start__gte=day_start, start__lt=day_start + timedelta(days=1)
        ).exists():
            continue
        NurseShift.objects.bulk_create(
            NurseShift(
                site=site,
                name=name,
                nurse=nurse if name.startswith("Nia") else None,
                start=datetime.combine(day, start, tzinfo=zone),
                end=datetime.combine(day, end, tzinfo=zone),
            )
            for name, start, end in SHIFTS
        )

    # From tomorrow, so a clinic looking at the demo on any day sees this week's calendar filled.
    tomorrow = timezone.now().astimezone(zone).date() + timedelta(days=1)
    _book_fortnight(site, tomorrow, scheduler=users.filter(username="scheduler").first())


def _book_fortnight(site: Site, first_day: date, *, scheduler) -> None:
    zone = site.zone
    window = (
        datetime.combine(first_day, time.min, tzinfo=zone),
        datetime.combine(first_day + timedelta(days=14), time.min, tzinfo=zone),
    )
    if Booking.objects.filter(site=site, start__gte=window[0], start__lt=window[1]).exists():
        return
    patients = list(Patient.objects.filter(mrn__startswith="MRN-1000").order_by("mrn"))
    made = []
    days = (first_day + timedelta(days=n) for n in range(14))
    weekdays = [day for day in days if day.weekday() < 5]
    for index, day in enumerate(weekdays):
        todays = [p for n, p in enumerate(patients) if (3 * n + index) % len(patients) < PATIENTS_PER_DAY]
        for turn, patient in enumerate(todays):
            slots = find_slots(
                sites=Site.objects.filter(pk=site.pk),
                duration_minutes=DURATIONS[(index + turn) % len(DURATIONS)],
                date_from=day,
                date_to=day,
                patient_id=patient.pk,
                part_of_day="morning" if turn % 2 == 0 else "afternoon",
                limit=1,
            )
            if slots:
                made.append(
                    booking_create(
                        patient=patient,
                        chair=slots[0].chair,
                        start=slots[0].start,
                        end=slots[0].end,
                        created_by=scheduler,
                        note="Demo booking",
                    )
                )
    if made:
        booking_cancel(booking=made[-1], reason="Patient asked to move to next month (demo).", by=scheduler)
