"""The orders API books cycles: availability for an order, one cycle, a series. The clinic is
tests/infusions/calendar.py (weekdays 08:00-18:00 in New York; "now" is Monday 1 March 2027, 06:00)."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry

from infusions.models import CycleDay
from scheduling.models import Booking
from tests.factories import PatientFactory
from tests.infusions.calendar import NOW, at, make_order
from tests.scheduling.factories import BookingFactory, ClosureFactory, SiteMembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_now")]


def test_a_scheduler_books_a_cycle_and_gets_its_bookings(api, manager, scheduler, chairs):
    order = make_order(manager)

    response = api.as_user(scheduler).post(
        f"/api/v1/orders/{order.pk}/book/", {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat()}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["order"], body["cycle"]) == (order.pk, 1)
    [booking] = body["bookings"]
    assert booking["local_start"] == "2027-03-02T09:00:00-05:00"
    assert booking["local_end"] == "2027-03-02T13:15:00-05:00"  # 255 chair minutes
    assert (booking["duration_minutes"], booking["chair_name"]) == (255, "R1")
    assert response.json()["cycle"] == 1
    assert CycleDay.objects.get(booking_id=booking["id"]).order_id == order.pk


def test_a_taken_chair_is_a_409_chair_conflict_and_nothing_is_booked(api, manager, scheduler, chairs):
    order = make_order(manager)
    other = BookingFactory(chair=chairs["R1"], start=at("2027-03-02", "08:00"), end=at("2027-03-02", "11:00"))

    response = api.as_user(scheduler).post(
        f"/api/v1/orders/{order.pk}/book/", {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat()}
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "chair_conflict"
    assert body["conflict"]["booking"] == other.pk
    assert Booking.objects.count() == 1


def test_a_blocked_order_is_a_409_with_its_checks(api, manager, scheduler, chairs):
    order = make_order(manager)
    order.patient.risk_flags.create(kind="iga_deficiency_antibodies")

    response = api.as_user(scheduler).post(
        f"/api/v1/orders/{order.pk}/book/", {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat()}
    )

    assert (response.status_code, response.json()["code"]) == (409, "order_blocked")
    assert response.json()["checks"][0]["code"] == "contraindicated_iga_antibodies"
    assert not Booking.objects.exists()


def test_bad_input_is_a_400(api, manager, scheduler, chairs):
    order = make_order(manager)
    client = api.as_user(scheduler)
    url = f"/api/v1/orders/{order.pk}/book/"

    missing = client.post(url, {"chair": chairs["R1"].pk})
    past = client.post(url, {"chair": chairs["R1"].pk, "start": (NOW - timedelta(hours=1)).isoformat()})
    series = client.post(
        f"/api/v1/orders/{order.pk}/book-series/", {"first_start": at("2027-03-02").isoformat(), "cycles": 0}
    )

    assert (missing.status_code, missing.json()["code"]) == (400, "required")
    assert (past.status_code, past.json()["code"]) == (400, "in_past")
    assert (series.status_code, series.json()["code"]) == (400, "cycles_invalid")


def test_booking_needs_the_booking_permission_and_availability_the_order_view(api, manager, nurse, chairs):
    order = make_order(manager)
    SiteMembershipFactory(site=chairs["R1"].site, user=nurse)
    client = api.as_user(nurse)

    book = client.post(
        f"/api/v1/orders/{order.pk}/book/", {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat()}
    )
    series = client.post(
        f"/api/v1/orders/{order.pk}/book-series/", {"first_start": at("2027-03-02").isoformat(), "cycles": 2}
    )
    slots = client.get(f"/api/v1/orders/{order.pk}/availability/", {"date_from": "2027-03-02"})

    assert (book.status_code, series.status_code, slots.status_code) == (403, 403, 200)
    assert not Booking.objects.exists()


def test_availability_offers_slots_of_the_orders_chair_minutes_and_is_audited(
    api, manager, scheduler, chairs
):
    # Chair minutes 255: the first start is 08:00 (R1), ending 12:15; the patient's own 13:00 booking
    # elsewhere rules out starts after 08:45 (08:45 + 4 h 15 ends at 13:00 exactly).
    order = make_order(manager)
    BookingFactory(
        chair=chairs["B1"],
        patient=order.patient,
        start=at("2027-03-02", "13:00"),
        end=at("2027-03-02", "14:00"),
    )

    response = api.as_user(scheduler).get(
        f"/api/v1/orders/{order.pk}/availability/",
        {"date_from": "2027-03-02", "date_to": "2027-03-02", "chair_type": "recliner", "limit": 50},
    )

    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["local_start"][11:16] for r in results] == ["08:00", "08:15", "08:30", "08:45"]
    assert results[0]["local_end"] == "2027-03-02T12:15:00-05:00"
    assert results[0]["chair_name"] == "R1"
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert (entry.object_pk, entry.actor, entry.additional_data["detail"]) == (
        str(order.patient.pk),
        scheduler,
        "treatment order availability",
    )


def test_availability_reads_a_fixed_number_of_queries(
    api, manager, scheduler, chairs, django_assert_num_queries
):
    order = make_order(manager)
    client = api.as_user(scheduler)
    url = f"/api/v1/orders/{order.pk}/availability/"
    params = {"date_from": "2027-03-02", "date_to": "2027-03-12", "limit": 100}
    client.get(url, params)  # warm the session, permission and content-type caches

    def add_bookings(count, day):
        patients = PatientFactory.create_batch(count)
        for n, patient in enumerate(patients):
            start = at(day, "08:00") + timedelta(minutes=15 * n)
            chair = chairs["R1"] if n % 2 else chairs["B1"]
            Booking.objects.create(
                site=chair.site, chair=chair, patient=patient, start=start, end=start + timedelta(minutes=15)
            )

    add_bookings(2, "2027-03-03")
    with django_assert_num_queries(16) as few:
        assert client.get(url, params).status_code == 200
    add_bookings(20, "2027-03-04")
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url, params).status_code == 200


def test_a_series_answers_200_with_each_cycles_outcome(api, manager, scheduler, chairs):
    order = make_order(manager)
    ClosureFactory(site=chairs["R1"].site, starts_on=date(2027, 3, 20), ends_on=date(2027, 3, 26))
    client = api.as_user(scheduler)
    url = f"/api/v1/orders/{order.pk}/book-series/"
    payload = {"first_start": at("2027-03-02").isoformat(), "cycles": 3, "chair": chairs["R1"].pk}

    response = client.post(url, payload)
    rerun = client.post(url, payload)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["booked"], body["already_booked"], body["not_placed"]) == (2, 0, 1)
    assert [r["status"] for r in body["results"]] == ["booked", "not_placed", "booked"]
    closed = body["results"][1]
    assert (closed["code"], closed["bookings"]) == ("outside_hours", [])
    assert closed["target_local_start"] == "2027-03-23T09:00:00-04:00"
    assert closed["target_start"] == "2027-03-23T13:00:00Z"
    assert body["results"][2]["bookings"][0]["local_start"] == "2027-04-13T09:00:00-04:00"
    assert [r["status"] for r in rerun.json()["results"]] == [
        "already_booked",
        "not_placed",
        "already_booked",
    ]
    assert Booking.objects.count() == 2


def test_a_booking_cannot_claim_another_patients_order_and_the_tablet_shows_its_own_patient(
    api, client, manager, scheduler, nurse, chairs
):
    """The attack the order_ref string allowed: a booking for patient A naming patient B's order."""
    victims_order = make_order(manager)
    patient_a = PatientFactory(family_name="Adams")
    attack = {
        "chair": chairs["R1"].pk,
        "patient": patient_a.pk,
        "start": at("2027-03-02").isoformat(),
        "duration_minutes": 240,
        "order_ref": f"order:{victims_order.pk}/cycle:1/day:1",
    }

    response = api.as_user(scheduler).post("/api/v1/bookings/", attack)

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_field"
    assert "order_ref" in response.json()["fields"]
    assert not Booking.objects.filter(patient=patient_a).exists()
    # Without the field the booking is made, for patient A and no order: the tablet shows patient A.
    del attack["order_ref"]
    booking_id = api.as_user(scheduler).post("/api/v1/bookings/", attack).json()["id"]
    assert not CycleDay.objects.filter(booking_id=booking_id).exists()
    SiteMembershipFactory(site=chairs["R1"].site, user=nurse)
    client.force_login(nurse)
    page = client.get(f"/chairside/bookings/{booking_id}/").content.decode()
    assert "Adams" in page
    assert victims_order.patient.family_name not in page


def test_the_calendar_apis_schema_has_no_order_ref(client):
    schema = client.get("/api/schema/?format=json").json()

    booking_schemas = {
        name: body for name, body in schema["components"]["schemas"].items() if "Booking" in name
    }
    assert {"Booking", "BookingCreateRequest"} <= set(booking_schemas)
    assert all("order_ref" not in body.get("properties", {}) for body in booking_schemas.values())
    filters = [p["name"] for p in schema["paths"]["/api/v1/bookings/"]["get"]["parameters"]]
    assert "order_ref" not in filters
