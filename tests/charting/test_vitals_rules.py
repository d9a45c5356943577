"""infusions/vitals.py: impossible values, out-of-range flags (DOMAIN.md defaults and a clinic's own
limits), when vitals are due, and the volume the rates delivered."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from infusions import vitals

T0 = datetime(2027, 3, 2, 14, 0, tzinfo=UTC)
DEFAULTS = vitals.DEFAULT_LIMITS
NORMAL = {
    "systolic": 120,
    "diastolic": 80,
    "heart_rate": 70,
    "temperature_c": D("36.8"),
    "respiratory_rate": 14,
    "spo2": 97,
}


def test_it_names_each_impossible_value():
    errors = vitals.impossible(NORMAL | {"systolic": 400, "spo2": 120, "temperature_c": D("50")})
    assert set(errors) == {"systolic", "spo2", "temperature_c"}
    assert errors["spo2"] == "SpO2 120 % is not possible (expected 50-100 %): check it."


def test_a_diastolic_not_below_the_systolic_is_impossible():
    assert vitals.impossible(NORMAL | {"systolic": 100, "diastolic": 100}) == {
        "diastolic": "Diastolic 100 is not below systolic 100: check the reading."
    }


def test_the_domain_defaults_flag_out_of_range_values():
    def codes(**changes):
        return [f.code for f in vitals.abnormal(NORMAL | changes, limits=DEFAULTS)]

    assert codes() == []
    assert codes(systolic=181) == ["systolic_high"]
    assert codes(systolic=180) == []
    assert codes(systolic=89) == ["systolic_low"]
    assert codes(diastolic=111, systolic=170) == ["diastolic_high"]
    assert codes(heart_rate=121) == ["heart_rate_high"]
    assert codes(heart_rate=49) == ["heart_rate_low"]
    assert codes(temperature_c=D("38.0")) == ["temperature_high"]
    assert codes(respiratory_rate=25) == ["respiratory_rate_high"]
    assert codes(spo2=91) == ["spo2_low"]
    assert codes(spo2=92) == []


def test_a_rise_over_the_baseline_is_flagged_even_inside_the_limits():
    flags = vitals.abnormal(
        NORMAL | {"temperature_c": D("37.8"), "systolic": 150}, baseline=NORMAL, limits=DEFAULTS
    )
    assert [f.code for f in flags] == ["temperature_rise", "systolic_change"]
    assert flags[0].message == "Temperature rose 1.0 C from the baseline 36.8 C."


def test_a_clinics_own_limits_replace_the_defaults():
    strict = replace(DEFAULTS, systolic_high=170, spo2_low=94, heart_rate_rise=20)

    baseline = NORMAL | {"systolic": 160}
    flags = vitals.abnormal(NORMAL | {"systolic": 175, "spo2": 93, "heart_rate": 90}, baseline, limits=strict)

    assert [f.code for f in flags] == ["systolic_high", "spo2_low", "heart_rate_rise"]
    assert flags[0].message == "Systolic 175 mmHg is over 170 (adult limits)."
    assert vitals.abnormal(NORMAL | {"systolic": 175, "spo2": 93}, limits=DEFAULTS) == []


def test_the_default_limits_are_domain_md_numbers():
    assert (DEFAULTS.systolic_high, DEFAULTS.systolic_low, DEFAULTS.diastolic_high) == (180, 90, 110)
    assert (DEFAULTS.heart_rate_high, DEFAULTS.heart_rate_low) == (120, 50)
    assert (DEFAULTS.temperature_high_c, DEFAULTS.temperature_rise_c) == (D("38.0"), D("1.0"))
    assert (DEFAULTS.respiratory_rate_high, DEFAULTS.spo2_low) == (24, 92)
    assert (DEFAULTS.titration_interval, DEFAULTS.steady_interval) == (
        timedelta(minutes=15),
        timedelta(hours=1),
    )


def test_vitals_are_due_every_15_minutes_while_titrating_then_hourly_and_at_once_after_a_rate_change():
    assert vitals.next_vitals_due(
        last_vitals_at=T0,
        last_rate_change_at=T0 - timedelta(minutes=1),
        titrating=True,
        started=True,
        limits=DEFAULTS,
    ) == T0 + timedelta(minutes=15)
    assert vitals.next_vitals_due(
        last_vitals_at=T0,
        last_rate_change_at=T0 - timedelta(minutes=1),
        titrating=False,
        started=True,
        limits=DEFAULTS,
    ) == T0 + timedelta(hours=1)
    changed = T0 + timedelta(minutes=5)
    assert (
        vitals.next_vitals_due(
            last_vitals_at=T0, last_rate_change_at=changed, titrating=True, started=True, limits=DEFAULTS
        )
        == changed
    )
    assert (
        vitals.next_vitals_due(
            last_vitals_at=None, last_rate_change_at=None, titrating=True, started=False, limits=DEFAULTS
        )
        is None
    )


def test_the_volume_delivered_follows_the_rates_and_never_exceeds_the_bag():
    changes = [(T0, D("35")), (T0 + timedelta(minutes=30), D("70")), (T0 + timedelta(minutes=60), D("0"))]
    assert vitals.volume_delivered(changes, T0 + timedelta(minutes=90)) == D("52.5")
    assert vitals.volume_delivered(changes, T0 + timedelta(minutes=90), limit=D("40")) == D("40")


def test_a_clinics_intervals_set_when_vitals_are_due():
    every_ten = replace(
        DEFAULTS, titration_interval=timedelta(minutes=10), steady_interval=timedelta(minutes=45)
    )
    before = T0 - timedelta(minutes=1)

    due = vitals.next_vitals_due(
        last_vitals_at=T0, last_rate_change_at=before, titrating=True, started=True, limits=every_ten
    )
    steady = vitals.next_vitals_due(
        last_vitals_at=T0, last_rate_change_at=before, titrating=False, started=True, limits=every_ten
    )

    assert (due, steady) == (T0 + timedelta(minutes=10), T0 + timedelta(minutes=45))
