"""The insurer flow against the real server (live_server, real HTTP): token, list, summary, decision;
then the clinic books the cycle, the infusion is given, and the insurer sees the usage."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal as D

import pytest
import time_machine

from infusions.authorizations import infusion_usage_report
from scheduling.models import Booking
from tests.infusions.calendar import NOW, at, make_clinic, make_order
from tests.insurance.factories import CoverageFactory, PayerFactory, make_authorization, make_client

SECRET = "s3cret-for-tests"


def _http(method, url, *, token=None, body=None, headers=None, form=None):
    data, all_headers = None, dict(headers or {})
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        data, all_headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
    try:
        # The test's own live server, over plain HTTP.
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _token(live_server, app, scope):
    basic = base64.b64encode(f"{app.client_id}:{SECRET}".encode()).decode()
    return _http(
        "POST",
        f"{live_server.url}/api/v1/oauth/token/",
        headers={"Authorization": f"Basic {basic}"},
        form={"grant_type": "client_credentials", "scope": scope},
    )


@pytest.mark.django_db(transaction=True)
def test_an_insurer_decides_and_the_clinic_books_gives_and_reports_usage(
    live_server, api, manager, scheduler
):
    with time_machine.travel(NOW, tick=True):
        chairs = make_clinic()[1]
        order = make_order(manager)
        payer = PayerFactory(code="acme-health")
        app = make_client(payer)
        coverage = CoverageFactory(patient=order.patient, payer=payer)
        auth = make_authorization(coverage, units=560, order_id=order.pk, urgency="expedited")
        staff = api.as_user(scheduler)
        book = f"/api/v1/orders/{order.pk}/book/"
        slot = {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat()}
        assert staff.post(book, slot).json()["code"] == "authorization_required"

        status, token = _token(live_server, app, "authorizations:read authorizations:decide")
        assert status == 200 and token["token_type"] == "Bearer" and token["expires_in"] <= 3600
        bearer = token["access_token"]
        api_url = f"{live_server.url}/api/v1/authorizations/"

        status, listing = _http("GET", f"{api_url}?status=submitted", token=bearer)
        assert status == 200 and [r["id"] for r in listing["results"]] == [auth.pk]
        assert listing["results"][0]["due_at"] is not None

        status, summary = _http("GET", f"{api_url}{auth.pk}/summary/", token=bearer)
        assert status == 200
        assert summary["diagnosis"]["code"] == "G61.81"
        assert summary["product"]["hcpcs_code"] == "J1569"
        assert summary["weight"]["kg"] == "70"
        assert summary["dose_plan"]["billing_units_per_cycle"] == 140
        assert "given_name" not in json.dumps(summary)

        decision = {"outcome": "approved", "number": "ACME-PA-1"}
        status, decided = _http(
            "POST",
            f"{api_url}{auth.pk}/decision/",
            token=bearer,
            body=decision,
            headers={"Idempotency-Key": "d1"},
        )
        assert status == 200 and decided["status"] == "approved" and decided["remaining_units"] == 560

        booked = staff.post(book, slot)
        assert booked.status_code == 201
        booking = Booking.objects.get(pk=booked.json()["bookings"][0]["id"])
        status, utilization = _http("GET", f"{api_url}{auth.pk}/utilization/", token=bearer)
        assert (utilization["units_reserved"], utilization["remaining_units"]) == (140, 420)

        infusion_usage_report(
            order=order, booking=booking, grams_given=D("70"), given_at=at("2027-03-02", "13:30")
        )

        status, utilization = _http("GET", f"{api_url}{auth.pk}/utilization/", token=bearer)
        assert status == 200
        assert (utilization["units_used"], utilization["units_reserved"], utilization["remaining_units"]) == (
            140,
            0,
            420,
        )
        assert utilization["sessions"][0] | {"updated_at": None} == {
            "booking_id": booking.pk,
            "status": "used",
            "units": 140,
            "service_date": "2027-03-02",
            "updated_at": None,
        }
        status, events = _http("GET", f"{api_url}events/", token=bearer)
        assert [e["data"].get("status") for e in events["results"] if e["kind"] == "usage"] == [
            "reserved",
            "used",
        ]


@pytest.mark.django_db(transaction=True)
def test_a_client_gets_no_scope_its_payer_did_not_grant(live_server):
    app = make_client(PayerFactory(code="read-only-payer"), scopes="authorizations:read")

    status, body = _token(live_server, app, "authorizations:decide")

    assert status == 400 and body["error"] == "invalid_scope"
    status, body = _token(live_server, app, "authorizations:read")
    assert status == 200 and body["scope"] == "authorizations:read"
