"""The dosing weight of a child, on plain values: actual body weight unless the clinic's paediatric
method is on (Traub & Kichen under 152.4 cm). Hand computations above each case."""

from datetime import date
from decimal import Decimal as D

import pytest

from infusions.dosing_weight import dosing_weight, paediatric_ideal_body_weight_kg
from infusions.plan import PlanError
from patients.childhood import age_band

ON = date(2027, 3, 1)
BOY_OF_3 = age_band(date_of_birth=date(2023, 6, 14), on=ON, height_cm=D("95"))


def weight_of(policy, child=BOY_OF_3, paediatric_ideal=False, kg="14", cm="95", sex="male"):
    return dosing_weight(
        policy=policy,
        sex=sex,
        height_cm=D(cm) if cm else None,
        actual_kg=D(kg),
        child=child,
        paediatric_ideal=paediatric_ideal,
    )


@pytest.mark.parametrize("policy", ["actual", "auto"])
def test_a_child_is_dosed_by_actual_weight_and_the_reason_says_so(policy):
    weight = weight_of(policy)

    assert (weight.kg, weight.basis) == (D("14"), "actual")
    assert weight.reason.startswith("child: actual body weight 14 kg is used (age 3 y)")


def test_auto_needs_no_height_for_a_child():
    assert weight_of("auto", cm=None).kg == D("14")


@pytest.mark.parametrize("policy", ["ideal", "adjusted"])
def test_ideal_and_adjusted_weight_are_refused_for_a_child(policy):
    # Devine would give him 50 kg (the base weight under 60 inches): 100 g at 2 g/kg.
    with pytest.raises(PlanError) as excinfo:
        weight_of(policy)

    assert (excinfo.value.code, excinfo.value.field) == ("weight_policy_child", "policy")
    assert "age 3 y" in excinfo.value.message


def test_the_paediatric_method_gives_traub_and_kichen_ideal_weight():
    # 1.65 x 95^2 / 1000 = 14.89 -> 14.9 kg; adjusted 14.9 + 0.4 x (14 - 14.9) = 14.54 -> 14.5 kg.
    ideal = weight_of("ideal", paediatric_ideal=True)
    adjusted = weight_of("adjusted", paediatric_ideal=True)

    assert (ideal.kg, ideal.basis) == (D("14.9"), "ideal")
    assert "Traub & Kichen" in ideal.reason
    assert adjusted.kg == D("14.5")


def test_a_tall_teenager_gets_devine_under_the_paediatric_method():
    # 16 y, female, 165 cm: Devine 45.5 + 2.3 x (64.96 - 60) = 56.9 kg.
    girl = age_band(date_of_birth=date(2010, 5, 1), on=ON, height_cm=D("165"))

    assert paediatric_ideal_body_weight_kg(sex="female", height_cm=D("165")) == D("56.9")
    assert weight_of("ideal", child=girl, paediatric_ideal=True, kg="60", cm="165", sex="female").kg == D(
        "56.9"
    )


def test_no_ideal_weight_for_a_baby_or_a_short_adult_even_with_the_paediatric_method():
    baby = age_band(date_of_birth=date(2026, 8, 1), on=ON, height_cm=D("66"))
    short_adult = age_band(date_of_birth=date(1980, 1, 1), on=ON, height_cm=D("148"))

    for child, kg, cm in ((baby, "7.5", "66"), (short_adult, "41", "148")):
        with pytest.raises(PlanError) as excinfo:
            weight_of("ideal", child=child, paediatric_ideal=True, kg=kg, cm=cm)
        assert excinfo.value.code == "weight_policy_child"


def test_an_adult_is_dosed_as_before():
    # Female 165 cm 100 kg (DOMAIN): IBW 56.9, adjusted 74.1.
    adult = age_band(date_of_birth=date(1970, 5, 17), on=ON, height_cm=D("165"))

    weight = weight_of("auto", child=adult, kg="100", cm="165", sex="female")

    assert (weight.kg, weight.basis) == (D("74.1"), "adjusted")
