"""The Authorizations report on the hand-worked month (tests/reports/ledger.py): requests first
submitted in March by North's patients, decided with and after their due time, one pended twice."""

from decimal import Decimal as D

from reports.authorizations import authorizations_report


def test_turnaround_is_hours_from_first_submission_to_decision(db, ledger):
    totals = authorizations_report(ledger.march())["totals"]
    # Requests 1-4 (5 was submitted in February, 6 is South's patient's); 1, 2 and 3 are decided.
    assert (totals["submitted"], totals["decided"]) == (4, 3)
    # 72 h, 96 h, and 3's 10 March 09:00 EST to 20 March 09:00 EDT: 10 days less the hour clocks
    # moved = 239 h. Median 96; p90 interpolates 0.8 of the way from 96 to 239: 96 + 114.4 = 210.4.
    assert (totals["median_hours"], totals["p90_hours"]) == (D("96.0"), D("210.4"))


def test_a_decision_after_its_due_time_is_not_within_the_clock(db, ledger):
    report = authorizations_report(ledger.march())
    # 1: 72 h of 7 days; 2: 96 h of an expedited 72 h, late; 3: denied 5 days after its resubmission.
    assert (report["totals"]["decided_in_time"], report["totals"]["decided_in_time_rate"]) == (2, D("66.7"))
    beacon = next(r for r in report["turnaround"] if r["payer"] == "Beacon Care")
    assert (beacon["urgency"], beacon["decided_in_time"], beacon["decided_in_time_rate"]) == (
        "expedited",
        0,
        D("0.0"),
    )


def test_approved_on_first_submission_counts_approvals_that_were_never_pended(db, ledger):
    report = authorizations_report(ledger.march())
    # 1 and 2 were approved at once; 3 was pended first (then denied): 2 / 3 decided.
    assert (report["totals"]["approved_first"], report["totals"]["approved_first_rate"]) == (2, D("66.7"))
    acme = next(r for r in report["turnaround"] if r["payer"] == "Acme Health")
    # Acme standard: 72 h and 239 h: median 155.5, p90 72 + 0.9 x 167 = 222.3; 1 of 2 approved first.
    assert (acme["submitted"], acme["median_hours"], acme["p90_hours"]) == (3, D("155.5"), D("222.3"))
    assert acme["approved_first_rate"] == D("50.0")


def test_pended_requests_are_aged_from_their_latest_pend(db, ledger):
    pended = authorizations_report(ledger.march())["pended"]
    # 4, pended 26 March 09:00; now is 5 April 09:00: 10.0 days.
    assert [(r["payer"], r["pended"], r["median_age_days"]) for r in pended] == [
        (None, 1, D("10.0")),
        ("Acme Health", 1, D("10.0")),
    ]


def test_units_authorized_against_used_and_reserved(db, ledger):
    units = {r["payer"]: r for r in authorizations_report(ledger.march())["units"]}
    # Acme: 1 (560) and 5 (280, valid into March) = 840 approved, 140 + 140 used: 33.3 %.
    assert (units["Acme Health"]["units_approved"], units["Acme Health"]["units_used"]) == (840, 280)
    assert units["Acme Health"]["units_used_rate"] == D("33.3")
    # Beacon: 300 approved, 80 + 50 used, 80 reserved for 7 April: 130 / 300 = 43.3 %.
    beacon = units["Beacon Care"]
    assert (beacon["units_used"], beacon["units_reserved"], beacon["units_used_rate"]) == (130, 80, D("43.3"))
    # Together 1140 approved, 410 used: 36.0 %.
    assert (units[None]["units_approved"], units[None]["units_used_rate"]) == (1140, D("36.0"))


def test_authorizations_expiring_within_30_days_of_today(db, ledger):
    expiring = authorizations_report(ledger.march())["expiring"]
    # Today is 5 April: 5 ends 20 April with all 280 units left; 1 and 2 run to August and September.
    assert [(r["payer"], r["expiring"], r["units_left"]) for r in expiring] == [
        (None, 1, 280),
        ("Acme Health", 1, 280),
    ]


def test_another_sites_patients_are_not_counted(db, ledger):
    south = authorizations_report(ledger.march(site_ids=(ledger.south.pk,)))["totals"]
    assert (south["submitted"], south["decided"], south["median_hours"]) == (1, 0, None)
