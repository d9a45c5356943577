"""The demo tells one coherent story whatever the hour it is seeded (New York time, the demo site's zone):
today's sessions on the local today and inside opening hours, shifts 12 weeks ahead, every booking a
cycle or session of an order, infused patients with an approved authorization, the Kawasaki order booked.
"""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command

from charting.models import InfusionSession
from infusions.models import TreatmentOrder
from insurance.models import Coverage, PriorAuthorization
from scheduling.models import INACTIVE_STATUSES, Booking, NurseShift, Site
from tests.infusions.calendar import NEW_YORK

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2027, 3, 3)


def seeded_at(clock: str, settings) -> datetime:
    settings.DEBUG = True
    now = datetime.combine(WEDNESDAY, time.fromisoformat(clock), tzinfo=NEW_YORK)
    with time_machine.travel(now, tick=False):
        call_command("seed_demo", quiet=True)
        call_command("seed_demo", quiet=True)  # a second run changes none of it
    return now


def states():
    return sorted(
        (s.booking.patient.mrn, s.status) for s in InfusionSession.objects.select_related("booking__patient")
    )


def local(moment):
    return moment.astimezone(NEW_YORK)


def assert_the_story_holds(now):
    site = Site.objects.get()
    hours = {h.weekday: (h.opens, h.closes) for h in site.opening_hours.all()}
    bookings = list(Booking.objects.select_related("patient", "cycle_day__order__product"))
    assert bookings
    for booking in bookings:
        start, end = local(booking.start), local(booking.end)
        opens, closes = hours[start.weekday()]
        assert start.date() == end.date() and opens <= start.time() and end.time() <= closes, booking
        # Every booking is an order's: a numbered cycle day, or a chairside session linked to it.
        assert booking.cycle_day.order.patient_id == booking.patient_id
    today = [b for b in bookings if b.note == "Demo chairside session"]
    assert len(today) == 2
    assert all(local(b.start).date() == WEDNESDAY for b in today)
    assert all(s.checked_in_at <= now for s in InfusionSession.objects.all())
    for booking in today:
        order = booking.cycle_day.order
        coverage = Coverage.objects.filter(patient=booking.patient).first()
        approved = PriorAuthorization.objects.filter(
            coverage=coverage,
            hcpcs_code=order.product.hcpcs_code,
            status__in=["approved", "partially_approved"],
            valid_from__lte=WEDNESDAY,
            valid_to__gte=WEDNESDAY,
        )
        assert approved.exists(), booking.patient.mrn
    # Nurses are rostered on every weekday of the next 12 weeks, so the next cycles can be booked.
    rostered = {local(s).date() for s in NurseShift.objects.values_list("start", flat=True)}
    ahead = (WEDNESDAY + timedelta(days=n) for n in range(12 * 7 + 1))
    assert [day for day in ahead if day.weekday() < 5 and day not in rostered] == []
    # The paediatric Kawasaki order (one 10-12 h infusion, an 11-hour chair session) is booked.
    (kawasaki,) = [b for b in bookings if b.patient.mrn == "MRN-100009"]
    assert (kawasaki.end - kawasaki.start) == timedelta(hours=11)
    assert kawasaki.cycle_day.cycle == 1 and kawasaki.status not in INACTIVE_STATUSES
    # The maintenance patient infused today has his next two cycles booked 3 and 6 weeks on.
    series = sorted(
        local(b.start).date() - WEDNESDAY
        for b in bookings
        if b.patient.mrn == "MRN-100002" and b.cycle_day.cycle is not None
    )
    assert [d.days for d in series] == [21, 42]


def test_at_nine_in_the_morning_both_demo_infusions_are_running_since_opening(settings):
    now = seeded_at("09:00", settings)

    assert states() == [("MRN-100002", "running"), ("MRN-100004", "running")]
    starts = sorted(local(s.booking.start).time() for s in InfusionSession.objects.select_related("booking"))
    assert starts == [time(7, 0), time(7, 30)]
    assert_the_story_holds(now)


@pytest.mark.parametrize("clock", ["12:15", "14:30"])
def test_once_a_whole_session_has_passed_one_is_completed_and_one_is_running(settings, clock):
    # The first patient came at 07:00 for a 5-hour session: discharged by 12:00.
    now = seeded_at(clock, settings)

    assert states() == [("MRN-100002", "discharged"), ("MRN-100004", "running")]
    done = InfusionSession.objects.get(status="discharged")
    assert done.grams_given > 0 and done.reactions.get().grade == 1
    running = InfusionSession.objects.get(status="running")
    assert any(v.flags for v in running.vitals.all())  # the demo's out-of-range set
    assert_the_story_holds(now)


@pytest.mark.parametrize("clock", ["19:30", "23:30"])
def test_after_closing_todays_two_infusions_are_completed(settings, clock):
    # 23:30 in New York is 04:30 UTC the next day: "today" is still the clinic's Wednesday.
    now = seeded_at(clock, settings)

    assert states() == [("MRN-100002", "discharged"), ("MRN-100004", "discharged")]
    assert_the_story_holds(now)


def test_before_opening_todays_two_patients_are_booked_to_be_checked_in(settings):
    now = seeded_at("03:00", settings)

    assert states() == []
    today = Booking.objects.filter(note="Demo chairside session")
    assert sorted(local(b.start).time() for b in today) == [time(7, 30), time(9, 0)]
    assert {b.status for b in today} == {"booked"}
    assert_the_story_holds(now)


def test_the_patients_waiting_for_a_decision_have_no_booking(settings):
    seeded_at("14:30", settings)

    waiting = TreatmentOrder.objects.filter(
        patient__mrn__in=["MRN-100001", "MRN-100003", "MRN-100005", "MRN-100006", "MRN-100008"]
    )
    assert waiting.count() == 5
    assert not Booking.objects.filter(patient__treatment_orders__in=waiting).exists()
