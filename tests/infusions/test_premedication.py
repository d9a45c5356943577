"""Premedication suggested per kg for children, with the caps, on plain values."""

from datetime import date
from decimal import Decimal as D

from infusions.premedication import child_premedication
from patients.childhood import age_band

ON = date(2027, 3, 1)


def suggest(born, kg):
    return {s.drug: s for s in child_premedication(band=age_band(date_of_birth=born, on=ON), weight_kg=D(kg))}


def test_a_boy_of_14_kg_gets_15_and_1_mg_per_kg():
    # 15 x 14 = 210 mg acetaminophen; 1 x 14 = 14 mg diphenhydramine.
    found = suggest(date(2023, 6, 14), "14")

    assert (found["Acetaminophen"].dose_mg, found["Diphenhydramine"].dose_mg) == (D("210"), D("14"))
    assert found["Acetaminophen"].text == "Acetaminophen 210 mg PO (15 mg/kg x 14 kg)"


def test_a_heavy_teenager_is_capped_at_the_adult_doses():
    # 15 x 72.5 = 1087.5 -> 1000 mg; 1 x 72.5 = 72 -> 50 mg.
    found = suggest(date(2010, 1, 1), "72.5")

    assert (found["Acetaminophen"].dose_mg, found["Acetaminophen"].capped) == (D("1000"), True)
    assert (found["Diphenhydramine"].dose_mg, found["Diphenhydramine"].capped) == (D("50"), True)
    assert "capped at 1000 mg" in found["Acetaminophen"].text


def test_a_newborn_gets_less_acetaminophen_and_no_diphenhydramine():
    # 12.5 x 3.4 = 42.5 -> 42 mg (rounded down: never above the mg/kg).
    found = suggest(date(2027, 2, 20), "3.4")

    assert found["Acetaminophen"].dose_mg == D("42")
    assert found["Diphenhydramine"].dose_mg is None
    assert "not for a newborn" in found["Diphenhydramine"].text


def test_adults_get_no_per_kg_suggestion():
    assert suggest(date(1970, 5, 17), "70") == {}
