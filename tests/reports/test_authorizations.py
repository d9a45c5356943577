"""The Authorizations report on the hand-worked month (tests/reports/ledger.py): requests first
submitted in March by North's patients, decided with and after their due time, one pended twice."""

import pytest

from reports.authorizations import authorizations_rows

pytestmark = pytest.mark.usefixtures("ledger_now")


def test_turnaround_is_hours_from_first_submission_to_decision(db, ledger):
    totals = authorizations_rows(ledger.march())["total"][0]
    # Requests 1-4 (5 was submitted in February, 6 is South's patient's); 1, 2 and 3 are decided.
    assert (totals["submitted"], totals["decided"]) == (4, 3)
    # 72 h, 96 h, and 3's 10 March 09:00 EST to 20 March 09:00 EDT: 10 days less the hour clocks
    # moved = 239 h. Median 96; p90 interpolates 0.8 of the way from 96 to 239: 96 + 114.4 = 210.4.
    assert (totals["median_hours"], totals["p90_hours"]) == (96.0, 210.4)


def test_a_decision_after_its_due_time_is_not_within_the_clock(db, ledger):
    report = authorizations_rows(ledger.march())
    # 1: 72 h of 7 days; 2: 96 h of an expedited 72 h, late; 3: denied 5 days after its resubmission.
    assert (report["total"][0]["decided_in_time"], report["total"][0]["decided_in_time_rate"]) == (2, 66.7)
    beacon = next(r for r in report["turnaround"] if r["payer"] == "Beacon Care")
    assert (beacon["urgency"], beacon["decided_in_time"], beacon["decided_in_time_rate"]) == (
        "expedited",
        0,
        0.0,
    )


def test_approved_on_first_submission_counts_approvals_that_were_never_pended(db, ledger):
    report = authorizations_rows(ledger.march())
    # 1 and 2 were approved at once; 3 was pended first (then denied): 2 / 3 decided.
    assert (report["total"][0]["approved_first"], report["total"][0]["approved_first_rate"]) == (2, 66.7)
    acme = next(r for r in report["turnaround"] if r["payer"] == "Acme Health")
    # Acme standard: 72 h and 239 h: median 155.5, p90 72 + 0.9 x 167 = 222.3; 1 of 2 approved first.
    assert (acme["submitted"], acme["median_hours"], acme["p90_hours"]) == (3, 155.5, 222.3)
    assert acme["approved_first_rate"] == 50.0


def test_pended_requests_are_aged_from_their_latest_pend(db, ledger):
    report = authorizations_rows(ledger.march())
    # 4, pended 26 March 09:00; now is 5 April 09:00: 10.0 days.
    assert [(r["payer"], r["pended"], r["median_age_days"]) for r in report["pended"]] == [
        ("Acme Health", 1, 10.0)
    ]
    assert (report["total"][0]["pended_now"], report["total"][0]["pended_median_age_days"]) == (1, 10.0)


def test_units_authorized_against_used_and_reserved(db, ledger):
    report = authorizations_rows(ledger.march())
    units = {r["payer"]: r for r in report["units"]}
    # Acme: 1 (560) and 5 (280, valid into March) = 840 approved, 140 + 140 used: 33.3 %.
    assert (units["Acme Health"]["units_approved"], units["Acme Health"]["units_used"]) == (840, 280)
    assert units["Acme Health"]["units_used_rate"] == 33.3
    # Beacon: 300 approved, 80 + 50 used, 80 reserved for 7 April: 130 / 300 = 43.3 %.
    beacon = units["Beacon Care"]
    assert (beacon["units_used"], beacon["units_reserved"], beacon["units_used_rate"]) == (130, 80, 43.3)
    # Together 1140 approved, 410 used: 36.0 %.
    total = report["total"][0]
    assert (total["units_approved"], total["units_used"], total["units_used_rate"]) == (1140, 410, 36.0)


def test_authorizations_expiring_within_30_days_of_today(db, ledger):
    report = authorizations_rows(ledger.march())
    # Today is 5 April: 5 ends 20 April with all 280 units left; 1 and 2 run to August and September.
    assert [(r["payer"], r["expiring"], r["units_left"]) for r in report["expiring"]] == [
        ("Acme Health", 1, 280)
    ]
    assert report["total"][0]["expiring"] == 1


def test_another_sites_patients_are_not_counted(db, ledger):
    south = authorizations_rows(ledger.march(sites=(ledger.south,)))["total"][0]
    assert (south["submitted"], south["decided"], south["median_hours"]) == (1, 0, None)
