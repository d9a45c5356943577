"""The Nurses report on the hand-worked clinic of conftest.py (15-minute slots, 08:00-12:00 local).

Patients per slot: Sunday A (08:00-11:00) and G (08:00-09:00), one nurse all morning; Monday D
(08:00-12:00) and F (10:00-12:00), one nurse and a second from 09:00. No-shows and cancellations hold
no chair."""

import pytest

from tests.reports.conftest import range_query

pytestmark = pytest.mark.django_db


def tables(api, manager, clinic):
    response = api.as_user(manager).get("/api/v1/reports/nurses/", range_query(clinic))
    assert response.status_code == 200, response.json()
    return {key: table["rows"] for key, table in response.json()["tables"].items()}


def test_patients_per_nurse_by_hour_average_and_peak(api, manager, clinic):
    hours = {row["hour"]: row for row in tables(api, manager, clinic)["by_hour"]}
    assert list(hours) == ["08:00", "09:00", "10:00", "11:00"]
    # 08:00-09:00: Sunday's 4 slots hold A and G with one nurse (2 per nurse); Monday's hold D (1).
    eight = hours["08:00"]
    assert eight["slots"] == 8
    assert eight["per_nurse_mean"] == (4 * 2 + 4 * 1) / 8  # 1.5
    assert eight["per_nurse_peak"] == 2.0
    assert eight["patients_peak"] == 2
    # 09:00-10:00: Sunday A alone (1 per nurse); Monday D with two nurses (0.5).
    assert hours["09:00"]["per_nurse_mean"] == (4 * 1 + 4 * 0.5) / 8  # 0.75
    assert hours["09:00"]["nurses_mean"] == (4 * 1 + 4 * 2) / 8  # 1.5
    # 11:00-12:00: Sunday nobody (0); Monday D and F with two nurses (1).
    assert hours["11:00"]["per_nurse_mean"] == (4 * 0 + 4 * 1) / 8  # 0.5
    assert hours["11:00"]["per_nurse_limit"] == 4
    assert {row["unstaffed_slots"] for row in hours.values()} == {0}


def test_starts_per_slot_against_the_start_limit(api, manager, clinic):
    slots = {row["time_of_day"]: row for row in tables(api, manager, clinic)["starts"]}
    assert len(slots) == 16  # 08:00 to 11:45
    # 08:00: Sunday A and G start with one nurse (limit 1: over); Monday D starts with one nurse.
    eight = slots["08:00"]
    assert (eight["starts_mean"], eight["starts_peak"], eight["start_limit_min"]) == ((2 + 1) / 2, 2, 1)
    assert eight["over_limit_slots"] == 1
    # 10:00: Monday F starts with two nurses (limit 2); nothing starts on Sunday (limit 1).
    ten = slots["10:00"]
    assert (ten["starts_mean"], ten["starts_peak"], ten["start_limit_min"], ten["over_limit_slots"]) == (
        0.5,
        1,
        1,
        0,
    )
    assert slots["09:00"]["starts_peak"] == 0  # B at 09:00 was a no-show, E cancelled


def test_an_unstaffed_slot_with_patients_is_counted_apart(api, manager, clinic):
    clinic.site.nurse_shifts.filter(name="Omar").delete()
    clinic.site.nurse_shifts.filter(start__date="2026-11-02").update(end="2026-11-02T15:00:00Z")  # 10:00 EST
    hours = {row["hour"]: row for row in tables(api, manager, clinic)["by_hour"]}
    # Monday 10:00-12:00 has D and F and no nurse: 8 slots, left out of the per-nurse figures.
    assert hours["10:00"]["unstaffed_slots"] == 4 and hours["11:00"]["unstaffed_slots"] == 4
    assert hours["10:00"]["per_nurse_mean"] == 1.0  # Sunday's A alone with its nurse
