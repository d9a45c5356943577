"""The admin speaks the site's local time: every time read and shown in the site's zone, labelled with
its abbreviation; a user of one site sees that site's zone. "Now" is Monday 1 March 2027, 06:00 in
New York (11:00 UTC)."""

from datetime import UTC, datetime

import pytest

from tests.factories import PatientFactory, SiteFactory, WeightFactory
from tests.scheduling.conftest import at
from tests.scheduling.factories import BookingFactory, SiteMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, scheduler):
    client.force_login(scheduler)
    return client


def test_a_bookings_pages_show_its_sites_local_time_with_the_zone(staff, clinic, chairs):
    booking = BookingFactory(chair=chairs[0], start=at("09:30"), end=at("13:45"))  # 14:30 UTC

    page = staff.get(f"/admin/scheduling/booking/{booking.pk}/change/").content.decode()
    cancel = staff.get(f"/admin/scheduling/booking/{booking.pk}/cancel/").content.decode()
    listed = staff.get("/admin/scheduling/booking/").content.decode()

    assert f"Booking #{booking.pk} 2027-03-02 09:30 EST" in page
    assert "Tue 02 Mar 2027 09:30 EST" in page and "Tue 02 Mar 2027 13:45 EST" in page
    assert "14:30" not in page and "2:30 p.m." not in page
    assert "Tue 02 Mar 2027 09:30 EST" in cancel
    assert "Tue 02 Mar 2027 09:30 EST" in listed


def test_the_history_of_a_moved_booking_is_in_local_time(staff, clinic, chairs):
    booking = BookingFactory(chair=chairs[0], start=at("09:30"), end=at("13:45"))
    staff.post(
        f"/admin/scheduling/booking/{booking.pk}/reschedule/",
        {"start": "2027-03-02 11:00", "reason": "Traffic"},
    )

    page = staff.get(f"/admin/scheduling/booking/{booking.pk}/change/").content.decode()

    assert "Tue 02 Mar 2027 11:00 EST" in page  # read as the site's time, shown as it
    assert "Tue 02 Mar 2027 09:30 EST" in page  # where it moved from


def test_a_user_of_one_site_reads_and_types_times_in_that_sites_zone(client, scheduler, clinic):
    pacific = SiteFactory(name="Bayview", time_zone="America/Los_Angeles")
    SiteMembershipFactory(site=pacific, user=scheduler)
    patient = PatientFactory()
    WeightFactory(patient=patient, measured_at=datetime(2027, 2, 28, 17, 0, tzinfo=UTC))
    client.force_login(scheduler)

    page = client.get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()

    # 17:00 UTC is 09:00 in Los Angeles (PST), not 12:00 in New York.
    assert 'value="09:00:00"' in page
    assert 'value="12:00:00"' not in page


def test_the_day_board_names_its_zone(staff, clinic):
    page = staff.get(f"/admin/scheduling/site/{clinic.pk}/board/2027-03-02/").content.decode()

    assert "EST (America/New_York)" in page
