"""Fifty waitlisted patients accept the same freed chair time at the same instant, each from the offer
page in its own thread and its own PostgreSQL transaction: one gets the chair, 49 are told it is gone,
and the calendar holds one booking there."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from scheduling.models import Booking, BookingStatus
from tests.waitlist.conftest import freed, token_of, waitlisted
from waitlist import services
from waitlist.models import FreedSlot, OfferStatus

pytestmark = pytest.mark.django_db(transaction=True)

PATIENTS = 50


def test_fifty_patients_accepting_one_offer_at_once_give_one_booking_and_49_told_it_is_gone(
    manager, chairs, settings
):
    settings.WAITLIST_OFFER_BATCH = PATIENTS  # every one of them holds the offer
    entries = [waitlisted(manager) for _ in range(PATIENTS)]
    slot = freed(manager, chairs["R1"])
    offers = services.slot_offer(slot_id=slot.pk)
    assert len(offers) == PATIENTS
    tokens = [token_of(offer) for offer in offers]
    barrier = threading.Barrier(PATIENTS)
    pages: list[tuple[int, str]] = []
    lock = threading.Lock()

    def accept(token):
        try:
            phone = Client()
            barrier.wait()
            response = phone.post(f"/w/{token}", {"answer": "accept"})
            text = response.content.decode()
            said = "yours" if "It is yours." in text else "gone" if "just been taken" in text else text[:300]
            with lock:
                pages.append((response.status_code, said))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(pages) == {(200, "yours"): 1, (200, "gone"): PATIENTS - 1}
    live = Booking.objects.filter(chair=chairs["R1"]).exclude(status=BookingStatus.CANCELLED)
    assert live.count() == 1
    [booking] = live
    assert (booking.start, booking.end) == (slot.start, slot.start + timedelta(minutes=255))
    assert Booking.objects.filter(patient__in=[e.patient for e in entries]).count() == 1
    slot = FreedSlot.objects.get(pk=slot.pk)
    assert slot.taken_offer.booking == booking
    statuses = Counter(slot.offers.values_list("status", flat=True))
    assert statuses == {OfferStatus.ACCEPTED: 1, OfferStatus.TAKEN: PATIENTS - 1}
