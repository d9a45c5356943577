"""The tablet's pure rules on plain values: where a running infusion stands (`charting.running`), what
asks before it is recorded (`charting.confirmations`) and the order's premedication
(`charting.ordered_premedication`). The worked example of DOMAIN.md: 700 mL at 35-70-140-280 mL/h for
30 min each, then 378 mL/h: 189.4 min."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from charting import confirmations, ordered_premedication, running

T0 = datetime(2027, 3, 2, 14, 0, tzinfo=UTC)
STEPS = [running.Step(D(r), D(30)) for r in (35, 70, 140, 280)] + [running.Step(D(378), None)]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_at_the_start_the_expected_end_is_the_plans_infusion_time():
    where = running.progress(
        steps=STEPS, changes=[running.Change(T0, D(35), "start")], now=T0, planned_volume_ml=D(700)
    )
    assert round((where.expected_end - T0).total_seconds() / 60, 1) == 189.4
    assert [(a.at, a.rate) for a in where.ahead] == [
        (at(30), 70),
        (at(60), 140),
        (at(90), 280),
        (at(120), 378),
    ]
    assert where.next_step_at == at(30)


def test_a_late_step_up_moves_the_steps_ahead_and_the_end_later():
    changes = [running.Change(T0, D(35), "start")]
    where = running.progress(steps=STEPS, changes=changes, now=at(45), planned_volume_ml=D(700))
    assert where.next_step_at == at(30)  # due 15 minutes ago
    assert where.given_ml == D("26.2")
    assert where.ahead[0].at == at(45)  # on the plan from now
    # 15 minutes later than planned, less the 8.75 mL those minutes gave at 35 mL/h (1.4 min at 378).
    assert round((where.expected_end - T0).total_seconds() / 60, 1) == 203.1


def test_volume_given_so_far_follows_the_rates_as_run():
    changes = [running.Change(T0, D(35), "start"), running.Change(at(30), D(70), "step_up")]
    where = running.progress(steps=STEPS, changes=changes, now=at(45), planned_volume_ml=D(700))
    assert where.given_ml == D("35.0")
    assert where.remaining_ml == D("665.0")
    assert where.next_step_at == at(60)


def test_paused_nothing_flows_and_there_is_no_expected_end():
    changes = [running.Change(T0, D(35), "start"), running.Change(at(10), D(0), "pause")]
    where = running.progress(steps=STEPS, changes=changes, now=at(20), planned_volume_ml=D(700))
    assert not where.flowing
    assert where.expected_end is None and where.ahead == ()


def test_a_slowed_rate_off_the_plan_runs_until_the_bag_is_done():
    changes = [running.Change(T0, D(70), "start"), running.Change(at(60), D(50), "slow")]
    where = running.progress(steps=STEPS, changes=changes, now=at(60), planned_volume_ml=D(700))
    assert where.step_index is None and where.next_step_at is None
    assert where.expected_end == at(60) + timedelta(hours=630 / 50)


def test_ending_short_of_the_bag_needs_a_reason_beyond_a_pumps_rounding():
    assert confirmations.short_of_dose(D("84"), D("700"))
    assert not confirmations.short_of_dose(D("696"), D("700"))
    assert (
        confirmations.end_reason_problem("", "") == "The infusion ends short of the planned volume: say why."
    )
    assert confirmations.end_reason_problem("other", " ") == "Say what the other reason is."
    assert confirmations.end_reason_problem("iv_access_lost", "") is None


def test_discharge_is_early_before_observation_ends_or_with_a_reaction_open():
    early = confirmations.early_discharge(ended_at=T0, at=at(29), observation_minutes=30, reactions=[])
    assert early.needs_reason and early.observation_ends_at == at(30)
    on_time = confirmations.early_discharge(
        ended_at=T0, at=at(30), observation_minutes=30, reactions=[("headache", "resolved")]
    )
    assert not on_time.needs_reason
    open_reaction = confirmations.early_discharge(
        ended_at=T0, at=at(90), observation_minutes=30, reactions=[("chills", "ongoing")]
    )
    assert open_reaction.needs_reason and open_reaction.unresolved_reactions == ("chills",)


def test_a_set_with_the_same_numbers_within_five_minutes_is_a_repeat():
    fields = ("systolic", "heart_rate", "temperature_c")
    earlier = [(T0, {"systolic": 120, "heart_rate": 70, "temperature_c": D("36.6")})]
    same = {"systolic": 120, "heart_rate": 70, "temperature_c": "36.6"}
    assert confirmations.repeated_set(same, at(4), earlier, fields=fields) == T0
    assert confirmations.repeated_set(same, at(6), earlier, fields=fields) is None
    assert confirmations.repeated_set(same | {"heart_rate": 71}, at(1), earlier, fields=fields) is None
    assert confirmations.repeated_set(same | {"temperature_c": None}, at(1), earlier, fields=fields) is None


def test_the_orders_text_gives_the_medications_to_record_in_one_tap():
    items, other = ordered_premedication.ordered_items("Acetaminophen 650 mg PO; 500 mL saline before")
    assert [i.text for i in items] == ["Acetaminophen 650 mg PO"]
    assert other == ["500 mL saline before"]
    items, other = ordered_premedication.ordered_items(
        "Acetaminophen 15 mg/kg PO, diphenhydramine 1 mg/kg PO"
    )
    assert items == [] and len(other) == 2  # a dose per kg is worked out by the nurse
    assert ordered_premedication.matches_order(
        "acetaminophen 650 mg PO, cetirizine 10 mg PO", drug="Cetirizine", dose="10mg", route="po"
    )
    assert not ordered_premedication.matches_order(
        "Acetaminophen 650 mg PO", drug="Acetaminophen", dose="1000 mg", route="PO"
    )
