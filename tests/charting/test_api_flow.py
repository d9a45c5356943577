"""The whole session through /api/v1/sessions/: what a tablet sends and what it gets back."""

from decimal import Decimal

import pytest

from scheduling.models import BookingStatus
from tests.charting.conftest import VITALS_OK, local, move_to, post, ready_to_start

pytestmark = pytest.mark.django_db


def test_a_nurse_charts_a_whole_session_from_check_in_to_discharge(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    chair.booking.refresh_from_db()
    assert chair.booking.status == BookingStatus.CHECKED_IN

    move_to(clock, "09:00")
    started = post(nurse_api, f"/api/v1/sessions/{session}/start/").json()
    assert started["status"] == "running"
    assert [row["rate_ml_per_hour"] for row in started["schedule"]] == [
        "35.0",
        "70.0",
        "140.0",
        "280.0",
        "378.0",
    ]
    assert started["schedule"][1]["at"].startswith("2027-03-02T14:30")  # 09:30 New York
    assert started["next_due"][0]["text"] == "Vitals due now"
    chair.booking.refresh_from_db()
    assert chair.booking.status == BookingStatus.IN_PROGRESS

    move_to(clock, "09:30")
    up = post(nurse_api, f"/api/v1/sessions/{session}/rate-changes/", kind="step_up", at=local("09:30"))
    assert up.status_code == 201, up.json()
    assert up.json()["rate_ml_per_hour"] == "70.0"
    high = post(
        nurse_api,
        f"/api/v1/sessions/{session}/vitals/",
        taken_at=local("09:30"),
        **(VITALS_OK | {"systolic": 185}),
    )
    assert [f["code"] for f in high.json()["flags"]] == ["systolic_high", "systolic_change"]
    move_to(clock, "09:40")
    reaction = post(
        nurse_api,
        f"/api/v1/sessions/{session}/reactions/",
        kind="headache",
        grade=1,
        action="none",
        outcome="resolved",
        noted_at=local("09:35"),
    )
    assert reaction.status_code == 201, reaction.json()
    assert reaction.json()["vitals"] == [high.json()["id"]]
    move_to(clock, "10:00")
    post(nurse_api, f"/api/v1/sessions/{session}/rate-changes/", kind="step_up", at=local("10:00"))
    post(nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("10:00"), **VITALS_OK)
    lot = post(
        nurse_api,
        f"/api/v1/sessions/{session}/lots/",
        lot_number="lb1234",
        vial_size_g="30",
        vials=2,
        expiry="2028-01-31",
    )
    assert lot.status_code == 201, lot.json()
    assert lot.json()["lot_number"] == "LB1234"

    move_to(clock, "12:00")
    ended = post(nurse_api, f"/api/v1/sessions/{session}/end/", volume_given_ml="700")
    assert ended.json()["status"] == "observation"
    assert ended.json()["grams_given"] == "70.00"
    post(nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("12:00"), **VITALS_OK)
    move_to(clock, "12:30")
    post(nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("12:30"), **VITALS_OK)
    done = post(nurse_api, f"/api/v1/sessions/{session}/discharge/")
    assert done.status_code == 201, done.json()
    body = done.json()
    assert body["status"] == "discharged"
    assert [v["phase"] for v in body["vitals"]] == ["baseline", "infusion", "infusion", "end", "observation"]
    assert [r["kind"] for r in body["rate_changes"]] == ["start", "step_up", "step_up"]
    chair.booking.refresh_from_db()
    assert chair.booking.status == BookingStatus.COMPLETED


def test_the_volume_given_defaults_to_what_the_rates_as_run_delivered(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    move_to(clock, "09:30")
    post(nurse_api, f"/api/v1/sessions/{session}/rate-changes/", kind="step_up", at=local("09:30"))
    move_to(clock, "09:45")
    post(
        nurse_api,
        f"/api/v1/sessions/{session}/rate-changes/",
        kind="pause",
        at=local("09:45"),
        reason="Chills",
    )
    move_to(clock, "10:00")
    ended = post(nurse_api, f"/api/v1/sessions/{session}/end/", end_reason="reaction").json()
    # 30 min at 35 mL/h + 15 min at 70 mL/h, then paused: 17.5 + 17.5 mL.
    assert Decimal(ended["volume_given_ml"]) == Decimal("35.0")
    assert Decimal(ended["grams_given"]) == Decimal("3.50")


def test_it_refuses_to_start_without_baseline_vitals(nurse_api, chair, clock):
    session = post(nurse_api, "/api/v1/sessions/", booking=chair.booking.pk).json()["id"]
    post(
        nurse_api,
        f"/api/v1/sessions/{session}/checklist/",
        identity_confirmed=True,
        weight_kg="70",
        hydration="oral",
        egfr_reviewed=True,
        checks_acknowledged=True,
    )
    response = post(nurse_api, f"/api/v1/sessions/{session}/start/")
    assert response.status_code == 400
    assert response.json()["code"] == "baseline_required"


def test_it_refuses_an_unconfirmed_checklist_naming_each_missing_item(nurse_api, chair, clock):
    session = post(nurse_api, "/api/v1/sessions/", booking=chair.booking.pk).json()["id"]
    response = post(
        nurse_api,
        f"/api/v1/sessions/{session}/checklist/",
        identity_confirmed=False,
        weight_kg="70",
        hydration="oral",
        egfr_reviewed=True,
        checks_acknowledged=False,
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"identity_confirmed", "checks_acknowledged"}
