"""A label's starting rate, step schedule and maximum as ceilings on the plan's rate steps.

Pure: no Django, no database. Hand computations are in the comment above each case; rates are mL/kg/h
(10% products: 1 mg/kg/min = 0.6 mL/kg/h).
"""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from infusions.label_schedule import LabelSchedule, Level
from infusions.plan import ProtocolStep, build_plan, rate_steps

WORKED = (
    ProtocolStep(D("0.5"), 30),
    ProtocolStep(D("1"), 30),
    ProtocolStep(D("2"), 30),
    ProtocolStep(D("4"), 30),
    ProtocolStep(D("5.4"), None),
)
# Privigen, PI and CIDP: 0.5 mg/kg/min at first (no time given), up to 8 (4.8 mL/kg/h at 10%).
PRIVIGEN = LabelSchedule(
    source="Privigen's label (all indications)",
    start=Level(D("0.3"), "starting rate 0.5 mg/kg/min at 10%"),
    maximum=Level(D("4.8"), "maximum 8 mg/kg/min at 10%"),
)
# Octagam 10%, chronic ITP: 1 mg/kg/min for 30 min, then 2, 4, 8 every 30 min, up to 12.
OCTAGAM_ITP = LabelSchedule(
    source="Octagam 10%'s label (all indications)",
    start=Level(D("0.6"), "starting rate 1 mg/kg/min at 10%"),
    start_minutes=30,
    steps=(
        Level(D("1.2"), "step 2 mg/kg/min at 10%"),
        Level(D("2.4"), "step 4 mg/kg/min at 10%"),
        Level(D("4.8"), "step 8 mg/kg/min at 10%"),
    ),
    step_minutes=30,
    maximum=Level(D("7.2"), "maximum 12 mg/kg/min at 10%"),
)


def seventy_kg(protocol, label, cap):
    return build_plan(
        policy="actual",
        sex=None,
        height_cm=None,
        actual_kg=D("70"),
        grams_per_kg=D("1"),
        concentration_percent=D("10"),
        protocol=protocol,
        cap_ml_per_kg_h=cap,
        label=label,
    )


def test_privigen_starts_at_its_labels_half_a_mg_per_kg_per_minute_not_the_protocols_half_a_ml():
    # 70 kg, 700 mL. Step 1: the protocol's 0.5 mL/kg/h is over the label's 0.3: 0.3 x 70 = 21 mL/h for
    # the protocol's 30 min = 10.5 mL. Then 70, 140, 280 mL/h (35 + 70 + 140 mL); 5.4 is over the
    # label's 4.8 maximum: 336 mL/h for 700 - 255.5 = 444.5 mL = 79.375 -> 79.4 min. Infusion 199.4 min;
    # chair 30 + 199.4 + 30 = 259.4 -> 270 min.
    plan = seventy_kg(WORKED, PRIVIGEN, cap=D("4.8"))

    assert [s.rate_ml_per_hour for s in plan.steps] == [D("21"), D("70"), D("140"), D("280"), D("336")]
    assert [s.volume_ml for s in plan.steps] == [D("10.5"), D("35"), D("70"), D("140"), D("444.5")]
    assert plan.steps[-1].minutes == D("79.4")
    assert (plan.infusion_minutes, plan.chair_minutes) == (D("199.4"), 270)
    assert [bool(s.lowered_by) for s in plan.steps] == [True, False, False, False, False]
    assert plan.steps[-1].capped
    assert (
        "Step 1 (minute 0): the protocol's 0.5 mL/kg/h is lowered to 0.3 mL/kg/h (21 mL/h), Privigen's "
        "label (all indications): starting rate 0.5 mg/kg/min at 10%."
    ) in plan.notes


def test_a_fast_protocol_climbs_octagams_itp_steps_every_30_minutes_instead_of_jumping():
    # Protocol 0.6 mL/kg/h for 30 min, then 7.2 (12 mg/kg/min) until the bag is empty. The label allows
    # 1.2 from minute 30, 2.4 from 60, 4.8 from 90 and 7.2 from 120, one level at a time, so the open
    # step is split: 42 mL/h x 30 min = 21 mL, 84 x 30 = 42, 168 x 30 = 84, 336 x 30 = 168, then
    # 504 mL/h for 700 - 315 = 385 mL = 45.83 -> 45.8 min. Infusion 165.8 min, chair 225.8 -> 240.
    protocol = (ProtocolStep(D("0.6"), 30), ProtocolStep(D("7.2"), None))

    plan = seventy_kg(protocol, OCTAGAM_ITP, cap=D("7.2"))

    assert [s.rate_ml_per_hour for s in plan.steps] == [D("42"), D("84"), D("168"), D("336"), D("504")]
    assert [s.start_minute for s in plan.steps] == [D("0"), D("30"), D("60"), D("90"), D("120")]
    assert [s.volume_ml for s in plan.steps] == [D("21"), D("42"), D("84"), D("168"), D("385")]
    assert (plan.infusion_minutes, plan.chair_minutes) == (D("165.8"), 240)
    lowered = [n for n in plan.notes if "is lowered" in n]
    assert lowered == [
        "Step 2 (minute 30): the protocol's 7.2 mL/kg/h is lowered to 1.2 mL/kg/h (84 mL/h), "
        "Octagam 10%'s label (all indications): step 2 mg/kg/min at 10%.",
        "Step 3 (minute 60): the protocol's 7.2 mL/kg/h is lowered to 2.4 mL/kg/h (168 mL/h), "
        "Octagam 10%'s label (all indications): step 4 mg/kg/min at 10%.",
        "Step 4 (minute 90): the protocol's 7.2 mL/kg/h is lowered to 4.8 mL/kg/h (336 mL/h), "
        "Octagam 10%'s label (all indications): step 8 mg/kg/min at 10%.",
    ]


def test_a_protocol_that_ran_slower_than_the_label_still_goes_up_one_label_step_at_a_time():
    # 0.3 mL/kg/h for 120 min (the clock would allow 7.2 by then), then 7.2: the label's next level
    # above 0.3 is 1.2 (the start, 0.6, counts as reached by anything slower), held 30 min, then 2.4,
    # 4.8 and 7.2, 30 min each. Rates x 70: 21, 84, 168, 336, 504 mL/h from minutes 0, 120, 150, 180, 210.
    protocol = (ProtocolStep(D("0.3"), 120), ProtocolStep(D("7.2"), None))

    steps = rate_steps(
        volume_ml=D("700"), dosing_weight_kg=D("70"), protocol=protocol, cap_ml_per_kg_h=D("7.2"),
        label=OCTAGAM_ITP,
    )  # fmt: skip

    assert [(s.start_minute, s.rate_ml_per_hour) for s in steps] == [
        (D("0"), D("21")),
        (D("120"), D("84")),
        (D("150"), D("168")),
        (D("180"), D("336")),
        (D("210"), D("504")),
    ]


def test_a_level_the_protocol_reaches_early_is_held_its_full_minutes():
    # 0.6 for 30 (the label's start), 1.2 for 15 (its first step, reached on time), then 7.2: 1.2 must run
    # 30 min, so another 15 min at 1.2 before 2.4 at minute 60.
    protocol = (ProtocolStep(D("0.6"), 30), ProtocolStep(D("1.2"), 15), ProtocolStep(D("7.2"), None))

    steps = rate_steps(
        volume_ml=D("700"), dosing_weight_kg=D("70"), protocol=protocol, cap_ml_per_kg_h=D("7.2"),
        label=OCTAGAM_ITP,
    )  # fmt: skip

    assert [(s.start_minute, s.rate_ml_per_kg_h) for s in steps][:4] == [
        (D("0"), D("0.6")),
        (D("30"), D("1.2")),
        (D("45"), D("1.2")),
        (D("60"), D("2.4")),
    ]


def test_the_domain_worked_example_is_unchanged_by_gammagards_label():
    # Gammagard Liquid, CIDP: 0.5 mL/kg/h for 30 min, up every 30 min, 5.4 at most: the protocol already
    # keeps to it, so 35, 70, 140, 280, 378 mL/h and 255 chair minutes, with no step lowered.
    gammagard = LabelSchedule(
        source="Gammagard Liquid's label (G61.81)",
        start=Level(D("0.5"), "starting rate 0.5 mL/kg/h"),
        start_minutes=30,
        step_minutes=30,
        maximum=Level(D("5.4"), "maximum 5.4 mL/kg/h"),
    )

    plan = seventy_kg(WORKED, gammagard, cap=D("5.4"))

    assert [s.rate_ml_per_hour for s in plan.steps] == [D("35"), D("70"), D("140"), D("280"), D("378")]
    assert plan.chair_minutes == 255
    assert not any(s.lowered_by for s in plan.steps)
    assert not [n for n in plan.notes if "is lowered" in n]


def test_a_fixed_time_protocol_never_runs_its_rest_above_the_labels_level():
    # Over 1 h exactly, 70 kg, 700 mL: the bag needs 700 mL/h from the start, but Privigen's label allows
    # 0.3 mL/kg/h = 21 mL/h in the first step, which then takes the whole bag: 2000 min, and says why.
    steps = rate_steps(
        volume_ml=D("700"), dosing_weight_kg=D("70"), protocol=(ProtocolStep(D("10"), None),),
        cap_ml_per_kg_h=D("4.8"), over_minutes=D("60"), label=PRIVIGEN,
    )  # fmt: skip

    assert [(s.rate_ml_per_hour, s.minutes) for s in steps] == [(D("21"), D("2000"))]
    assert steps[0].lowered_by.startswith("Privigen's label")


def _ceiling_at(label, minute):
    """The label's level on the clock at ``minute``."""
    clock = label._clock(minute, first_step_minutes=30)
    return clock[0].ml_per_kg_h if clock else None


rates = st.decimals(min_value=D("0.1"), max_value=D("10"), places=1)


@settings(max_examples=150, deadline=None)
@given(
    timed=st.lists(st.tuples(rates, st.integers(min_value=5, max_value=60)), min_size=1, max_size=5),
    last=rates,
    kg=st.decimals(min_value=D("10"), max_value=D("150"), places=1),
)
def test_no_step_ever_runs_above_the_labels_level_at_its_minute_nor_skips_a_level(timed, last, kg):
    protocol = (*(ProtocolStep(r, m) for r, m in timed), ProtocolStep(last, None))
    # The first step's 30 minutes are where the clock is read from, as the label's start holds 30 min.
    steps = rate_steps(
        volume_ml=D("700"), dosing_weight_kg=kg, protocol=protocol, cap_ml_per_kg_h=D("7.2"),
        label=OCTAGAM_ITP,
    )  # fmt: skip

    levels = [lv.ml_per_kg_h for lv in OCTAGAM_ITP.levels()]
    for number, step in enumerate(steps):
        assert step.rate_ml_per_kg_h <= _ceiling_at(OCTAGAM_ITP, step.start_minute)
        if number:
            reached = max(
                (lv for lv in levels if lv <= steps[number - 1].rate_ml_per_kg_h), default=levels[0]
            )
            above = [lv for lv in levels if lv > reached]
            assert step.rate_ml_per_kg_h <= (above[0] if above else levels[-1])
    assert sum(s.volume_ml for s in steps) == D("700")
