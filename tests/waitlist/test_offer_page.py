"""The patient's offer page from the link: what it shows, accepting and declining without JavaScript,
a time taken first, the neutral page for a bad link, and the audit trail ("patient via link")."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry

from patients.models import Patient
from scheduling.models import Booking
from tests.waitlist.conftest import NOW, freed, token_of, waitlisted
from waitlist import services
from waitlist.models import Offer, OfferStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(manager, chairs):
    entries = [waitlisted(manager) for _ in range(2)]
    slot = freed(manager, chairs["R1"])
    offers = services.slot_offer(slot_id=slot.pk)
    return entries, offers


def _patient_reads(patient):
    return LogEntry.objects.filter(
        content_type__model="patient", object_pk=str(patient.pk), additional_data__via="patient via link"
    )


def test_the_page_shows_first_name_time_with_its_zone_and_site_and_nothing_clinical(client, offered):
    (entry, _), (offer, _) = offered

    response = client.get(f"/w/{token_of(offer)}")

    text = response.content.decode()
    assert response.status_code == 200
    assert entry.patient.given_name in text
    assert "Wednesday 3 March 2027" in text and "9:00 AM" in text and "EST" in text
    assert "Cycle Test Center" in text and "1 Test Street" in text
    assert "Take this time" in text and "No, thank you" in text
    for clinical in (entry.patient.mrn, entry.patient.family_name, entry.order.product.brand, "G61"):
        assert clinical not in text
    assert "<script" not in text
    assert _patient_reads(entry.patient).filter(additional_data__detail="offer shown").count() == 1


def test_accepting_books_the_time_and_says_so_on_the_same_page(client, offered):
    (entry, _), (offer, _) = offered

    response = client.post(f"/w/{token_of(offer)}", {"answer": "accept"})

    assert "It is yours." in response.content.decode()
    booking = Booking.objects.get(patient=entry.patient)
    assert booking.start == offer.slot.start
    assert _patient_reads(entry.patient).filter(additional_data__detail="offer accept").count() == 1


def test_the_second_to_accept_is_told_the_time_was_just_taken_and_keeps_their_place(client, offered):
    (_, second), (offer_a, offer_b) = offered
    client.post(f"/w/{token_of(offer_a)}", {"answer": "accept"})

    response = client.post(f"/w/{token_of(offer_b)}", {"answer": "accept"})

    text = response.content.decode()
    assert "This time has just been taken." in text
    assert not Booking.objects.filter(patient=second.patient).exists()
    second.refresh_from_db()
    assert second.status == "active"


def test_the_second_to_accept_is_offered_the_next_free_time_they_fit(client, manager, chairs, offered):
    (_, second), (offer_a, offer_b) = offered
    other = freed(manager, chairs["R2"], clock="11:00")  # offered to nobody yet
    client.post(f"/w/{token_of(offer_a)}", {"answer": "accept"})

    response = client.post(f"/w/{token_of(offer_b)}", {"answer": "accept"})

    text = response.content.decode()
    assert "Another earlier time is free for you" in text
    next_offer = Offer.objects.get(entry=second, slot=other)
    assert next_offer.status == OfferStatus.OFFERED
    path = text.split('href="/w/')[1].split('"')[0]
    follow = client.get(f"/w/{path}")
    assert "11:00 AM" in follow.content.decode()


def test_declining_frees_the_offer_for_the_next_patient(client, offered):
    (entry, _), (offer, _) = offered

    response = client.post(f"/w/{token_of(offer)}", {"answer": "decline"})

    assert "offered it to someone else" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    assert not Booking.objects.filter(patient=entry.patient).exists()


def test_a_wrong_or_expired_link_gets_the_neutral_page(client, offered, clock):
    (_, _), (offer, _) = offered
    token = token_of(offer)

    wrong = client.get("/w/" + "A" * 43)
    clock.move_to(NOW + timedelta(hours=2, minutes=1))
    expired = client.get(f"/w/{token}")

    for response in (wrong, expired):
        assert response.status_code == 404
        text = response.content.decode()
        assert "This link does not work" in text
        assert "Wednesday" not in text


def test_the_page_answers_in_the_patients_language(client, offered):
    (entry, _), (offer, _) = offered
    Patient.objects.filter(pk=entry.patient_id).update(preferred_language="es")

    text = client.get(f"/w/{token_of(offer)}").content.decode()

    assert "Hay una cita más temprana libre:" in text
    assert "miércoles 3 marzo 2027" in text
    assert "Tomar esta hora" in text
