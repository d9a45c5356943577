"""An order's availability says why nothing fits, with the codes and sentences of the admin's slot
finder. The clinic is tests/infusions/calendar.py: weekdays 08:00-18:00 New York, nurses rostered to
the end of June 2027; "now" is Monday 1 March 2027."""

import pytest

from infusions import cycles, services
from tests.infusions.calendar import at, make_order
from tests.insurance.factories import CoverageFactory, PayerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_now")]


def _availability(api, user, order, **params):
    response = api.as_user(user).get(f"/api/v1/orders/{order.pk}/availability/", params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_no_slot_after_the_roster_ends_says_when_nurse_shifts_end(api, manager, scheduler, chairs):
    order = make_order(manager)

    body = _availability(api, scheduler, order, date_from="2027-07-05", date_to="2027-07-09")

    assert (body["count"], body["results"]) == (0, [])
    [reason] = body["reasons"]
    assert (reason["code"], reason["blocks"]) == ("no_nurse_shifts", True)
    assert "Nurse shifts at Cycle Test Center end on Wed 30 Jun 2027" in reason["detail"]


def test_a_weekend_search_says_the_site_is_closed(api, manager, scheduler, chairs):
    order = make_order(manager)

    body = _availability(api, scheduler, order, date_from="2027-03-06", date_to="2027-03-07")

    assert [r["code"] for r in body["reasons"]] == ["closed"]
    assert "it opens Mon, Tue, Wed, Thu, Fri" in body["reasons"][0]["detail"]


def test_too_soon_for_the_interval_and_no_authorization_are_both_given(api, manager, scheduler, chairs):
    order = make_order(manager)
    cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)
    CoverageFactory(patient=order.patient, payer=PayerFactory(code="acme-health"))  # no authorization
    # Every 21 days with 3 days' tolerance: the cycle after 2 March starts on the 20th at the earliest.
    # A weekend before it: closed, too soon, and the payer has granted nothing.
    body = _availability(api, scheduler, order, date_from="2027-03-13", date_to="2027-03-14")

    codes = {r["code"]: r for r in body["reasons"]}
    assert body["count"] == 0
    assert {"closed", "interval_too_soon", "authorization_required"} <= set(codes)
    assert "starts on Sat 20 Mar 2027 at the earliest" in codes["interval_too_soon"]["detail"]


def test_a_held_order_says_it_is_on_hold(api, manager, scheduler, chairs):
    order = make_order(manager)
    services.order_set_status(order=order, status="on_hold", reason="Febrile")

    body = _availability(api, scheduler, order, date_from="2027-03-06", date_to="2027-03-07")

    assert [(r["code"], r["detail"]) for r in body["reasons"]] == [
        ("order_not_active", "This order is on hold.")
    ]


def test_slots_found_carry_no_reasons(api, manager, scheduler, chairs):
    order = make_order(manager)

    body = _availability(api, scheduler, order, date_from="2027-03-02", date_to="2027-03-02")

    assert body["count"] > 0 and body["reasons"] == []
