"""Vitals arithmetic for the chairside: what is impossible, what is abnormal, and when the next set is due.

Plain functions over plain values (no Django), tested against the defaults in shared DOMAIN.md
("During the infusion"). The impossible limits are fixed here; the abnormal thresholds and the intervals
are the clinic's (`VitalsLimits`, built from `InfusionPolicy.vitals_limits(band)`), passed in by the
caller, for the patient's age band on the day of the reading (`patients.childhood`).

Children's limits by band (`BAND_DEFAULTS`) come from the American Heart Association's Pediatric
Advanced Life Support provider manual (PALS, 2020): its tables of normal heart rates (awake and asleep),
respiratory rates and blood pressures by age, and its definition of hypotension (systolic under 70 mmHg
from 1 to 12 months, under 70 + 2 x age in years from 1 to 10 years, under 90 over 10 years). A flag is
raised outside the widest normal range:

| band | heart rate under / over | respiratory rate over | systolic under / over | diastolic over |
|---|---|---|---|---|
| infant (under 1 y) | 90 / 180 | 53 | 70 / 104 | 56 |
| toddler (1-2 y) | 80 / 140 | 37 | 74 / 106 | 63 |
| preschool (3-5 y) | 65 / 120 | 28 | 80 / 112 | 72 |
| school age (6-11 y) | 58 / 118 | 25 | 90 / 120 | 80 |
| adolescent (12-17 y) | 50 / 100 | 20 | 90 / 131 | 83 |

- heart rate: under the lowest asleep rate, over the highest awake rate of the band;
- respiratory rate: over the band's normal range;
- systolic under: hypotension by the PALS formula at the oldest age of the band (toddler 2 y: 74,
  preschool 5 y: 80, from 10 y: 90), so no child of the band is below it unflagged;
- systolic and diastolic over: the top of the band's normal range (school age: PALS's 10-12 year row,
  adolescent: its 12-15 year row, applied to 17).

Temperature, SpO2, the changes from the baseline and the vitals intervals are the same for every band.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta
from decimal import Decimal

# field -> (lowest, highest) a living patient's reading can be; outside is a typing error.
POSSIBLE: dict[str, tuple] = {
    "systolic": (40, 300),
    "diastolic": (20, 200),
    "heart_rate": (20, 250),
    "temperature_c": (Decimal("30.0"), Decimal("44.0")),
    "respiratory_rate": (4, 60),
    "spo2": (50, 100),
}
LABELS = {
    "systolic": ("Systolic pressure", "mmHg"),
    "diastolic": ("Diastolic pressure", "mmHg"),
    "heart_rate": ("Heart rate", "/min"),
    "temperature_c": ("Temperature", "C"),
    "respiratory_rate": ("Respiratory rate", "/min"),
    "spo2": ("SpO2", "%"),
}


# The limits that differ by age band (the rest are the same for everyone).
BANDED = (
    "systolic_high",
    "systolic_low",
    "diastolic_high",
    "heart_rate_high",
    "heart_rate_low",
    "respiratory_rate_high",
)
# PALS 2020 (see above): band -> {limit: value}. The adult band's are VitalsLimits' own defaults.
BAND_DEFAULTS: dict[str, dict[str, int]] = {
    "infant": {
        "systolic_high": 104,
        "systolic_low": 70,
        "diastolic_high": 56,
        "heart_rate_high": 180,
        "heart_rate_low": 90,
        "respiratory_rate_high": 53,
    },
    "toddler": {
        "systolic_high": 106,
        "systolic_low": 74,
        "diastolic_high": 63,
        "heart_rate_high": 140,
        "heart_rate_low": 80,
        "respiratory_rate_high": 37,
    },
    "preschool": {
        "systolic_high": 112,
        "systolic_low": 80,
        "diastolic_high": 72,
        "heart_rate_high": 120,
        "heart_rate_low": 65,
        "respiratory_rate_high": 28,
    },
    "school_age": {
        "systolic_high": 120,
        "systolic_low": 90,
        "diastolic_high": 80,
        "heart_rate_high": 118,
        "heart_rate_low": 58,
        "respiratory_rate_high": 25,
    },
    "adolescent": {
        "systolic_high": 131,
        "systolic_low": 90,
        "diastolic_high": 83,
        "heart_rate_high": 100,
        "heart_rate_low": 50,
        "respiratory_rate_high": 20,
    },
}


@dataclass(frozen=True)
class VitalsLimits:
    """The limits a clinic may tune (InfusionPolicy): values past them are possible but abnormal, so the
    reading is stored with a flag. The defaults are DOMAIN.md's ("Out-of-range flags"); the changes
    against the patient's own baseline (a swing large enough to flag even inside the general limits)
    and the vitals intervals are the clinic's defaults too. The impossible limits above are physics
    and stay in code."""

    systolic_high: int = 180  # flagged over (mmHg)
    systolic_low: int = 90  # flagged under (mmHg)
    diastolic_high: int = 110  # flagged over (mmHg)
    heart_rate_high: int = 120  # flagged over (/min)
    heart_rate_low: int = 50  # flagged under (/min)
    temperature_high_c: Decimal = Decimal("38.0")  # flagged at or over (C)
    respiratory_rate_high: int = 24  # flagged over (/min)
    spo2_low: int = 92  # flagged under (%)
    temperature_rise_c: Decimal = Decimal("1.0")  # flagged at or over, above the baseline (C)
    systolic_change: int = 30  # flagged at or over, either way from the baseline (mmHg)
    heart_rate_rise: int = 30  # flagged at or over, above the baseline (/min)
    # When vitals are due (DOMAIN.md): every 15 min during titration, hourly after, and at each rate change.
    titration_interval: timedelta = timedelta(minutes=15)
    steady_interval: timedelta = timedelta(hours=1)
    band: str = "adult"  # whose limits these are (a `patients.childhood` band), named in every flag
    band_text: str = "adult limits"  # `patients.childhood.LIMITS_TEXT`, as a flag's message says it


DEFAULT_LIMITS = VitalsLimits()


# A reading as plain values: systolic, diastolic, heart_rate, respiratory_rate, spo2 (int) and
# temperature_c (Decimal); a missing one is None.
Reading = Mapping[str, int | Decimal | None]


def impossible(values: Reading) -> dict[str, str]:
    """Return {field: message} for values no patient can have (empty when all are possible)."""
    errors: dict[str, str] = {}
    for field, (low, high) in POSSIBLE.items():
        value = values.get(field)
        if value is None:
            continue
        if not low <= value <= high:
            label, unit = LABELS[field]
            errors[field] = (
                f"{label} {value} {unit} is not possible (expected {low}-{high} {unit}): check it."
            )
    systolic, diastolic = values.get("systolic"), values.get("diastolic")
    if systolic is not None and diastolic is not None and diastolic >= systolic and "diastolic" not in errors:
        errors["diastolic"] = f"Diastolic {diastolic} is not below systolic {systolic}: check the reading."
    return errors


# What each flag says, in English (stored with the reading); `params` fill it. The tablet shows it in
# the nurse's language from the code and params (charting/flag_text.py keeps one translation each).
FLAG_TEMPLATES = {
    "systolic_high": "Systolic %(value)s mmHg is over %(limit)s (%(whose)s).",
    "systolic_low": "Systolic %(value)s mmHg is under %(limit)s (%(whose)s).",
    "diastolic_high": "Diastolic %(value)s mmHg is over %(limit)s (%(whose)s).",
    "heart_rate_high": "Heart rate %(value)s/min is over %(limit)s (%(whose)s).",
    "heart_rate_low": "Heart rate %(value)s/min is under %(limit)s (%(whose)s).",
    "temperature_high": "Temperature %(value)s C is %(limit)s or more.",
    "respiratory_rate_high": "Respiratory rate %(value)s/min is over %(limit)s (%(whose)s).",
    "spo2_low": "SpO2 %(value)s%% is under %(limit)s%%.",
    "temperature_rise": "Temperature rose %(change)s C from the baseline %(baseline)s C.",
    "systolic_rise": "Systolic rose %(change)s mmHg from the baseline %(baseline)s.",
    "systolic_fall": "Systolic fell %(change)s mmHg from the baseline %(baseline)s.",
    "heart_rate_rise": "Heart rate rose %(change)s/min from the baseline %(baseline)s.",
}


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    band: str = "adult"  # the age band whose limits the reading was judged by
    params: Mapping[str, str] = dataclass_field(default_factory=dict)  # what fills FLAG_TEMPLATES[template]
    template: str = ""  # the FLAG_TEMPLATES key (the code, but systolic_change says rise or fall)


def abnormal(values: Reading, baseline: Reading | None = None, *, limits: VitalsLimits) -> list[Flag]:
    """Return the flags of a possible reading: the band's limits, then changes from the patient's baseline.

    Every flag names the band whose limits applied (`limits.band`); a limit's message says it too.
    """
    found: list[tuple[str, str, dict[str, str]]] = []

    def over(code: str, value, limit) -> None:
        found.append((code, code, {"value": str(value), "limit": str(limit), "whose": limits.band_text}))

    def change(code: str, template: str, by, base) -> None:
        found.append((code, template, {"change": str(by), "baseline": str(base)}))

    sbp, dbp, hr = values.get("systolic"), values.get("diastolic"), values.get("heart_rate")
    temp, rr, spo2 = values.get("temperature_c"), values.get("respiratory_rate"), values.get("spo2")
    if sbp is not None and sbp > limits.systolic_high:
        over("systolic_high", sbp, limits.systolic_high)
    if sbp is not None and sbp < limits.systolic_low:
        over("systolic_low", sbp, limits.systolic_low)
    if dbp is not None and dbp > limits.diastolic_high:
        over("diastolic_high", dbp, limits.diastolic_high)
    if hr is not None and hr > limits.heart_rate_high:
        over("heart_rate_high", hr, limits.heart_rate_high)
    if hr is not None and hr < limits.heart_rate_low:
        over("heart_rate_low", hr, limits.heart_rate_low)
    if temp is not None and temp >= limits.temperature_high_c:
        over("temperature_high", temp, limits.temperature_high_c)
    if rr is not None and rr > limits.respiratory_rate_high:
        over("respiratory_rate_high", rr, limits.respiratory_rate_high)
    if spo2 is not None and spo2 < limits.spo2_low:
        over("spo2_low", spo2, limits.spo2_low)
    if baseline:
        base_temp = baseline.get("temperature_c")
        if temp is not None and base_temp is not None and temp - base_temp >= limits.temperature_rise_c:
            change("temperature_rise", "temperature_rise", temp - base_temp, base_temp)
        base_sbp = baseline.get("systolic")
        if (
            sbp is not None
            and base_sbp is not None
            and abs(Decimal(sbp - base_sbp)) >= limits.systolic_change
        ):
            way = "systolic_rise" if sbp > base_sbp else "systolic_fall"
            change("systolic_change", way, abs(sbp - base_sbp), base_sbp)
        base_hr = baseline.get("heart_rate")
        if hr is not None and base_hr is not None and hr - base_hr >= limits.heart_rate_rise:
            change("heart_rate_rise", "heart_rate_rise", hr - base_hr, base_hr)
    return [
        Flag(code, FLAG_TEMPLATES[template] % params, limits.band, params, template)
        for code, template, params in found
    ]


def flag_advice(flags: Sequence[Flag]) -> str:
    """What the tablet says under a flagged reading (DOMAIN.md: suggest slowing or pausing)."""
    if not flags:
        return ""
    return "Out of range: consider slowing or pausing the infusion. Is this a reaction?"


@dataclass(frozen=True)
class Due:
    what: str  # "vitals", "step_up", "observation_end"
    at: datetime
    text: str


def next_vitals_due(
    *,
    last_vitals_at: datetime | None,
    last_rate_change_at: datetime | None,
    titrating: bool,
    started: bool,
    limits: VitalsLimits,
) -> datetime | None:
    """When the next vitals set is due while the infusion runs: every `limits.titration_interval` during
    titration (15 min by default), every `limits.steady_interval` after (hourly), and at once after a
    rate change not yet followed by vitals. None before the start."""
    if not started:
        return None
    if last_vitals_at is None:
        return last_rate_change_at
    if last_rate_change_at is not None and last_rate_change_at > last_vitals_at:
        return last_rate_change_at
    return last_vitals_at + (limits.titration_interval if titrating else limits.steady_interval)


def volume_delivered(
    changes: Sequence[tuple[datetime, Decimal]], until: datetime, limit: Decimal | None = None
) -> Decimal:
    """mL delivered by rates (mL/h) set at times, up to `until`; never more than `limit` (the bag)."""
    total = Decimal(0)
    ordered = sorted(changes, key=lambda c: c[0])
    for (at, rate), nxt in zip(ordered, [*ordered[1:], (until, None)], strict=True):
        end = min(nxt[0], until)
        if end > at:
            total += rate * Decimal((end - at).total_seconds()) / 3600
    total = total.quantize(Decimal("0.1"))
    return min(total, limit) if limit is not None else total
