"""Bad input at the chair: refused with a message a nurse can act on, or accepted and flagged."""

from datetime import timedelta

import pytest

from charting.models import VitalsReading
from tests.charting.conftest import VITALS_OK, local, move_to, post, ready_to_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    move_to(clock, "09:10")
    return session


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"systolic": 400}, "systolic"),
        ({"spo2": 120}, "spo2"),
        ({"temperature_c": "50.0"}, "temperature_c"),
        ({"systolic": 110, "diastolic": 120}, "diastolic"),
    ],
)
def test_it_refuses_impossible_vitals_with_a_clear_message(nurse_api, running, changes, field):
    response = post(
        nurse_api, f"/api/v1/sessions/{running}/vitals/", taken_at=local("09:10"), **(VITALS_OK | changes)
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "vitals_impossible"
    assert list(body["fields"]) == [field]
    assert "check" in body["detail"]
    assert VitalsReading.objects.filter(phase="infusion").count() == 0


def test_it_accepts_abnormal_vitals_and_flags_them_against_the_limits_and_the_baseline(nurse_api, running):
    response = post(
        nurse_api,
        f"/api/v1/sessions/{running}/vitals/",
        taken_at=local("09:10"),
        **(VITALS_OK | {"spo2": 90, "heart_rate": 125, "temperature_c": "37.8", "respiratory_rate": 26}),
    )
    assert response.status_code == 201
    codes = [f["code"] for f in response.json()["flags"]]
    # 37.8 C is under 38 but 1.1 C over this patient's baseline of 36.7 C.
    assert codes == [
        "heart_rate_high",
        "respiratory_rate_high",
        "spo2_low",
        "temperature_rise",
        "heart_rate_rise",
    ]


def test_it_refuses_a_vitals_time_in_the_future(nurse_api, running, clock):
    response = post(nurse_api, f"/api/v1/sessions/{running}/vitals/", taken_at=local("09:20"), **VITALS_OK)
    assert response.status_code == 400
    assert response.json()["fields"]["taken_at"][0]["code"] == "time_in_future"


def test_it_refuses_a_rate_above_the_cap_without_a_confirmation_and_a_reason(nurse_api, running):
    url = f"/api/v1/sessions/{running}/rate-changes/"
    refused = post(nurse_api, url, kind="step_up", rate_ml_per_hour="400", at=local("09:10"))
    assert refused.status_code == 400
    assert refused.json()["code"] == "over_cap_unconfirmed"
    assert "above this plan's maximum of 378 mL/h" in refused.json()["detail"]
    no_reason = post(
        nurse_api, url, kind="step_up", rate_ml_per_hour="400", confirm_over_cap=True, at=local("09:10")
    )
    assert no_reason.json()["code"] == "reason_required"
    accepted = post(
        nurse_api,
        url,
        kind="step_up",
        rate_ml_per_hour="400",
        confirm_over_cap=True,
        reason="Prescriber asked by phone",
        at=local("09:10"),
    )
    assert accepted.status_code == 201
    assert accepted.json()["over_cap"] is True


def test_slowing_pausing_and_stopping_need_a_reason(nurse_api, running):
    url = f"/api/v1/sessions/{running}/rate-changes/"
    for kind in ("hold", "pause", "stop"):
        response = post(nurse_api, url, kind=kind, at=local("09:10"))
        assert response.status_code == 400
        assert response.json()["code"] == "reason_required"
    slow = post(nurse_api, url, kind="slow", rate_ml_per_hour="50", at=local("09:10"), reason="Flushing")
    assert slow.json()["code"] == "not_slower"


def test_it_refuses_an_expired_lot_and_a_vial_size_the_product_does_not_have(nurse_api, running):
    url = f"/api/v1/sessions/{running}/lots/"
    expired = post(nurse_api, url, lot_number="A1", vial_size_g="10", expiry="2027-03-01")
    assert expired.status_code == 400
    assert expired.json()["code"] == "lot_expired"
    assert expired.json()["detail"] == "expiry: Lot A1 expired on 2027-03-01: do not use it."
    size = post(nurse_api, url, lot_number="A1", vial_size_g="7", expiry="2027-06-01")
    assert size.json()["code"] == "vial_size_invalid"


def test_it_refuses_charting_on_a_session_that_is_not_in_progress(nurse_api, chair, clock):
    session = post(nurse_api, "/api/v1/sessions/", booking=chair.booking.pk).json()["id"]
    response = post(nurse_api, f"/api/v1/sessions/{session}/rate-changes/", kind="step_up", at=local("08:50"))
    assert response.status_code == 409
    assert response.json()["code"] == "session_not_in_progress"
    assert response.json()["detail"] == "A rate change cannot be charted: this session is checked in."


def test_it_refuses_vitals_after_discharge(nurse_api, running, clock):
    move_to(clock, "11:00")
    post(nurse_api, f"/api/v1/sessions/{running}/end/", volume_given_ml="700")
    post(nurse_api, f"/api/v1/sessions/{running}/vitals/", taken_at=local("11:00"), **VITALS_OK)
    move_to(clock, "11:30")  # the observation time is over
    post(nurse_api, f"/api/v1/sessions/{running}/discharge/")
    clock.shift(timedelta(minutes=5))
    response = post(nurse_api, f"/api/v1/sessions/{running}/vitals/", taken_at=local("11:00"), **VITALS_OK)
    assert response.status_code == 409
    assert response.json()["code"] == "session_not_in_progress"


def test_it_refuses_discharge_before_vitals_after_the_infusion(nurse_api, running, clock):
    move_to(clock, "11:00")
    post(nurse_api, f"/api/v1/sessions/{running}/end/", volume_given_ml="700")
    response = post(nurse_api, f"/api/v1/sessions/{running}/discharge/")
    assert response.status_code == 400
    assert response.json()["code"] == "observation_vitals_required"


def test_it_refuses_to_check_in_a_booking_of_another_day(nurse_api, chair, clock):
    clock.shift(timedelta(days=1))
    response = post(nurse_api, "/api/v1/sessions/", booking=chair.booking.pk)
    assert response.status_code == 400
    assert response.json()["code"] == "not_today"
