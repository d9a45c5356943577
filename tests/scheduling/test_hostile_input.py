"""The calendar API answers hostile times and names with a 400 and a code, never a 500 or a guess."""

import pytest

from scheduling.models import Booking, Site
from tests.factories import PatientFactory
from tests.scheduling.conftest import at

pytestmark = pytest.mark.django_db


def _book(client, chair, start, **extra):
    return client.post(
        "/api/v1/bookings/",
        {"chair": chair.pk, "patient": PatientFactory().pk, "start": start, "duration_minutes": 240, **extra},
        format="json",
    )


def test_a_naive_start_is_refused_not_read_as_utc(api, scheduler, clinic, chairs):
    response = _book(api.as_user(scheduler), chairs[0], "2027-03-02T13:30:00")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "naive_datetime"
    assert body["fields"]["start"][0]["code"] == "naive_datetime"
    assert "offset" in body["detail"]
    assert not Booking.objects.exists()


def test_a_naive_end_is_refused_too(api, scheduler, clinic, chairs):
    response = _book(api.as_user(scheduler), chairs[0], at("10:00").isoformat(), end="2027-03-02T19:00:00")

    assert response.status_code == 400
    assert response.json()["fields"]["end"][0]["code"] == "naive_datetime"


def test_a_start_in_the_year_9999_is_a_400_not_an_overflow(api, scheduler, clinic, chairs):
    response = _book(api.as_user(scheduler), chairs[0], "9999-12-31T23:00:00Z")

    assert response.status_code == 400, response.content
    assert response.json()["fields"]["start"][0]["code"] == "datetime_out_of_range"


def test_a_reschedule_to_a_naive_time_is_refused(api, scheduler, clinic, chairs):
    client = api.as_user(scheduler)
    booking = _book(client, chairs[0], at("10:00").isoformat()).json()

    response = client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule/", {"start": "2027-03-02T16:00:00"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "naive_datetime"
    assert Booking.objects.get(pk=booking["id"]).start == at("10:00")


@pytest.mark.parametrize("offset", ["+16:00", "-18:30"])
def test_a_starts_after_offset_beyond_1559_is_a_400(api, scheduler, clinic, offset):
    response = api.as_user(scheduler).get(
        "/api/v1/bookings/", {"starts_after": f"2027-03-02T00:00:00{offset}"}
    )

    assert response.status_code == 400, response.content
    assert response.json()["fields"]["starts_after"][0]["code"] in ("offset_out_of_range", "invalid")


def test_a_naive_starts_after_is_a_400(api, scheduler, clinic):
    response = api.as_user(scheduler).get("/api/v1/bookings/", {"starts_after": "2027-03-02T00:00:00"})

    assert response.status_code == 400
    assert response.json()["fields"]["starts_after"][0]["code"] == "naive_datetime"


def test_an_aware_starts_after_still_filters(api, scheduler, clinic, chairs):
    client = api.as_user(scheduler)
    booking = _book(client, chairs[0], at("10:00").isoformat()).json()

    later = client.get("/api/v1/bookings/", {"starts_after": at("11:00").isoformat()}).json()
    earlier = client.get("/api/v1/bookings/", {"starts_after": "2027-03-02T09:00:00-05:00"}).json()

    assert later["count"] == 0
    assert [row["id"] for row in earlier["results"]] == [booking["id"]]


def test_creating_a_site_with_a_taken_name_is_a_400_with_a_code(api, manager, clinic):
    response = api.as_user(manager).post(
        "/api/v1/sites/",
        {"name": clinic.name, "time_zone": "America/New_York", "address": "1 Main St"},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "site_name_taken", response.json()
    assert Site.objects.filter(name=clinic.name).count() == 1


def test_renaming_a_site_to_a_taken_name_is_a_400(api, manager, clinic):
    client = api.as_user(manager)
    other = client.post(
        "/api/v1/sites/",
        {"name": "Northside", "time_zone": "America/New_York", "address": "2 North St"},
        format="json",
    )
    assert other.status_code == 201, other.content

    response = client.patch(f"/api/v1/sites/{other.json()['id']}/", {"name": clinic.name}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "site_name_taken"
    assert Site.objects.get(pk=other.json()["id"]).name == "Northside"
