"""Infusions given over a fixed time (Kawasaki disease: 2 g/kg over 10-12 h), on plain values.

The protocol's timed steps start the infusion while slower than the bag needs; the rest runs at the rate
that ends it on time, never above the last step's rate or the cap. Hand computations above each case.
"""

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from infusions.plan import ProtocolStep, build_plan, rate_steps
from patients.childhood import age_band

KAWASAKI = (ProtocolStep(D("0.5"), 30), ProtocolStep(D("1"), 30), ProtocolStep(D("4"), None))
GAMMAGARD_VIALS = [D(v) for v in ("1", "2.5", "5", "10", "20", "30")]


def boy_plan(**changes):
    """The issue's boy: 3 years, 14 kg, 95 cm, 2 g/kg of a 10% product over 10-12 h."""
    boy = age_band(date_of_birth=date(2023, 6, 14), on=date(2027, 3, 1), height_cm=D("95"))
    inputs = {
        "sex": "male",
        "height_cm": D("95"),
        "actual_kg": D("14"),
        "concentration_percent": D("10"),
        "protocol": KAWASAKI,
        "grams_per_kg": D("2"),
        "child": boy,
        "over_hours": (D("10"), D("12")),
    }
    return build_plan(**(inputs | changes))


def test_a_boy_of_14_kg_gets_2_g_per_kg_over_ten_hours():
    # 2 g/kg x 14 kg = 28 g (20 + 5 + 3 x 1 g, exact) = 280 mL of a 10% product.
    # 0.5 mL/kg/h = 7 mL/h for 30 min (3.5 mL), 1 mL/kg/h = 14 mL/h for 30 min (7 mL): 10.5 mL in 60 min.
    # The rest, 269.5 mL in the 540 min left: 29.94 -> 30.0 mL/h (2.14 mL/kg/h, under 4 and the label's 5)
    # for 539 min. Infusion 599 min; chair 30 + 599 + 30 = 659 -> 660 min (11 h).
    plan = boy_plan(vial_sizes_g=GAMMAGARD_VIALS, cap_ml_per_kg_h=D("5"))

    assert (plan.dosing_weight_kg, plan.rounded_dose_grams, plan.volume_ml) == (D("14"), D("28"), D("280"))
    assert [(s.rate_ml_per_hour, s.minutes, s.volume_ml) for s in plan.steps] == [
        (D("7.0"), D("30.0"), D("3.5")),
        (D("14.0"), D("30.0"), D("7.0")),
        (D("30.0"), D("539.0"), D("269.5")),
    ]
    assert plan.steps[-1].rate_ml_per_kg_h == D("2.14")
    assert (plan.infusion_minutes, plan.chair_minutes) == (D("599.0"), 660)
    assert (
        "The protocol gives it over 10-12 h: the rest runs at 30 mL/h so the infusion takes 10 h."
        in plan.notes
    )


def test_a_start_step_faster_than_the_bag_needs_is_left_out():
    # 1 mL/kg/h = 14 mL/h for 30 min (7 mL); the next step, 56 mL/h, is faster than the 273 mL left
    # need in 570 min (28.74 mL/h), so the rest runs at 28.8 mL/h: 273 x 60 / 28.8 = 568.75 -> 568.8 min.
    protocol = (ProtocolStep(D("1"), 30), ProtocolStep(D("4"), 30), ProtocolStep(D("5"), None))

    steps = rate_steps(volume_ml=D("280"), dosing_weight_kg=D("14"), protocol=protocol, over_minutes=D("600"))

    assert [(s.rate_ml_per_hour, s.minutes) for s in steps] == [
        (D("14.0"), D("30.0")),
        (D("28.8"), D("568.8")),
    ]


def test_a_cap_slower_than_the_bag_needs_makes_it_run_longer_and_the_plan_says_so():
    # An at-risk cap of 1.5 mL/kg/h = 21 mL/h: 269.5 mL take 770 min; infusion 830 min = 13.8 h > 12 h.
    plan = boy_plan(cap_ml_per_kg_h=D("1.5"))

    last = plan.steps[-1]
    assert (last.rate_ml_per_hour, last.minutes, last.capped) == (D("21.0"), D("770.0"), True)
    assert plan.infusion_minutes == D("830.0")
    assert any("takes 13.8 h, longer than 12 h" in note for note in plan.notes)


volumes = st.decimals(min_value=D("20"), max_value=D("2000"), places=1)
weights = st.decimals(min_value=D("3"), max_value=D("150"), places=1)
caps = st.none() | st.decimals(min_value=D("0.5"), max_value=D("8"), places=2)
hours = st.integers(min_value=2, max_value=14)


@settings(max_examples=150, deadline=None)
@given(volume=volumes, weight=weights, cap=caps, over=hours)
def test_on_time_steps_deliver_the_bag_never_over_a_limit_and_end_on_time_when_they_can(
    volume, weight, cap, over
):
    steps = rate_steps(
        volume_ml=volume,
        dosing_weight_kg=weight,
        protocol=KAWASAKI,
        cap_ml_per_kg_h=cap,
        over_minutes=D(over * 60),
    )

    assert sum(s.volume_ml for s in steps) == volume
    top = min(D("4"), cap) if cap is not None else D("4")
    assert all(s.rate_ml_per_hour <= top * weight for s in steps)
    ends = steps[-1].start_minute + steps[-1].minutes
    at_its_fastest = steps[-1].rate_ml_per_hour == (top * weight).quantize(D("0.1"), rounding="ROUND_DOWN")
    assert ends <= over * 60 + D("0.1") or at_its_fastest
