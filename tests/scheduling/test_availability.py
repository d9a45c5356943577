from datetime import time, timedelta

import pytest

from scheduling.availability import find_slots
from scheduling.models import Site
from scheduling.services import booking_cancel, booking_create
from tests.factories import PatientFactory, SiteFactory
from tests.scheduling.conftest import NOW, TUESDAY, at
from tests.scheduling.factories import (
    BookingFactory,
    ChairFactory,
    ClosureFactory,
    NurseShiftFactory,
    OpeningHoursFactory,
    SiteMembershipFactory,
)

pytestmark = pytest.mark.django_db


def _find(**kwargs):
    params = {"duration_minutes": 240, "date_from": TUESDAY, "date_to": TUESDAY, "limit": 5, **kwargs}
    return find_slots(**params)


def _local(slots):
    return [(s.local_start.strftime("%a %H:%M"), s.chair.name) for s in slots]


def test_it_offers_the_earliest_starts_first_in_the_first_free_chair(clinic, chairs):
    BookingFactory(chair=chairs[0], start=at("07:00"), end=at("11:00"))

    slots = _find(limit=3)

    assert _local(slots) == [("Tue 07:00", "B1"), ("Tue 07:15", "B1"), ("Tue 07:30", "B1")]
    assert slots[0].end - slots[0].start == timedelta(hours=4)


def test_it_respects_chair_type_part_of_day_and_weekdays(clinic, chairs):
    assert _local(_find(chair_kind="recliner", limit=1)) == [("Tue 07:00", "R1")]
    assert _local(_find(part_of_day="afternoon", limit=1)) == [("Tue 12:00", "B1")]
    thursday = _find(weekdays={3}, date_to=TUESDAY + timedelta(days=6), limit=1)
    assert _local(thursday) == [("Thu 07:00", "B1")]


def test_an_afternoon_slot_must_still_end_by_closing_time(clinic, chairs):
    slots = _find(part_of_day="afternoon", limit=100)

    assert _local(slots)[-1] == ("Tue 15:00", "B1")
    assert all(s.local_end.time() <= time(19, 0) for s in slots)


def test_it_skips_closures_days_without_hours_and_the_past(clinic, chairs, now):
    ClosureFactory(site=clinic, starts_on=TUESDAY, ends_on=TUESDAY, reason="Holiday")
    clinic.opening_hours.filter(weekday=2).delete()  # Wednesday closed
    now.move_to(at("10:05", TUESDAY + timedelta(days=2)))

    slots = _find(date_from=NOW.date(), date_to=TUESDAY + timedelta(days=2), limit=1)

    assert _local(slots) == [("Thu 10:15", "B1")]


def test_it_leaves_out_times_without_nurse_capacity_or_start_room(clinic, chairs):
    clinic.patients_per_nurse = 1  # two patients at once
    clinic.save()
    BookingFactory(chair=chairs[0], start=at("07:00"), end=at("11:00"))
    BookingFactory(chair=chairs[1], start=at("09:00"), end=at("13:00"))

    assert _local(_find(limit=1)) == [("Tue 11:00", "B1")]  # 07:00-11:00 has room for one only until 09:00


def test_every_offered_slot_can_really_be_booked(clinic, chairs):
    BookingFactory(chair=chairs[0], start=at("08:00"), end=at("12:00"))
    BookingFactory(chair=chairs[5], start=at("07:00"), end=at("09:30"))

    slots = _find(limit=40, date_to=TUESDAY + timedelta(days=1))

    assert len(slots) == 40
    for slot in slots:
        booking = booking_create(patient=PatientFactory(), chair=slot.chair, start=slot.start, end=slot.end)
        booking_cancel(booking=booking, reason="Only trying", by=None)


def test_a_patient_already_booked_is_offered_other_times(clinic, chairs):
    patient = BookingFactory(chair=chairs[0], start=at("07:00"), end=at("11:00")).patient

    assert _local(_find(patient_id=patient.pk, limit=1)) == [("Tue 11:00", "B1")]


def test_flattening_the_peak_offers_the_quietest_time_of_the_day_first(clinic, chairs):
    clinic.flatten_peak = True
    clinic.save()
    BookingFactory(chair=chairs[0], start=at("07:00"), end=at("11:00"))
    BookingFactory(chair=chairs[1], start=at("07:15"), end=at("11:15"))
    BookingFactory(chair=chairs[2], start=at("10:00"), end=at("14:00"))

    first = _find(limit=1)[0]

    assert first.local_start.strftime("%H:%M") == "14:00"
    assert first.peak_load == 1 / 8


def test_it_searches_several_sites_and_names_the_site(clinic, chairs):
    north = SiteFactory(name="Northside", time_zone="America/Los_Angeles")
    OpeningHoursFactory(site=north, weekday=TUESDAY.weekday(), opens=time(7, 0), closes=time(19, 0))
    ChairFactory(site=north, name="N1")
    NurseShiftFactory(site=north, start=at("09:00"), end=at("23:00"))
    BookingFactory(chair=chairs[0], start=at("07:00"), end=at("19:00") - timedelta(hours=1))

    slots = _find(sites=Site.objects.all(), limit=100)

    assert {s.site.name for s in slots} == {"Riverside Test Center", "Northside"}
    assert slots == sorted(slots, key=lambda s: s.start)


def test_it_takes_five_queries_however_many_bookings(clinic, chairs, django_assert_num_queries):
    # The site with its hours, closures and chairs, then one window of the calendar.
    with django_assert_num_queries(5):
        _find(date_to=TUESDAY + timedelta(days=13), patient_id=1)
    for n in range(30):
        BookingFactory(
            chair=chairs[n % 6],
            start=at("07:00") + timedelta(days=n // 6),
            end=at("09:00") + timedelta(days=n // 6),
        )
    with django_assert_num_queries(5):
        _find(date_to=TUESDAY + timedelta(days=13), patient_id=1)


def test_a_longer_range_costs_nothing_more_when_the_first_days_have_room(
    clinic, chairs, django_assert_num_queries
):
    with django_assert_num_queries(5):
        fortnight = _find(date_to=TUESDAY + timedelta(days=13))
    with django_assert_num_queries(5):
        quarter = _find(date_to=TUESDAY + timedelta(days=89))
    assert _local(quarter) == _local(fortnight)


def test_it_reads_further_windows_only_while_the_days_before_are_full(
    clinic, chairs, django_assert_num_queries
):
    # Closed for ten days: days 1-3, 4-9 and 10-21 are read (three windows), nothing after.
    ClosureFactory(site=clinic, starts_on=TUESDAY, ends_on=TUESDAY + timedelta(days=9), reason="Works")
    with django_assert_num_queries(4 + 3):
        slots = _find(date_to=TUESDAY + timedelta(days=89), limit=2)
    assert [s.local_start.date() for s in slots] == [TUESDAY + timedelta(days=10)] * 2


def test_bookings_and_shifts_count_on_their_local_day_across_a_dst_change(clinic, chairs):
    # 2027-03-14: New York springs forward; each day is read in its own local bounds.
    sunday = TUESDAY.replace(year=2027, month=3, day=14)
    for chair in chairs:
        BookingFactory(chair=chair, start=at("07:00", sunday), end=at("11:00", sunday))

    slots = _find(date_from=sunday - timedelta(days=1), date_to=sunday, limit=200)

    starts = {
        day: sorted(s.local_start.time() for s in slots if s.local_start.date() == day)
        for day in (
            sunday - timedelta(days=1),
            sunday,
        )
    }
    assert starts[sunday - timedelta(days=1)][0] == time(7, 0)
    assert starts[sunday][0] == time(11, 0)
    assert all(s.local_end.time() <= time(19, 0) for s in slots)


def test_the_endpoint_answers_with_local_times(api, scheduler, clinic, chairs):
    response = api.as_user(scheduler).get(
        "/api/v1/availability/",
        {
            "site": clinic.pk,
            "duration_minutes": 240,
            "date_from": "2027-03-02",
            "weekdays": "tue",
            "limit": 2,
        },
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == 2
    assert body["results"][0]["local_start"] == "2027-03-02T07:00:00-05:00"
    assert body["results"][0]["start"] == "2027-03-02T12:00:00Z"
    assert body["results"][0]["chair_name"] == "B1"


def test_the_endpoint_refuses_a_backwards_or_too_long_range(api, scheduler, clinic):
    client = api.as_user(scheduler)
    base = {"duration_minutes": 240, "date_from": "2027-03-10"}

    backwards = client.get("/api/v1/availability/", {**base, "date_to": "2027-03-01"})
    too_long = client.get("/api/v1/availability/", {**base, "date_to": "2027-12-01"})
    bad_day = client.get("/api/v1/availability/", {**base, "weekdays": "funday"})

    assert backwards.json()["code"] == "end_before_start"
    assert too_long.json()["code"] == "range_too_long"
    assert bad_day.json()["code"] == "weekday_invalid"


def test_local_times_hold_across_the_change_to_summer_time(clinic, chairs):
    sunday = TUESDAY + timedelta(days=12)  # 14 March 2027: New York moves from UTC-5 to UTC-4 at 02:00

    slot = _find(date_from=sunday, date_to=sunday, limit=1)[0]
    booking = booking_create(patient=PatientFactory(), chair=slot.chair, start=slot.start, end=slot.end)

    assert slot.local_start.isoformat() == "2027-03-14T07:00:00-04:00"
    assert booking.start.isoformat() == "2027-03-14T11:00:00+00:00"


def test_nurses_see_availability_of_their_sites_only(api, nurse, clinic, chairs):
    query = {"duration_minutes": 240, "date_from": "2027-03-02", "limit": 1}
    client = api.as_user(nurse)
    before = client.get("/api/v1/availability/", query).json()
    SiteMembershipFactory(site=clinic, user=nurse)
    after = client.get("/api/v1/availability/", query).json()

    assert before["count"] == 0
    assert after["results"][0]["site"] == clinic.pk
