"""Booking a cycle or a series answers exactly the shape its schema documents."""

from datetime import date

import pytest
import yaml

from tests.infusions.calendar import at, make_order
from tests.scheduling.factories import ClosureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_now")]


def _properties(schema, name):
    return set(schema["components"]["schemas"][name]["properties"])


def _response_component(schema, path, status):
    ref = schema["paths"][path]["post"]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def test_book_answers_the_documented_cycle_booked_shape(api, client, manager, scheduler, chairs):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    order = make_order(manager)

    payload = {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat()}

    body = api.as_user(scheduler).post(f"/api/v1/orders/{order.pk}/book/", payload).json()

    name = _response_component(schema, "/api/v1/orders/{id}/book/", "201")
    assert set(body) == _properties(schema, name)
    assert set(body["bookings"][0]) == _properties(schema, "Booking")


def test_book_series_answers_the_documented_series_shape(api, client, manager, scheduler, chairs):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    order = make_order(manager)
    ClosureFactory(site=chairs["R1"].site, starts_on=date(2027, 3, 20), ends_on=date(2027, 3, 26))

    body = (
        api.as_user(scheduler)
        .post(
            f"/api/v1/orders/{order.pk}/book-series/",
            {"first_start": at("2027-03-02").isoformat(), "cycles": 3, "chair": chairs["R1"].pk},
        )
        .json()
    )

    name = _response_component(schema, "/api/v1/orders/{id}/book-series/", "200")
    assert set(body) == _properties(schema, name)
    cycle = schema["components"]["schemas"][name]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]
    for result in body["results"]:  # booked and not placed alike
        assert set(result) == _properties(schema, cycle)
    assert {r["status"] for r in body["results"]} == {"booked", "not_placed"}


def test_availability_with_nothing_to_offer_answers_the_documented_reasons(
    api, client, manager, scheduler, chairs
):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    order = make_order(manager)

    path = "/api/v1/orders/{id}/availability/"
    body = api.as_user(scheduler).get(path.format(id=order.pk), {"date_from": "2027-07-05"}).json()

    ref = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(body) == _properties(schema, ref.rsplit("/", 1)[1])
    assert body["reasons"][0]["code"] == "no_nurse_shifts"
    assert set(body["reasons"][0]) == _properties(schema, "SlotReason")
