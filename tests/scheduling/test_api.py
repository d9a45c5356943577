from datetime import timedelta

import pytest
from auditlog.models import LogEntry

from scheduling.models import Booking
from tests.factories import PatientFactory, SiteFactory
from tests.scheduling.conftest import TUESDAY, at
from tests.scheduling.factories import BookingFactory, ChairFactory, SiteMembershipFactory

pytestmark = pytest.mark.django_db


def _payload(chair, patient=None, start="10:00", **extra):
    return {
        "chair": chair.pk,
        "patient": (patient or PatientFactory()).pk,
        "start": at(start).isoformat(),
        "duration_minutes": 240,
        **extra,
    }


def test_a_scheduler_books_a_chair_and_reads_the_booking_back(api, scheduler, clinic, chairs):
    patient = PatientFactory(family_name="Whitfield", given_name="Ada")

    response = api.as_user(scheduler).post("/api/v1/bookings/", _payload(chairs[0], patient, site=clinic.pk))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["chair_name"] == "R1"
    assert body["patient_name"] == "Whitfield, Ada"
    assert body["local_start"] == "2027-03-02T10:00:00-05:00"
    assert body["end"] == "2027-03-02T19:00:00Z"
    assert body["duration_minutes"] == 240
    assert "order_ref" not in body
    assert api.get(f"/api/v1/bookings/{body['id']}/").json()["status"] == "booked"


def test_a_refused_booking_is_a_409_that_names_the_booking_in_the_way(api, scheduler, clinic, chairs):
    client = api.as_user(scheduler)
    first = client.post("/api/v1/bookings/", _payload(chairs[0])).json()

    response = client.post("/api/v1/bookings/", _payload(chairs[0], start="12:00"))

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "chair_conflict"
    assert f"#{first['id']}" in body["detail"]
    assert body["conflict"]["booking"] == first["id"]
    assert body["fields"]["chair"][0]["code"] == "chair_conflict"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"start": "10:05"}, "off_grid"),
        ({"start": "17:00"}, "outside_hours"),
    ],
)
def test_grid_and_hours_are_409s(api, scheduler, clinic, chairs, change, code):
    response = api.as_user(scheduler).post("/api/v1/bookings/", _payload(chairs[0], **change))

    assert (response.status_code, response.json()["code"]) == (409, code)


def test_bad_input_is_a_400_with_a_stable_code(api, scheduler, clinic, chairs):
    client = api.as_user(scheduler)
    other_chair = ChairFactory(site=SiteFactory(name="Northside"))
    cases = {
        "end_before_start": {"end": at("09:00").isoformat(), "duration_minutes": None},
        "too_long": {"duration_minutes": 11 * 60},
        "in_past": {"start": (at("10:00") - timedelta(days=3)).isoformat()},
        "chair_other_site": {"chair": other_chair.pk, "site": clinic.pk},
    }
    for code, change in cases.items():
        payload = {k: v for k, v in {**_payload(chairs[0]), **change}.items() if v is not None}
        response = client.post("/api/v1/bookings/", payload)
        assert (response.status_code, response.json()["code"]) == (400, code), code
    assert not Booking.objects.exists()


def test_reschedule_cancel_and_no_show_are_actions(api, scheduler, clinic, chairs, now):
    client = api.as_user(scheduler)
    booking = client.post("/api/v1/bookings/", _payload(chairs[0])).json()
    other = client.post("/api/v1/bookings/", _payload(chairs[1], start="08:00")).json()

    moved = client.post(f"/api/v1/bookings/{booking['id']}/reschedule/", {"start": at("11:00").isoformat()})
    refused = client.post(f"/api/v1/bookings/{booking['id']}/cancel/", {})
    cancelled = client.post(f"/api/v1/bookings/{booking['id']}/cancel/", {"reason": "Flu"})
    again = client.post(f"/api/v1/bookings/{booking['id']}/cancel/", {"reason": "Flu"})
    now.move_to(at("08:30"))
    no_show = client.post(f"/api/v1/bookings/{other['id']}/no-show/", {})

    assert moved.status_code == 200 and moved.json()["local_start"] == "2027-03-02T11:00:00-05:00"
    assert (refused.status_code, refused.json()["code"]) == (400, "reason_required")
    assert cancelled.json()["status"] == "cancelled"
    assert (again.status_code, again.json()["code"]) == (409, "status_invalid")
    assert no_show.json()["status"] == "no_show"


def test_status_action_checks_in_and_starts(api, scheduler, clinic, chairs):
    client = api.as_user(scheduler)
    booking = client.post("/api/v1/bookings/", _payload(chairs[0])).json()

    checked_in = client.post(f"/api/v1/bookings/{booking['id']}/status/", {"status": "checked_in"})
    backwards = client.post(f"/api/v1/bookings/{booking['id']}/status/", {"status": "completed"})

    assert checked_in.json()["status"] == "checked_in"
    assert (backwards.status_code, backwards.json()["code"]) == (409, "status_invalid")


def test_the_list_filters_by_site_chair_patient_status_and_time(api, scheduler, clinic, chairs):
    mine = BookingFactory(chair=chairs[0], start=at("10:00"), end=at("14:00"))
    BookingFactory(chair=chairs[1], start=at("10:00", TUESDAY + timedelta(days=1)), status="cancelled")
    client = api.as_user(scheduler)

    def ids(**params):
        return [b["id"] for b in client.get("/api/v1/bookings/", params).json()["results"]]

    assert ids(chair=chairs[0].pk) == [mine.pk]
    assert ids(patient=mine.patient_id) == [mine.pk]
    assert ids(status="booked") == [mine.pk]
    assert ids(starts_before=at("23:00").isoformat(), site=clinic.pk) == [mine.pk]


def test_listing_bookings_is_audited_against_the_patients(api, nurse, clinic, chairs):
    booking = BookingFactory(chair=chairs[0], start=at("10:00"), end=at("14:00"))
    SiteMembershipFactory(site=clinic, user=nurse)

    api.as_user(nurse).get("/api/v1/bookings/")

    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert (entry.object_pk, entry.actor) == (str(booking.patient_id), nurse)


def test_query_counts_do_not_grow_with_the_number_of_bookings(
    api, scheduler, clinic, chairs, django_assert_num_queries
):
    client = api.as_user(scheduler)
    BookingFactory(chair=chairs[0], start=at("08:00"), end=at("09:00"))
    client.get("/api/v1/bookings/")  # warm the session and content-type caches
    with django_assert_num_queries(5) as one:
        client.get("/api/v1/bookings/")
    for n in range(19):
        BookingFactory(
            chair=chairs[n % 6],
            start=at("09:00") + timedelta(days=1 + n // 6),
            end=at("10:00") + timedelta(days=1 + n // 6),
        )
    with django_assert_num_queries(len(one.captured_queries)):
        body = client.get("/api/v1/bookings/").json()
    assert body["count"] == 20


def test_booking_creation_takes_a_fixed_number_of_queries(
    api, scheduler, clinic, chairs, django_assert_num_queries
):
    client = api.as_user(scheduler)
    client.post("/api/v1/bookings/", _payload(chairs[0], start="08:00"))
    payload = _payload(chairs[1], start="10:00")
    # Includes the INSERT of the booking's reminders into the outbox (issue 7), and no read-back of the
    # new booking. The audit trail reads only the booking's own columns (clinic.audit.audit_register),
    # not its reverse infusion session.
    with django_assert_num_queries(18) as first:
        assert client.post("/api/v1/bookings/", payload).status_code == 201
    for n in range(4):
        BookingFactory(chair=chairs[2 + n], start=at("09:00"), end=at("12:00"))
    payload = _payload(chairs[0], start="13:00")
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.post("/api/v1/bookings/", payload).status_code == 201


def test_nurses_read_only_their_sites_and_cannot_book(api, nurse, clinic, chairs):
    other = SiteFactory(name="Northside")
    BookingFactory(chair=ChairFactory(site=other), start=at("10:00"), end=at("14:00"))
    mine = BookingFactory(chair=chairs[0], start=at("10:00"), end=at("14:00"))
    SiteMembershipFactory(site=clinic, user=nurse)
    client = api.as_user(nurse)

    assert [b["id"] for b in client.get("/api/v1/bookings/").json()["results"]] == [mine.pk]
    assert [s["id"] for s in client.get("/api/v1/sites/").json()["results"]] == [clinic.pk]
    assert {c["site"] for c in client.get("/api/v1/chairs/").json()["results"]} == {clinic.pk}
    assert client.post("/api/v1/bookings/", _payload(chairs[1])).status_code == 403


def test_insurers_get_nothing(api, insurer_user, clinic, chairs):
    client = api.as_user(insurer_user)

    for path in ("/api/v1/sites/", "/api/v1/chairs/", "/api/v1/bookings/", "/api/v1/availability/"):
        assert client.get(path).status_code == 403, path


def test_managers_write_sites_and_chairs_and_schedulers_cannot(api, manager, scheduler, clinic):
    chair = {"site": clinic.pk, "name": "R9", "kind": "bed"}
    assert api.as_user(scheduler).post("/api/v1/chairs/", chair).status_code == 403

    created = api.as_user(manager).post("/api/v1/chairs/", chair)
    duplicate = api.post("/api/v1/chairs/", chair)
    site = api.patch(f"/api/v1/sites/{clinic.pk}/", {"flatten_peak": True})

    assert created.status_code == 201
    assert (duplicate.status_code, duplicate.json()["code"]) == (400, "chair_name_taken")
    assert site.json()["flatten_peak"] is True
    assert len(site.json()["opening_hours"]) == 7


def test_a_chair_cannot_move_to_another_site(api, manager, clinic, chairs):
    other = SiteFactory(name="Northside")

    response = api.as_user(manager).patch(f"/api/v1/chairs/{chairs[0].pk}/", {"site": other.pk})

    assert (response.status_code, response.json()["code"]) == (400, "site_change")


def test_the_api_root_and_schema_list_the_scheduling_endpoints(api, manager):
    root = api.as_user(manager).get("/api/v1/").json()

    assert {"sites", "chairs", "bookings", "availability"} <= set(root)
    schema = api.get("/api/schema/?format=json").json()
    assert "/api/v1/bookings/{id}/reschedule/" in schema["paths"]
    assert "/api/v1/availability/" in schema["paths"]
