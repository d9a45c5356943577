"""The nurse roster: a week of nurses by day, "copy this week forward", and no shift change that would
leave existing bookings over nurse capacity (the roster page and the NurseShift admin alike).

The clinic is tests/scheduling/conftest.py: Nell and Omar on shift 06:00-20:00 New York every day of
the fortnight from Monday 1 March 2027; 4 patients per nurse."""

import re
from datetime import date, timedelta

import pytest

from scheduling.capacity import uncovered
from scheduling.models import NurseShift
from tests.scheduling.conftest import TUESDAY, at
from tests.scheduling.factories import BookingFactory

pytestmark = pytest.mark.django_db
STEP = timedelta(minutes=15)


def test_a_booking_in_a_slot_with_too_few_nurses_is_uncovered():
    shift = (at("06:00"), at("20:00"))
    bookings = [(n, at("10:00") + n * STEP, at("12:00")) for n in range(5)]

    assert uncovered(bookings, [shift, shift], step=STEP, patients_per_nurse=4, starts_per_nurse=1) == []
    assert uncovered(bookings, [shift], step=STEP, patients_per_nurse=4, starts_per_nurse=1) == [
        0,
        1,
        2,
        3,
        4,
    ]
    assert uncovered(bookings[:4], [shift], step=STEP, patients_per_nurse=4, starts_per_nurse=1) == []


def test_a_nurse_whose_shift_ends_inside_a_slot_does_not_count_for_it():
    short = (at("06:00"), at("10:10"))
    booking = [(1, at("10:00"), at("11:00"))]

    assert uncovered(booking, [short], step=STEP, patients_per_nurse=4, starts_per_nurse=1) == [1]


def five_at_ten(chairs):
    return [
        BookingFactory(chair=chair, start=at("10:00") + n * STEP, end=at("13:00"))
        for n, chair in enumerate(chairs[:5])
    ]


@pytest.fixture
def staff(client, manager):
    client.force_login(manager)
    return client


def roster_url(site, day=TUESDAY):
    return f"/admin/scheduling/site/{site.pk}/roster/{day.isoformat()}/"


def test_the_roster_shows_the_week_of_nurses_by_day_in_local_time(staff, clinic):
    page = staff.get(roster_url(clinic)).content.decode()

    assert "week of 01 March 2027" in page
    shifts = re.findall(r'<div class="shift" data-shift="\d+">(\d\d:\d\d-\d\d:\d\d \w+)', page)
    assert shifts == ["06:00-20:00 EST"] * 14  # two nurses, seven days
    assert 'data-nurse="Nell"' in page and 'data-nurse="Omar"' in page


def test_removing_a_shift_that_would_leave_bookings_uncovered_is_refused_and_names_them(
    staff, clinic, chairs
):
    bookings = five_at_ten(chairs)
    omar = NurseShift.objects.get(site=clinic, name="Omar", start=at("06:00"))

    page = staff.post(
        roster_url(clinic), {"action": "remove", "shift": omar.pk}, follow=True
    ).content.decode()

    assert NurseShift.objects.filter(pk=omar.pk).exists()
    assert "would leave 5 booking(s) over nurse capacity" in page
    for booking in bookings:
        assert f"/admin/scheduling/booking/{booking.pk}/change/" in page
    assert f"#{bookings[0].pk} Tue 02 Mar 10:00 EST in R1" in page


def test_removing_a_shift_the_bookings_do_not_need_is_done(staff, clinic, chairs):
    five_at_ten(chairs)[4].delete()  # four patients: one nurse is enough
    omar = NurseShift.objects.get(site=clinic, name="Omar", start=at("06:00"))

    staff.post(roster_url(clinic), {"action": "remove", "shift": omar.pk})

    assert not NurseShift.objects.filter(pk=omar.pk).exists()


def test_the_nurse_shift_admin_refuses_shortening_and_removing_alike(staff, clinic, chairs):
    five_at_ten(chairs)
    omar = NurseShift.objects.get(site=clinic, name="Omar", start=at("06:00"))
    form = {
        "site": clinic.pk,
        "name": "Omar",
        "start_0": "2027-03-02",
        "start_1": "06:00",
        "end_0": "2027-03-02",
        "end_1": "11:00",  # leaves at 11:00, while five patients are in chairs until 13:00
    }

    shortened = staff.post(f"/admin/scheduling/nurseshift/{omar.pk}/change/", form)
    removed = staff.post(f"/admin/scheduling/nurseshift/{omar.pk}/delete/", {"post": "yes"}, follow=True)

    assert "would leave 5 booking(s) over nurse capacity" in shortened.content.decode()
    assert "would leave 5 booking(s) over nurse capacity" in removed.content.decode()
    omar.refresh_from_db()
    assert omar.end == at("20:00")


def test_copying_a_week_forward_keeps_local_times_across_dst_and_is_idempotent(staff, clinic):
    monday = date(2027, 3, 8)  # the next week holds the change to daylight time (14 March)
    NurseShift.objects.filter(site=clinic, start__gte=at("00:00", date(2027, 3, 15))).delete()

    first = staff.post(roster_url(clinic, monday), {"action": "copy"}, follow=True).content.decode()
    again = staff.post(roster_url(clinic, monday), {"action": "copy"}, follow=True).content.decode()

    copied = NurseShift.objects.filter(site=clinic, start__gte=at("00:00", date(2027, 3, 15)))
    assert copied.count() == 14
    assert {s.start.astimezone(clinic.zone).strftime("%H:%M %Z") for s in copied} == {"06:00 EDT"}
    assert "14 shift(s) added" in first
    assert "0 shift(s) added, 14 already there." in again


def test_a_scheduler_adds_a_shift_but_cannot_remove_one(client, scheduler, clinic):
    client.force_login(scheduler)
    added = client.post(
        roster_url(clinic),
        {"action": "add", "name": "Priya", "day": "2027-03-03", "starts": "07:00", "ends": "15:00"},
    )
    shift = NurseShift.objects.get(name="Priya")
    refused = client.post(roster_url(clinic), {"action": "remove", "shift": shift.pk})

    assert added.status_code == 302
    assert shift.start == at("07:00", date(2027, 3, 3))
    assert refused.status_code == 403
