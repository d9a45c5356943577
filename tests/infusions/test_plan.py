"""Infusion plan arithmetic, checked against hand computations and by property.

Pure module: no Django, no database. Hand computations are in the comment above each case.
"""

import itertools
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infusions.dosing_weight import adjusted_body_weight_kg, dosing_weight, ideal_body_weight_kg
from infusions.plan import (
    PlanError,
    ProtocolStep,
    billing_units,
    build_plan,
    chair_minutes,
    dose_grams,
    infusion_minutes,
    mg_per_kg_min_to_ml_per_kg_h,
    ml_per_kg_h_to_mg_per_kg_min,
    q,
    rate_steps,
    round_to_vials,
    volume_ml,
)

# The DOMAIN worked example: 0.5 -> 1 -> 2 -> 4 mL/kg/h every 30 min, then 5.4 until the bag is empty.
WORKED_PROTOCOL = (
    ProtocolStep(D("0.5"), 30),
    ProtocolStep(D("1"), 30),
    ProtocolStep(D("2"), 30),
    ProtocolStep(D("4"), 30),
    ProtocolStep(D("5.4"), None),
)


def seventy_kg_plan(**overrides):
    order = {
        "policy": "actual",
        "sex": None,
        "height_cm": None,
        "actual_kg": D("70"),
        "grams_per_kg": D("1"),
        "concentration_percent": D("10"),
        "protocol": WORKED_PROTOCOL,
    }
    return build_plan(**(order | overrides))


def test_the_worked_example_books_four_hours_fifteen():
    # 70 kg x 1 g/kg = 70 g; 70 g / 0.1 g/mL = 700 mL.
    # Rates x 70 kg: 35, 70, 140, 280, 378 mL/h.
    # 30 min each: 17.5 + 35 + 70 + 140 = 262.5 mL; 700 - 262.5 = 437.5 mL left.
    # 437.5 / 378 x 60 = 69.44 -> 69.4 min; infusion 120 + 69.4 = 189.4 min.
    # Chair 30 + 189.4 + 30 = 249.4 -> 255 min on the 15-minute grid (4 h 15 min).
    plan = seventy_kg_plan()
    assert plan.dosing_weight_kg == D("70")
    assert plan.dose_grams == plan.rounded_dose_grams == plan.total_grams == D("70")
    assert plan.volume_ml == D("700")
    assert [s.rate_ml_per_hour for s in plan.steps] == [D("35"), D("70"), D("140"), D("280"), D("378")]
    assert [s.volume_ml for s in plan.steps] == [D("17.5"), D("35"), D("70"), D("140"), D("437.5")]
    assert [s.minutes for s in plan.steps] == [D("30"), D("30"), D("30"), D("30"), D("69.4")]
    assert [s.start_minute for s in plan.steps] == [D("0"), D("30"), D("60"), D("90"), D("120")]
    assert sum(s.volume_ml for s in plan.steps[:4]) == D("262.5")
    assert plan.infusion_minutes == D("189.4")
    assert plan.chair_minutes == 255
    assert plan.billing_units == 140
    assert not any(s.capped for s in plan.steps)
    assert "booked as 4 h 15 min" in plan.notes[-1]


def test_the_domain_example_doses_a_heavy_woman_by_adjusted_weight():
    # 165 cm / 2.54 = 64.96 in; IBW = 45.5 + 2.3 x 4.96 = 56.91 -> 56.9 kg.
    # 100 kg > 1.2 x 56.9 = 68.28 kg, so adjusted = 56.9 + 0.4 x (100 - 56.9) = 74.14 -> 74.1 kg.
    assert ideal_body_weight_kg(sex="female", height_cm=D("165")) == D("56.9")
    assert adjusted_body_weight_kg(ideal_kg=D("56.9"), actual_kg=D("100")) == D("74.1")
    weight = dosing_weight(policy="auto", sex="female", height_cm=D("165"), actual_kg=D("100"))
    assert (weight.kg, weight.basis) == (D("74.1"), "adjusted")
    assert weight.reason == (
        "Actual weight 100 kg is over 120% of ideal 56.9 kg, so adjusted weight 74.1 kg is used."
    )


def test_the_auto_policy_keeps_actual_weight_under_one_hundred_twenty_percent_of_ideal():
    # Same woman at 65 kg: 65 <= 1.2 x 56.9 = 68.28 kg, so actual 65 kg is used.
    weight = dosing_weight(policy="auto", sex="female", height_cm=D("165"), actual_kg=D("65"))
    assert (weight.kg, weight.basis) == (D("65"), "actual")
    assert "not over 120%" in weight.reason


def test_the_other_policies_use_the_weight_they_name():
    # Male 180 cm: 70.87 in; 50 + 2.3 x 10.87 = 74.99 -> 75.0 kg; adjusted 75 + 0.4 x 25 = 85 kg.
    common = {"sex": "male", "height_cm": D("180"), "actual_kg": D("100")}
    assert dosing_weight(policy="ideal", **common).kg == D("75.0")
    assert dosing_weight(policy="adjusted", **common).kg == D("85.0")
    assert dosing_weight(policy="actual", **common).kg == D("100")


def test_short_patients_get_the_base_ideal_weight_and_never_less():
    # 150 cm = 59.06 in, under 60 in: no increment, IBW = 45.5 kg (female), 50 kg (male).
    assert ideal_body_weight_kg(sex="female", height_cm=D("150")) == D("45.5")
    assert ideal_body_weight_kg(sex="male", height_cm=D("120")) == D("50")


def test_a_dose_near_whole_vials_is_rounded_to_the_fewest_vials():
    # 74.1 g with 5/10/20 g vials: 70 g is 4.1 away, 75 g is 0.9 away; 0.9 / 74.1 = 1.2% <= 10%.
    # 75 g = 3 x 20 + 1 x 10 + 1 x 5 (5 vials; 3 x 20 + 3 x 5 would be 6).
    rounding = round_to_vials(dose_g=D("74.1"), vial_sizes_g=[D("5"), D("10"), D("20")])
    assert rounding.rounded
    assert rounding.grams == D("75")
    assert rounding.vials == ((D("20"), 3), (D("10"), 1), (D("5"), 1))
    assert "1.2% away" in rounding.reason


def test_a_dose_far_from_any_vial_total_is_not_rounded_but_says_what_to_dispense():
    # 12 g with only 20 g vials: nearest total 20 g is 8 / 12 = 66.7% away > 10%: keep 12 g, dispense 1 x 20.
    rounding = round_to_vials(dose_g=D("12"), vial_sizes_g=[D("20")])
    assert not rounding.rounded
    assert rounding.grams == D("12")
    assert rounding.vials == ((D("20"), 1),)
    assert "66.7% away" in rounding.reason


def test_a_tie_between_vial_totals_goes_to_the_smaller_total():
    # 25 g with 10 g vials: 20 and 30 are both 5 g away; the smaller wins; 5 / 25 = 20% <= 20%.
    rounding = round_to_vials(dose_g=D("25"), vial_sizes_g=[D("10")], tolerance=D("0.20"))
    assert (rounding.grams, rounding.vials, rounding.rounded) == (D("20"), ((D("10"), 2),), True)


def test_half_gram_vial_steps_are_counted_exactly():
    # 71.2 g with 2.5/5/10/20 g vials (gcd 2.5 g): 70 is 1.2 away, 72.5 is 1.3 away -> 70 = 3 x 20 + 1 x 10.
    rounding = round_to_vials(dose_g=D("71.2"), vial_sizes_g=[D("2.5"), D("5"), D("10"), D("20")])
    assert (rounding.grams, rounding.vials) == (D("70"), ((D("20"), 3), (D("10"), 1)))


def test_a_plan_with_vials_runs_from_the_rounded_dose_and_rounds_pump_rates_down():
    # Woman above: 74.1 kg x 1 g/kg = 74.1 g -> 75 g -> 750 mL; 150 billing units.
    # Pump rates (down to 0.1 mL/h): 37.05 -> 37.0, 74.1, 148.2, 296.4, 400.14 -> 400.1 mL/h.
    # 30-min volumes (down to 0.1 mL): 18.5, 37.05 -> 37.0, 74.1, 148.2 = 277.8 mL; 472.2 mL left.
    # 472.2 / 400.1 x 60 = 70.81 -> 70.8 min; infusion 190.8; chair 250.8 -> 255.
    plan = seventy_kg_plan(
        policy="auto",
        sex="female",
        height_cm=D("165"),
        actual_kg=D("100"),
        vial_sizes_g=[D("5"), D("10"), D("20")],
    )
    assert (plan.dosing_weight_kg, plan.dosing_weight_basis) == (D("74.1"), "adjusted")
    assert (plan.dose_grams, plan.rounded_dose_grams, plan.volume_ml) == (D("74.1"), D("75"), D("750"))
    assert plan.billing_units == 150
    assert [s.rate_ml_per_hour for s in plan.steps] == [
        D("37"),
        D("74.1"),
        D("148.2"),
        D("296.4"),
        D("400.1"),
    ]
    assert [s.volume_ml for s in plan.steps] == [D("18.5"), D("37"), D("74.1"), D("148.2"), D("472.2")]
    assert plan.steps[-1].minutes == D("70.8")
    assert (plan.infusion_minutes, plan.chair_minutes) == (D("190.8"), 255)


def test_a_privigen_label_cap_in_mg_per_kg_min_lowers_the_last_step():
    # 8 mg/kg/min x 60 min/h / 100 mg/mL = 4.8 mL/kg/h; the 5.4 step runs at 4.8 x 70 = 336 mL/h.
    # 437.5 / 336 x 60 = 78.125 -> 78.1 min; infusion 120 + 78.1 = 198.1; chair 258.1 -> 270 (4 h 30 min).
    cap = mg_per_kg_min_to_ml_per_kg_h(rate=D("8"), concentration_percent=D("10"))
    assert cap == D("4.8")
    plan = seventy_kg_plan(cap_ml_per_kg_h=cap)
    last = plan.steps[-1]
    assert (last.rate_ml_per_kg_h, last.rate_ml_per_hour, last.capped) == (D("4.8"), D("336"), True)
    assert not any(s.capped for s in plan.steps[:-1])
    assert last.minutes == D("78.1")
    assert (plan.infusion_minutes, plan.chair_minutes) == (D("198.1"), 270)


def test_rates_convert_between_mg_per_kg_min_and_ml_per_kg_h():
    # 10%: 1 mg/kg/min = 60 mg/kg/h / 100 mg/mL = 0.6 mL/kg/h; 5%: 1.2; Privigen start 0.5 -> 0.3.
    assert mg_per_kg_min_to_ml_per_kg_h(rate=D("1"), concentration_percent=D("10")) == D("0.6")
    assert mg_per_kg_min_to_ml_per_kg_h(rate=D("1"), concentration_percent=D("5")) == D("1.2")
    assert mg_per_kg_min_to_ml_per_kg_h(rate=D("0.5"), concentration_percent=D("10")) == D("0.3")
    assert ml_per_kg_h_to_mg_per_kg_min(rate=D("4.8"), concentration_percent=D("10")) == D("8")


def test_a_two_gram_loading_dose_split_over_two_days_gives_seventy_grams_a_day():
    # 2 g/kg x 70 kg = 140 g over 2 days = 70 g a day: the worked example's day, 700 mL, 255 min.
    plan = seventy_kg_plan(grams_per_kg=D("2"), split_days=2)
    assert (plan.days, plan.total_grams, plan.dose_grams) == (2, D("140"), D("70"))
    assert (plan.volume_ml, plan.infusion_minutes, plan.chair_minutes) == (D("700"), D("189.4"), 255)
    assert plan.billing_units == 140
    assert any("140 g over 2 days is 70 g a day" in note for note in plan.notes)


def test_an_at_risk_cap_of_two_ml_per_kg_h_stretches_the_infusion():
    # Cap 2: rates 35, 70, 140, 140, 140 mL/h; 17.5 + 35 + 70 + 70 = 192.5 mL in 120 min.
    # 700 - 192.5 = 507.5 mL / 140 x 60 = 217.5 min; infusion 337.5; chair 397.5 -> 405 (6 h 45 min).
    plan = seventy_kg_plan(cap_ml_per_kg_h=D("2"))
    assert [s.rate_ml_per_hour for s in plan.steps] == [D("35"), D("70"), D("140"), D("140"), D("140")]
    assert [s.capped for s in plan.steps] == [False, False, False, True, True]
    assert plan.steps[-1].volume_ml == D("507.5")
    assert (plan.infusion_minutes, plan.chair_minutes) == (D("337.5"), 405)


def test_billing_units_are_whole_half_grams_rounded_up():
    # 70 / 0.5 = 140; 70.2 / 0.5 = 140.4 -> 141.
    assert billing_units(grams=D("70")) == 140
    assert billing_units(grams=D("70.2")) == 141


def test_a_small_bag_finishes_inside_the_first_step():
    # 10 mL at 35 mL/h: 10 / 35 x 60 = 17.14 -> 17.1 min, one step, nothing after.
    steps = rate_steps(volume_ml=D("10"), dosing_weight_kg=D("70"), protocol=WORKED_PROTOCOL)
    assert len(steps) == 1
    assert (steps[0].minutes, steps[0].volume_ml) == (D("17.1"), D("10"))


def test_volume_and_display_rounding():
    # 70 g at 10% = 700 mL; 74.1 g at 12% = 617.5 mL; q rounds half up.
    assert volume_ml(grams=D("70"), concentration_percent=D("10")) == D("700")
    assert volume_ml(grams=D("74.1"), concentration_percent=D("12")) == D("617.5")
    assert q(D("69.45"), 1) == D("69.5")


@pytest.mark.parametrize(
    ("call", "code", "field"),
    [
        (
            lambda: dosing_weight(policy="auto", sex="female", height_cm=None, actual_kg=D("80")),
            "height_required",
            "height_cm",
        ),
        (
            lambda: dosing_weight(policy="ideal", sex=None, height_cm=D("170"), actual_kg=D("80")),
            "sex_required",
            "sex",
        ),
        (
            lambda: dosing_weight(policy="lean", sex="male", height_cm=D("170"), actual_kg=D("80")),
            "policy_invalid",
            "policy",
        ),
        (
            lambda: dose_grams(grams_per_kg=None, fixed_grams=None, dosing_weight_kg=D("70")),
            "dose_required",
            "grams_per_kg",
        ),
        (
            lambda: dose_grams(grams_per_kg=D("1"), fixed_grams=D("70"), dosing_weight_kg=D("70")),
            "dose_required",
            "grams_per_kg",
        ),
        (
            lambda: dose_grams(grams_per_kg=D("0"), fixed_grams=None, dosing_weight_kg=D("70")),
            "dose_invalid",
            "grams_per_kg",
        ),
        (
            lambda: dose_grams(grams_per_kg=None, fixed_grams=D("-5"), dosing_weight_kg=None),
            "dose_invalid",
            "fixed_grams",
        ),
        (lambda: seventy_kg_plan(split_days=0), "split_days_invalid", "split_days"),
        (lambda: seventy_kg_plan(split_days=6), "split_days_invalid", "split_days"),
        (lambda: seventy_kg_plan(protocol=WORKED_PROTOCOL[:-1]), "protocol_invalid", "protocol"),
        (
            lambda: seventy_kg_plan(protocol=(ProtocolStep(D("1")), *WORKED_PROTOCOL)),
            "protocol_invalid",
            "protocol",
        ),
        (lambda: round_to_vials(dose_g=D("70"), vial_sizes_g=[]), "vial_sizes_invalid", "vial_sizes_g"),
    ],
)
def test_an_unplannable_order_raises_a_stable_code_for_its_field(call, code, field):
    with pytest.raises(PlanError) as caught:
        call()
    assert (caught.value.code, caught.value.field) == (code, field)
    assert str(caught.value)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        volume_ml(grams=70.0, concentration_percent=D("10"))


tenths = st.integers
volumes = tenths(10, 30_000).map(lambda n: D(n) / 10)  # 1.0 .. 3000.0 mL
weights = tenths(30, 2_000).map(lambda n: D(n) / 10)  # 3.0 .. 200.0 kg
per_kg_rates = tenths(3, 100).map(lambda n: D(n) / 10)  # 0.3 .. 10.0 mL/kg/h
caps = st.none() | per_kg_rates
protocols = st.builds(
    lambda timed, last: (*(ProtocolStep(r, m) for r, m in timed), ProtocolStep(last)),
    st.lists(st.tuples(per_kg_rates, st.integers(10, 60)), max_size=5),
    per_kg_rates,
)


@given(volume=volumes, weight=weights, protocol=protocols, cap=caps)
def test_step_volumes_sum_to_the_bag_and_no_step_is_empty(volume, weight, protocol, cap):
    steps = rate_steps(volume_ml=volume, dosing_weight_kg=weight, protocol=protocol, cap_ml_per_kg_h=cap)
    assert sum(s.volume_ml for s in steps) == volume
    assert all(s.volume_ml > 0 for s in steps)
    assert all(
        later.start_minute == earlier.start_minute + earlier.minutes
        for earlier, later in itertools.pairwise(steps)
    )


@given(volume=volumes, weight=weights, protocol=protocols, cap=per_kg_rates)
def test_no_step_runs_faster_than_the_cap(volume, weight, protocol, cap):
    steps = rate_steps(volume_ml=volume, dosing_weight_kg=weight, protocol=protocol, cap_ml_per_kg_h=cap)
    assert all(s.rate_ml_per_kg_h <= cap for s in steps)
    assert all(s.rate_ml_per_hour <= cap * weight for s in steps)


@given(volumes=st.tuples(volumes, volumes), weight=weights, protocol=protocols, cap=caps)
def test_more_volume_never_takes_less_time(volumes, weight, protocol, cap):
    smaller, larger = sorted(volumes)
    times = [
        infusion_minutes(
            rate_steps(volume_ml=v, dosing_weight_kg=weight, protocol=protocol, cap_ml_per_kg_h=cap)
        )
        for v in (smaller, larger)
    ]
    assert times[0] <= times[1]


@given(
    running=tenths(0, 10_000).map(lambda n: D(n) / 10),
    prep=st.integers(0, 90),
    observation=st.integers(0, 90),
    grid=st.sampled_from([1, 5, 10, 15, 30, 60]),
)
def test_chair_minutes_fill_whole_grid_slots_covering_the_visit(running, prep, observation, grid):
    booked = chair_minutes(
        infusion_minutes=running, prep_minutes=prep, observation_minutes=observation, grid_minutes=grid
    )
    needed = prep + running + observation
    assert booked % grid == 0
    assert needed <= booked < needed + grid


def _brute_force_vials(dose, sizes, tolerance):
    """Fewest-vial count for every total reachable with up to (dose / size + 1) of each size."""
    fewest = {}
    ranges = [range(int(dose / size) + 2) for size in sizes]
    for counts in itertools.product(*ranges):
        total = sum(c * s for c, s in zip(counts, sizes, strict=True))
        if total > 0:
            fewest[total] = min(fewest.get(total, sum(counts)), sum(counts))
    nearest = min(fewest, key=lambda t: (abs(t - dose), t))
    if abs(nearest - dose) / dose <= tolerance:
        return nearest, fewest[nearest]
    return dose, fewest[min(t for t in fewest if t >= dose)]


@settings(max_examples=60, deadline=None)
@given(
    dose=tenths(10, 600).map(lambda n: D(n) / 10),
    sizes=st.sets(st.sampled_from([D("2.5"), D("5"), D("10"), D("20")]), min_size=1),
    tolerance=st.sampled_from([D("0"), D("0.05"), D("0.10"), D("0.25")]),
)
def test_vial_rounding_matches_a_brute_force_search(dose, sizes, tolerance):
    rounding = round_to_vials(dose_g=dose, vial_sizes_g=sorted(sizes), tolerance=tolerance)
    grams, vial_count = _brute_force_vials(dose, sorted(sizes), tolerance)
    assert rounding.grams == grams
    assert sum(count for _, count in rounding.vials) == vial_count
    assert rounding.rounded == (grams != dose)
    dispensed = sum(size * count for size, count in rounding.vials)
    assert dispensed == grams if rounding.rounded else dispensed >= grams
