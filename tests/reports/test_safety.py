"""The Safety report on the hand-worked month (tests/reports/ledger.py): five infusions of three
patients at North in March (A twice, B on both days of a split cycle, C on the evening clocks moved)."""

import pytest

from reports.safety import safety_rows

pytestmark = pytest.mark.usefixtures("ledger_now")


def test_reaction_rates_count_infusions_and_patients_with_a_reaction(db, ledger):
    totals = safety_rows(ledger.march())["total"][0]
    # A1, A2, B1, B2, C: D's infusions are 28 February and 1 April in New York, G never started,
    # E and F were a no-show and a cancellation, S is at South.
    assert (totals["infusions"], totals["patients"]) == (5, 3)
    # A1 (grade 1) and B2 (grades 3 and 1): 2 / 5 infusions = 40.0 %, patients A and B: 2 / 3 = 66.7 %.
    assert (totals["infusions_with_reaction"], totals["reaction_rate_per_infusion"]) == (2, 40.0)
    assert (totals["patients_with_reaction"], totals["reaction_rate_per_patient"]) == (2, 66.7)


def test_reactions_are_broken_down_by_grade_and_kind_over_all_infusions(db, ledger):
    report = safety_rows(ledger.march())
    grades = {row["key"]: row for row in report["by_grade"]}
    # Grade 1: A1's headache and B2's chills, two infusions of two patients: 2 / 5 = 40.0 %, 2 / 3 = 66.7 %.
    assert (grades["1"]["reactions"], grades["1"]["infusion_rate"]) == (2, 40.0)
    assert grades["1"]["patient_rate"] == 66.7
    # Grade 3: B2's hypotension: 1 / 5 = 20.0 % of infusions, 1 / 3 = 33.3 % of patients.
    assert (grades["3"]["reactions"], grades["3"]["infusion_rate"]) == (1, 20.0)
    assert grades["3"]["patient_rate"] == 33.3
    assert list(grades) == ["1", "3"]  # D's grade 2 fever was on 28 February
    kinds = {row["key"]: row["reactions"] for row in report["by_kind"]}
    assert kinds == {"headache": 1, "chills": 1, "hypotension": 1}


def test_each_product_has_its_own_rates(db, ledger):
    rows = {row["product"]: row for row in safety_rows(ledger.march())["by_product"]}
    # Gammagard: A1, A2, C (patients A and C); one reacted: 1 / 3 = 33.3 %, 1 / 2 = 50.0 %.
    gammagard = rows["Gammagard Liquid"]
    assert (gammagard["infusions"], gammagard["patients"]) == (3, 2)
    assert (gammagard["reaction_rate_per_infusion"], gammagard["reaction_rate_per_patient"]) == (
        33.3,
        50.0,
    )
    # Privigen: B1 and B2 of one patient: 1 / 2 = 50.0 %, 1 / 1 = 100.0 %.
    privigen = rows["Privigen"]
    assert (privigen["reaction_rate_per_infusion"], privigen["reaction_rate_per_patient"]) == (
        50.0,
        100.0,
    )


def test_a_product_filter_keeps_that_products_infusions(db, ledger):
    totals = safety_rows(ledger.march(product=ledger.privigen))["total"][0]
    assert (totals["infusions"], totals["patients"], totals["infusions_with_reaction"]) == (2, 1, 1)


def test_the_share_of_infusions_with_a_flagged_vitals_set(db, ledger):
    totals = safety_rows(ledger.march())["total"][0]
    # A1 and B2 each had one flagged set among two: 2 / 5 infusions = 40.0 %.
    assert (totals["infusions_with_flagged_vitals"], totals["flagged_vitals_rate"]) == (2, 40.0)


def test_infusions_ended_short_are_listed_with_their_reason(db, ledger):
    report = safety_rows(ledger.march())
    assert (report["total"][0]["ended_short"], report["total"][0]["ended_short_rate"]) == (2, 40.0)
    assert {r["label"]: r["infusions"] for r in report["ended_short_by_reason"]} == {
        "Reaction": 1,
        "Patient request": 1,
    }
    listed = [(r["day"], r["mrn"], r["reason"], r["volume_short_ml"]) for r in report["ended_short"]]
    b, c = ledger.patients["B"], ledger.patients["C"]
    # B2: 400 mL planned, 250 given; C (on the 14th, local): 500 planned, 350 given.
    assert listed == [
        ("2027-03-11", b.mrn, "reaction", 150.0),
        ("2027-03-14", c.mrn, "patient_request", 150.0),
    ]
    assert report["ended_short"][0]["worst_reaction_grade"] == 3


def test_a_month_without_infusions_reports_zero_and_no_rate(db, ledger):
    report = safety_rows(ledger.march(start=ledger.march().end))
    assert (report["total"][0]["infusions"], report["total"][0]["reaction_rate_per_infusion"]) == (0, None)
    assert report["by_grade"] == report["ended_short"] == []
