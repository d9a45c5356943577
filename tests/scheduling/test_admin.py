import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry

from tests.factories import PatientFactory
from tests.scheduling.conftest import TUESDAY, at
from tests.scheduling.factories import BookingFactory, ClosureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, scheduler):
    client.force_login(scheduler)
    return client


def _board(staff, site, day=TUESDAY):
    response = staff.get(f"/admin/scheduling/site/{site.pk}/board/{day.isoformat()}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_day_board_shows_each_booking_as_a_bar_in_its_chair_row(staff, clinic, chairs):
    patient = PatientFactory(family_name="Whitfield", given_name="Ada", mrn="MRN-100001")
    booking = BookingFactory(chair=chairs[1], patient=patient, start=at("13:00"), end=at("19:00"))
    BookingFactory(chair=chairs[0], start=at("07:00"), end=at("10:00"), status="cancelled")

    page = _board(staff, clinic)

    bar = re.search(
        rf'<div class="bar" data-booking="{booking.pk}" data-status="booked"\s+style="([^"]+)"', page
    )
    assert bar, page
    # 13:00-19:00 of a 07:00-19:00 day: from halfway to the end.
    assert "left: 50.000%; width: 50.000%" in bar.group(1)
    assert "Whitfield, Ada · MRN-100001" in page
    assert f"/admin/scheduling/booking/{booking.pk}/change/" in page
    assert 'class="bar inactive"' in page  # the cancelled one, greyed
    assert f"/board/{(TUESDAY - timedelta(days=1)).isoformat()}/" in page
    assert f"/board/{(TUESDAY + timedelta(days=1)).isoformat()}/" in page


def test_the_board_shows_nurse_load_against_capacity(staff, clinic, chairs):
    clinic.patients_per_nurse = 1  # two nurses: two patients
    clinic.save()
    BookingFactory(chair=chairs[0], start=at("07:00"), end=at("08:00"))
    BookingFactory(chair=chairs[1], start=at("07:00"), end=at("07:30"))

    page = _board(staff, clinic)

    cells = re.findall(r'<div class="(\w+)" title="(\d\d:\d\d): (\d+) of (\d+)">', page)
    assert cells[:5] == [
        ("full", "07:00", "2", "2"),
        ("full", "07:15", "2", "2"),
        ("ok", "07:30", "1", "2"),
        ("ok", "07:45", "1", "2"),
        ("ok", "08:00", "0", "2"),
    ]


def test_the_board_records_which_patients_were_shown(staff, scheduler, clinic, chairs):
    booking = BookingFactory(chair=chairs[0], start=at("10:00"), end=at("12:00"))

    _board(staff, clinic)

    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert (entry.object_pk, entry.actor, entry.additional_data["detail"]) == (
        str(booking.patient_id),
        scheduler,
        "day board",
    )


def test_the_board_says_when_the_site_is_closed(staff, clinic, chairs):
    ClosureFactory(site=clinic, starts_on=TUESDAY, ends_on=TUESDAY, reason="Public holiday")

    assert "Closed: Public holiday." in _board(staff, clinic)


def test_the_board_takes_a_fixed_number_of_queries(staff, clinic, chairs, django_assert_num_queries):
    BookingFactory(chair=chairs[0], start=at("07:00"), end=at("08:00"))
    _board(staff, clinic)
    with django_assert_num_queries(10) as one:  # 9, and one for the bars' words (infusions' cycle days)
        _board(staff, clinic)
    for n in range(1, 6):
        BookingFactory(chair=chairs[n], start=at("09:00"), end=at("12:00"))
    with django_assert_num_queries(len(one.captured_queries)):
        _board(staff, clinic)


def test_the_week_view_shows_utilisation_per_day(staff, clinic, chairs):
    # Tuesday: six chairs open 12 hours = 4320 chair-minutes; 6 hours booked = 360, 8%.
    BookingFactory(chair=chairs[0], start=at("07:00"), end=at("13:00"))
    BookingFactory(chair=chairs[1], start=at("07:00"), end=at("13:00"), status="cancelled")

    page = staff.get(f"/admin/scheduling/site/{clinic.pk}/week/{TUESDAY.isoformat()}/").content.decode()

    row = re.search(r'<tr data-day="2027-03-02">(.*?)</tr>', page, re.S).group(1)
    assert "<td>360</td>" in row
    assert "<td>4320</td>" in row
    assert "8%" in row
    assert 'data-day="2027-03-01"' in page  # the week starts on Monday
    assert 'data-day="2027-03-07"' in page


def test_the_booking_page_shows_its_history(staff, clinic, chairs):
    booking = BookingFactory(chair=chairs[0], start=at("10:00"), end=at("12:00"))

    response = staff.get(f"/admin/scheduling/booking/{booking.pk}/change/")

    assert response.status_code == 200
    assert "Day board" in response.content.decode()


def test_nurses_are_kept_out_of_the_admin_board(client, nurse, clinic):
    client.force_login(nurse)

    response = client.get(f"/admin/scheduling/site/{clinic.pk}/board/{TUESDAY.isoformat()}/")

    assert response.status_code == 302
