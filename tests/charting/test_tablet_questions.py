"""What the tablet asks before it records what cannot be undone, and the answer to a flagged reading:
the rules hold in the service and the API (the pages ask the same questions first)."""

import pytest

from charting.models import InfusionSession, Premedication, RateChange, VitalsReading
from tests.charting.conftest import VITALS_OK, cid, local, move_to, post, ready_to_start

pytestmark = pytest.mark.django_db

FLAGGED = VITALS_OK | {"systolic": 186, "heart_rate": 124}


@pytest.fixture
def running(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    assert post(nurse_api, f"/api/v1/sessions/{session}/start/").status_code == 201
    return session


def ended(api, session, clock, volume):
    move_to(clock, "12:10")
    return post(api, f"/api/v1/sessions/{session}/end/", volume_given_ml=volume, at=local("12:10"))


def test_ending_short_of_the_planned_volume_is_refused_without_a_reason(nurse_api, running, clock):
    response = ended(nurse_api, running, clock, "84")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "end_reason_required"
    assert "84 of 700 mL given" in body["fields"]["end_reason"][0]["detail"]
    assert InfusionSession.objects.get(pk=running).status == "running"


def test_an_other_reason_must_be_spelt_out(nurse_api, running, clock):
    move_to(clock, "12:10")
    url = f"/api/v1/sessions/{running}/end/"
    response = post(nurse_api, url, volume_given_ml="84", end_reason="other", at=local("12:10"))
    assert response.status_code == 400
    assert response.json()["fields"]["end_note"][0]["code"] == "end_reason_required"
    response = post(
        nurse_api, url, volume_given_ml="84", end_reason="other", end_note="Bag leaked", at=local("12:10")
    )
    assert response.status_code == 201
    session = InfusionSession.objects.get(pk=running)
    assert (session.end_reason, session.end_note, session.status) == ("other", "Bag leaked", "observation")


def test_ending_short_with_a_reason_is_recorded(nurse_api, running, clock):
    move_to(clock, "09:30")
    response = post(
        nurse_api,
        f"/api/v1/sessions/{running}/end/",
        volume_given_ml="84",
        end_reason="iv_access_lost",
        at=local("09:30"),
    )
    assert response.status_code == 201
    assert response.json()["end_reason"] == "iv_access_lost"
    assert response.json()["grams_given"] == "8.40"


def test_a_full_bag_ends_without_a_question(nurse_api, running, clock):
    response = ended(nurse_api, running, clock, "698")  # within a pump's rounding of 700 mL
    assert response.status_code == 201
    assert response.json()["end_reason"] == ""


def observed(api, session, clock, reaction_outcome=None):
    assert ended(api, session, clock, "700").status_code == 201
    if reaction_outcome:
        response = post(
            api,
            f"/api/v1/sessions/{session}/reactions/",
            kind="headache",
            grade=1,
            action="none",
            outcome=reaction_outcome,
            noted_at=local("12:10"),
        )
        assert response.status_code == 201, response.json()
    move_to(clock, "12:15")
    assert (
        post(api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("12:15"), **VITALS_OK).status_code
        == 201
    )


def test_discharge_before_the_observation_is_over_asks_why(nurse_api, running, clock):
    observed(nurse_api, running, clock)
    move_to(clock, "12:21")
    url = f"/api/v1/sessions/{running}/discharge/"
    response = post(nurse_api, url, at=local("12:21"))
    assert response.status_code == 400
    assert response.json()["code"] == "discharge_reason_required"
    assert "Observation runs until 12:40 EST" in response.json()["detail"]
    response = post(nurse_api, url, at=local("12:21"), reason="Transport waiting; observed in the lobby")
    assert response.status_code == 201
    assert response.json()["discharge_reason"] == "Transport waiting; observed in the lobby"


def test_discharge_with_a_reaction_still_resolving_asks_why_even_after_observation(nurse_api, running, clock):
    observed(nurse_api, running, clock, reaction_outcome="resolving")
    move_to(clock, "12:45")
    response = post(nurse_api, f"/api/v1/sessions/{running}/discharge/", at=local("12:45"))
    assert response.status_code == 400
    assert "A reaction is not resolved (headache)." in response.json()["detail"]


def test_discharge_after_observation_with_nothing_open_needs_no_reason(nurse_api, running, clock):
    observed(nurse_api, running, clock, reaction_outcome="resolved")
    move_to(clock, "12:41")
    response = post(nurse_api, f"/api/v1/sessions/{running}/discharge/", at=local("12:41"))
    assert response.status_code == 201, response.json()
    assert response.json()["discharge_reason"] == ""


def test_a_premedication_other_than_the_order_asks_to_confirm(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    url = f"/api/v1/sessions/{session}/premedications/"
    given = {"drug": "Diphenhydramine", "dose": "50 mg", "route": "IV", "given_at": local("08:50")}
    response = post(nurse_api, url, **given)
    assert response.status_code == 400
    assert response.json()["code"] == "premedication_not_ordered"
    assert not Premedication.objects.exists()
    response = post(nurse_api, url, **given, confirm_not_ordered=True)
    assert response.status_code == 201
    assert response.json()["premedications"][0]["as_ordered"] is False


def test_give_as_ordered_records_the_ordered_premedication_in_one_step(nurse_api, chair, clock):
    chair.order.premedication = "Acetaminophen 650 mg PO, cetirizine 10 mg PO; 500 mL saline before"
    chair.order.save()
    session = ready_to_start(nurse_api, chair, clock)
    client_id = cid()
    url = f"/api/v1/sessions/{session}/premedications/as-ordered/"
    response = nurse_api.post(url, {"client_id": client_id}, format="json")
    assert response.status_code == 201
    given = [(p["drug"], p["dose"], p["route"], p["as_ordered"]) for p in response.json()["premedications"]]
    assert given == [("Acetaminophen", "650 mg", "PO", True), ("Cetirizine", "10 mg", "PO", True)]
    again = nurse_api.post(url, {"client_id": client_id}, format="json")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Premedication.objects.count() == 2


def test_give_as_ordered_without_an_ordered_dose_says_so(nurse_api, chair, clock):
    chair.order.premedication = ""
    chair.order.save()
    session = ready_to_start(nurse_api, chair, clock)
    response = post(nurse_api, f"/api/v1/sessions/{session}/premedications/as-ordered/")
    assert response.status_code == 400
    assert response.json()["code"] == "nothing_ordered"


def test_the_same_set_typed_twice_within_minutes_is_questioned(nurse_api, running, clock):
    url = f"/api/v1/sessions/{running}/vitals/"
    move_to(clock, "09:15")
    assert post(nurse_api, url, taken_at=local("09:15"), **VITALS_OK).status_code == 201
    move_to(clock, "09:17")
    response = post(nurse_api, url, taken_at=local("09:17"), **VITALS_OK)
    assert response.status_code == 400
    assert response.json()["code"] == "vitals_repeated"
    assert "charted at 09:15 EST" in response.json()["detail"]
    assert post(nurse_api, url, taken_at=local("09:17"), **VITALS_OK, confirm_repeat=True).status_code == 201
    other = VITALS_OK | {"heart_rate": 74}
    assert post(nurse_api, url, taken_at=local("09:17"), **other).status_code == 201
    assert VitalsReading.objects.filter(session=running).count() == 4


def flagged_reading(api, session, clock):
    move_to(clock, "09:15")
    response = post(api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("09:15"), **FLAGGED)
    assert response.status_code == 201 and response.json()["flags"]
    return response.json()["id"]


def test_slowing_for_a_flagged_reading_sets_the_pump_and_records_the_answer(nurse_api, running, clock):
    reading = flagged_reading(nurse_api, running, clock)
    url = f"/api/v1/sessions/{running}/vitals/{reading}/answer/"
    response = post(nurse_api, url, answer="slowed", rate_ml_per_hour="17.5")
    assert response.status_code == 201, response.json()
    assert response.json()["flag_answer"] == "slowed"
    slow = RateChange.objects.get(session=running, kind="slow")
    assert slow.rate_ml_per_hour == 17.5
    assert "Systolic 186 mmHg is over 180" in slow.reason
    # A second, different answer is refused; the first stands.
    response = post(nurse_api, url, answer="continued", reason="fine")
    assert response.status_code == 409
    assert response.json()["code"] == "already_answered"


def test_continuing_after_a_flag_needs_a_reason(nurse_api, running, clock):
    reading = flagged_reading(nurse_api, running, clock)
    url = f"/api/v1/sessions/{running}/vitals/{reading}/answer/"
    response = post(nurse_api, url, answer="continued")
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    response = post(nurse_api, url, answer="continued", reason="White-coat: 172 on a second cuff")
    assert response.status_code == 201
    row = VitalsReading.objects.get(pk=reading)
    assert (row.flag_answer, row.flag_answer_reason) == ("continued", "White-coat: 172 on a second cuff")
    assert row.flag_answered_by.username == "nell_nurse"


def test_a_reading_without_flags_has_nothing_to_answer(nurse_api, running, clock):
    move_to(clock, "09:15")
    reading = post(nurse_api, f"/api/v1/sessions/{running}/vitals/", taken_at=local("09:15"), **VITALS_OK)
    url = f"/api/v1/sessions/{running}/vitals/{reading.json()['id']}/answer/"
    response = post(nurse_api, url, answer="paused")
    assert response.status_code == 400
    assert response.json()["code"] == "not_flagged"
