"""Fifty desks booking at once, through the API, each in its own real PostgreSQL transaction."""

import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from scheduling.models import Booking
from tests.factories import PatientFactory
from tests.scheduling.conftest import at
from tests.scheduling.factories import ChairFactory, NurseShiftFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50


def _race(user, payloads):
    """POST each payload from its own thread at the same instant; return Counter of (status, code)."""
    barrier = threading.Barrier(len(payloads))
    outcomes = []
    lock = threading.Lock()

    def post(payload):
        try:
            client = APIClient()
            client.force_login(user)
            barrier.wait()
            response = client.post("/api/v1/bookings/", payload, format="json")
            code = response.json().get("code") if response.status_code != 201 else None
            with lock:
                outcomes.append((response.status_code, code))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(outcomes)


def _payload(chair, patient, start="10:00"):
    return {"chair": chair.pk, "patient": patient.pk, "start": at(start).isoformat(), "duration_minutes": 240}


def test_fifty_desks_booking_one_chair_at_one_time_get_one_booking(scheduler, site):
    chair = ChairFactory(site=site)
    _staff(site, nurses=13)  # enough nurses that only the chair decides
    patients = [PatientFactory() for _ in range(THREADS)]

    outcomes = _race(scheduler, [_payload(chair, p) for p in patients])

    assert outcomes == {(201, None): 1, (409, "chair_conflict"): THREADS - 1}
    assert Booking.objects.count() == 1


def test_one_patient_booked_into_fifty_chairs_at_once_gets_one_chair(scheduler, site):
    chairs = [ChairFactory(site=site) for _ in range(THREADS)]
    _staff(site, nurses=13)
    patient = PatientFactory()

    outcomes = _race(scheduler, [_payload(chair, patient) for chair in chairs])

    assert outcomes == {(201, None): 1, (409, "patient_conflict"): THREADS - 1}
    assert Booking.objects.count() == 1


def test_fifty_bookings_at_once_never_exceed_nurse_capacity(scheduler, site):
    site.patients_per_nurse = 4
    site.starts_per_nurse_per_slot = 50  # let capacity, not the start limit, decide
    site.save()
    _staff(site, nurses=1)  # one nurse: four patients
    chairs = [ChairFactory(site=site) for _ in range(THREADS)]

    outcomes = _race(scheduler, [_payload(chair, PatientFactory()) for chair in chairs])

    assert outcomes == {(201, None): 4, (409, "nurse_capacity"): THREADS - 4}
    assert Booking.objects.count() == 4


def test_fifty_starts_in_one_slot_respect_the_start_limit(scheduler, site):
    _staff(site, nurses=13)  # 13 nurses may start 13 infusions per 15 minutes, and watch 52
    chairs = [ChairFactory(site=site) for _ in range(THREADS)]

    outcomes = _race(scheduler, [_payload(chair, PatientFactory()) for chair in chairs])

    assert outcomes == {(201, None): 13, (409, "start_limit"): THREADS - 13}


def _staff(site, *, nurses):
    for n in range(nurses):
        NurseShiftFactory(site=site, name=f"Nurse {n}", start=at("06:00"), end=at("20:00"))


def test_two_desks_moving_bookings_into_the_last_place_leave_one_behind(scheduler, site):
    site.patients_per_nurse = 2
    site.starts_per_nurse_per_slot = 2
    site.save()
    _staff(site, nurses=1)  # two patients at once
    chairs = [ChairFactory(site=site) for _ in range(3)]
    client = APIClient()
    client.force_login(scheduler)
    ids = [
        client.post("/api/v1/bookings/", _payload(chair, PatientFactory(), start), format="json").json()["id"]
        for chair, start in ((chairs[0], "08:00"), (chairs[1], "14:00"), (chairs[2], "14:00"))
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def move(booking_id):
        try:
            desk = APIClient()
            desk.force_login(scheduler)
            barrier.wait()
            response = desk.post(
                f"/api/v1/bookings/{booking_id}/reschedule/",
                {"start": at("09:00").isoformat()},
                format="json",
            )
            outcomes.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(booking_id,)) for booking_id in ids[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _ in outcomes) == [200, 409]
    assert {code for status, code in outcomes if status == 409} == {"nurse_capacity"}
