"""Who is a child: the age band on a day and the child dosing rules, on plain values (no database)."""

from datetime import date
from decimal import Decimal as D

import pytest

from patients.childhood import age_band, age_years

BORN = date(2023, 6, 14)


@pytest.mark.parametrize(
    ("on", "band", "years"),
    [
        (date(2023, 6, 14), "infant", 0),  # the day of birth
        (date(2024, 6, 13), "infant", 0),  # the day before the first birthday
        (date(2024, 6, 14), "toddler", 1),
        (date(2026, 6, 13), "toddler", 2),
        (date(2026, 6, 14), "preschool", 3),
        (date(2029, 6, 14), "school_age", 6),
        (date(2035, 6, 13), "school_age", 11),
        (date(2035, 6, 14), "adolescent", 12),
        (date(2041, 6, 13), "adolescent", 17),
        (date(2041, 6, 14), "adult", 18),
    ],
)
def test_the_band_changes_on_the_birthday_not_the_day_before(on, band, years):
    result = age_band(date_of_birth=BORN, on=on)

    assert (result.band, result.years) == (band, years)
    assert result.child is (band != "adult")


def test_a_child_is_a_child_by_age_and_the_plan_can_say_why():
    boy = age_band(date_of_birth=BORN, on=date(2027, 3, 1), height_cm=D("95"))

    assert (boy.band, boy.child, boy.rule) == ("preschool", True, "age")
    assert boy.reason == "age 3 y"
    assert boy.label == "preschool (3-5 y)"


def test_an_adult_under_152_4_cm_gets_the_child_dosing_rule_by_height_but_adult_vitals():
    short = age_band(date_of_birth=date(1980, 1, 1), on=date(2027, 3, 1), height_cm=D("148"))
    tall = age_band(date_of_birth=date(1980, 1, 1), on=date(2027, 3, 1), height_cm=D("152.4"))

    assert (short.band, short.child, short.rule) == ("adult", True, "height")
    assert short.reason == "height 148 cm, under 152.4 cm"
    assert (tall.child, tall.rule) == (False, None)


def test_babies_are_counted_in_months_then_days():
    assert age_band(date_of_birth=date(2027, 1, 20), on=date(2027, 3, 1)).age_text == "1 month"
    assert age_band(date_of_birth=date(2026, 7, 31), on=date(2027, 3, 1)).age_text == "7 months"
    newborn = age_band(date_of_birth=date(2027, 2, 20), on=date(2027, 3, 1))
    assert (newborn.age_text, newborn.is_neonate) == ("9 days", True)


def test_a_leap_day_birthday_comes_on_the_first_of_march():
    assert age_years(date_of_birth=date(2008, 2, 29), on=date(2026, 2, 28)) == 17
    assert age_years(date_of_birth=date(2008, 2, 29), on=date(2026, 3, 1)) == 18


def test_a_day_before_birth_or_a_float_height_is_refused():
    with pytest.raises(ValueError, match="before the date of birth"):
        age_band(date_of_birth=BORN, on=date(2023, 6, 13))
    with pytest.raises(TypeError):
        age_band(date_of_birth=BORN, on=date(2027, 3, 1), height_cm=95.0)
