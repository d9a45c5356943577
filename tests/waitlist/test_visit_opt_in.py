"""The patient puts their visit's order on the waitlist from the visit page: one button, then a note
that they are waiting; the entry is the patient's ("patient via link"), from today until the day
before the visit."""

from datetime import date

import pytest
from auditlog.models import LogEntry

from infusions import cycles
from selfservice import tokens
from tests.infusions.calendar import at, make_order
from waitlist.models import Via, WaitlistEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(manager, chairs):
    [booking] = cycles.cycle_book(
        order=make_order(manager), chair=chairs["R1"], start=at("2027-03-10"), created_by=manager
    )
    token = tokens.link_issue(patient_id=booking.patient_id, booking=booking, expires_at=booking.start)
    return booking, token


def test_the_visit_page_offers_to_wait_for_an_earlier_time_and_then_says_the_patient_waits(client, visit):
    booking, token = visit

    page = client.get(f"/v/{token}").content.decode()
    assert "Tell me if an earlier time frees up" in page

    answer = client.post(f"/w/{token}/earlier", follow=True)

    entry = WaitlistEntry.objects.get(patient=booking.patient)
    assert (entry.order, entry.via, entry.earliest, entry.latest) == (
        booking.cycle_day.order,
        Via.PATIENT,
        date(2027, 3, 1),
        date(2027, 3, 9),
    )
    text = answer.content.decode()
    assert "You are on the waiting list" in text
    assert "Tell me if an earlier time frees up" not in text
    assert LogEntry.objects.filter(
        object_pk=str(entry.pk),
        additional_data__via="patient via link",
        additional_data__detail="waitlist join",
    ).exists()


def test_asking_twice_keeps_one_entry(client, visit):
    booking, token = visit

    client.post(f"/w/{token}/earlier")
    client.post(f"/w/{token}/earlier")

    assert WaitlistEntry.objects.filter(patient=booking.patient).count() == 1


def test_a_wrong_visit_token_cannot_join_the_waitlist(client, visit):
    response = client.post("/w/" + "B" * 43 + "/earlier")

    assert response.status_code == 404
    assert not WaitlistEntry.objects.exists()
