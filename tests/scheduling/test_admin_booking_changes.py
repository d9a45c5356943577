"""Schedulers move, cancel and mark no-shows in the admin, through the same services as the API."""

from datetime import timedelta

import pytest

from scheduling.models import BookingEvent, BookingStatus
from tests.scheduling.conftest import at
from tests.scheduling.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, scheduler):
    client.force_login(scheduler)
    return client


def _booking(clinic, chairs, **kwargs):
    return BookingFactory(chair=chairs[0], **kwargs)


def test_the_booking_page_links_to_move_cancel_and_no_show(staff, clinic, chairs):
    booking = _booking(clinic, chairs)

    page = staff.get(f"/admin/scheduling/booking/{booking.pk}/change/").content.decode()

    for action in ("reschedule", "cancel", "no-show"):
        assert f"/admin/scheduling/booking/{booking.pk}/{action}/" in page


def test_cancelling_needs_a_reason_and_keeps_it_in_the_history(staff, clinic, chairs, scheduler):
    booking = _booking(clinic, chairs)
    url = f"/admin/scheduling/booking/{booking.pk}/cancel/"

    refused = staff.post(url, {"reason": ""})
    done = staff.post(url, {"reason": "Patient has flu"})

    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    event = BookingEvent.objects.get(booking=booking, kind="cancelled")
    assert (event.reason, event.by) == ("Patient has flu", scheduler)


def test_moving_onto_a_taken_chair_is_refused_with_the_calendars_reason(staff, clinic, chairs):
    booking = _booking(clinic, chairs)
    other = BookingFactory(chair=chairs[1], start=booking.start, end=booking.end)
    local = other.start.astimezone(other.site.zone)

    response = staff.post(
        f"/admin/scheduling/booking/{booking.pk}/reschedule/",
        {"start": local.strftime("%Y-%m-%d %H:%M"), "chair": chairs[1].pk},
    )

    assert response.status_code == 200
    assert "is booked" in response.content.decode()
    booking.refresh_from_db()
    assert booking.chair == chairs[0]


def test_moving_to_a_free_time_keeps_the_length_and_records_where_from(staff, clinic, chairs):
    booking = _booking(clinic, chairs)
    old_start, length = booking.start, booking.end - booking.start
    new_local = booking.start.astimezone(booking.site.zone) + timedelta(days=1)

    response = staff.post(
        f"/admin/scheduling/booking/{booking.pk}/reschedule/", {"start": new_local.strftime("%Y-%m-%d %H:%M")}
    )

    assert response.status_code == 302, response.content.decode()[-600:]
    booking.refresh_from_db()
    assert booking.start == old_start + timedelta(days=1)
    assert booking.end - booking.start == length
    assert BookingEvent.objects.get(booking=booking, kind="rescheduled").from_start == old_start


def test_a_nurse_cannot_change_bookings_in_the_admin(client, nurse, clinic, chairs):
    booking = _booking(clinic, chairs)
    client.force_login(nurse)

    response = client.post(f"/admin/scheduling/booking/{booking.pk}/cancel/", {"reason": "x"})

    assert response.status_code in (302, 403)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_a_no_show_goes_back_to_the_booking_with_its_history_and_the_page_is_audited(
    staff, clinic, chairs, scheduler, now
):
    from auditlog.models import LogEntry

    booking = _booking(clinic, chairs, start=at("10:00"))
    url = f"/admin/scheduling/booking/{booking.pk}/no-show/"
    early = staff.post(url, {"reason": "No answer"})
    now.move_to(at("12:00"))

    page = staff.get(url)
    done = staff.post(url, {"reason": "No answer"})

    assert "only after its start time" in early.content.decode()
    assert "Mark no-show" in page.content.decode()
    assert page.content.decode().count("<h1>Mark as no-show</h1>") == 1  # the title once, not twice
    assert done.status_code == 302 and done["Location"].endswith(f"/booking/{booking.pk}/change/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert BookingEvent.objects.get(booking=booking, kind="no_show").by == scheduler
    shown = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__detail="booking no-show")
    assert set(shown.values_list("object_pk", flat=True)) == {str(booking.patient_id)}


def test_the_admins_own_delete_and_history_pages_are_not_taken_by_the_action_pages(staff, clinic, chairs):
    booking = _booking(clinic, chairs)

    assert staff.post(f"/admin/scheduling/booking/{booking.pk}/delete/", {"post": "yes"}).status_code == 403
    assert staff.get(f"/admin/scheduling/booking/{booking.pk}/history/").status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
