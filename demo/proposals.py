"""A deliberately peaked day for the schedule optimiser's demo (`manage.py seed_peaked_day`, after
`seed_demo`).

Sixteen days ahead, the first weekday: eight patients all start between 09:30 and 10:15, as when
each asks for "mid-morning". With the demo's three staggered nurses that is 8 patients for 2 nurses
at 10:15, and for 3 from 10:30 until the first leaves. In the admin, *Proposals -> Add* for that day
shows how far the optimiser levels it. Bookings go through `booking_create`, so the day
obeys every rule a real desk does; a patient already booked that day is skipped. Idempotent.
These are plain calendar bookings, not cycles of an order, so `seed_demo` does not make them.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.errors import Conflict
from patients.models import Patient
from scheduling.models import Booking, Chair, Site
from scheduling.services import booking_create

NOTE = "Demo: peaked day for the optimiser"
# Two starts a slot: before 10:30 two nurses are on shift, and each may start one infusion per slot.
STARTS = tuple(
    time(h, m) for h, m in ((9, 30), (9, 30), (9, 45), (9, 45), (10, 0), (10, 0), (10, 15), (10, 15))
)
DURATIONS = (240, 300, 180, 360, 270, 210, 255, 300)


def peaked_day(site: Site) -> date:
    day = timezone.now().astimezone(site.zone).date() + timedelta(days=16)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def seed_peaked_day(*, site: Site, scheduler=None) -> date:
    """Book the demo's peaked day (see the module docstring) unless it is booked; return the day."""
    day = peaked_day(site)
    zone = site.zone
    if Booking.objects.filter(site=site, note=NOTE, start__gte=timezone.now()).exists():
        return day
    chairs = list(Chair.objects.filter(site=site, is_active=True, kind="recliner").order_by("name"))
    patients = list(
        Patient.objects.filter(mrn__startswith="MRN-1000").exclude(mrn="MRN-100009").order_by("mrn")
    )
    for start, minutes in zip(STARTS, DURATIONS, strict=True):
        # The next patient and chair free then: a patient with a cycle that day is passed over.
        placed = next(
            (
                (patient, chair)
                for patient in patients
                for chair in chairs
                if _book(patient, chair, datetime.combine(day, start, tzinfo=zone), minutes, scheduler)
            ),
            None,
        )
        if placed is not None:
            patients.remove(placed[0])
            chairs.remove(placed[1])
    return day


def _book(patient, chair, start, minutes, scheduler) -> bool:
    try:
        booking_create(
            patient=patient,
            chair=chair,
            start=start,
            duration_minutes=minutes,
            created_by=scheduler,
            note=NOTE,
        )
    except (Conflict, ValidationError):
        return False
    return True
