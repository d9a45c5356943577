"""The Drug report on the hand-worked month (tests/reports/ledger.py): five infusions ended at North in
March, what was ordered, rounded to vials, dispensed and given, and the units billed to each payer."""

import pytest

from reports.drug import NO_PAYER, drug_rows

pytestmark = pytest.mark.usefixtures("ledger_now")


def test_grams_ordered_planned_dispensed_and_given_add_up_by_hand(db, ledger):
    totals = drug_rows(ledger.march())["total"][0]
    assert totals["infusions"] == 5
    # Ordered: 70 + 68.6 + 37.5 + 37.5 + 51 = 264.6 g; planned (whole vials): 70 + 70 + 40 + 40 + 50 = 270 g.
    assert (totals["grams_ordered"], totals["grams_planned"]) == (264.60, 270.00)
    # Rounding: 0 + 1.4 + 2.5 + 2.5 - 1 (C's 51 g rounded down to 50) = 5.4 g.
    assert totals["vial_rounding_g"] == 5.40
    # Vials: 3 + 3 + 1 + 1 + 2 = 10, of 70 + 70 + 40 + 40 + 50 = 270 g.
    assert (totals["vials_dispensed"], totals["grams_dispensed"]) == (10, 270.00)
    # Given: 70 + 70 + 40 + 25 (B2 stopped for a reaction) + 35 (C asked to stop) = 240 g; 30 g not given.
    assert (totals["grams_given"], totals["grams_not_given"]) == (240.00, 30.00)
    assert totals["infusions_without_lots"] == 0


def test_each_product_has_its_own_grams(db, ledger):
    rows = {row["product"]: row for row in drug_rows(ledger.march())["by_product"]}
    # Privigen: B's split cycle, 37.5 g a day ordered, a 40 g vial each day: +2.5 g twice.
    assert (rows["Privigen"]["grams_ordered"], rows["Privigen"]["vial_rounding_g"]) == (75.00, 5.00)
    # Gammagard: 70 + 68.6 + 51 = 189.6 ordered, 190 planned: 0 + 1.4 - 1 = +0.4 g.
    assert (rows["Gammagard Liquid"]["grams_ordered"], rows["Gammagard Liquid"]["vial_rounding_g"]) == (
        189.60,
        0.40,
    )


def test_billing_units_are_what_each_payers_authorization_was_charged(db, ledger):
    rows = {row["payer"]: row for row in drug_rows(ledger.march())["by_payer"]}
    # Acme: A's two infusions, 140 units each; Beacon: B's 80 + 50 (the 80 reserved in April is not
    # billed); C is self-pay: 35 g, no units.
    assert (rows["Acme Health"]["infusions"], rows["Acme Health"]["billing_units"]) == (2, 280)
    assert (rows["Beacon Care"]["grams_given"], rows["Beacon Care"]["billing_units"]) == (65.00, 130)
    assert (rows[NO_PAYER]["infusions"], rows[NO_PAYER]["grams_given"], rows[NO_PAYER]["billing_units"]) == (
        1,
        35.00,
        0,
    )
