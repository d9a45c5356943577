"""Vitals arithmetic for the chairside: what is impossible, what is abnormal, and when the next set is due.

Plain functions over plain values (no Django), tested against the defaults in shared DOMAIN.md
("During the infusion"). The impossible limits are fixed here; the abnormal thresholds and the intervals
are the clinic's (`VitalsLimits`, built from `InfusionPolicy.vitals_limits()`), passed in by the caller.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


DEFAULT_LIMITS = VitalsLimits()


def impossible(values: Mapping[str, object]) -> dict[str, str]:
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


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


def abnormal(
    values: Mapping[str, object], baseline: Mapping[str, object] | None = None, *, limits: VitalsLimits
) -> list[Flag]:
    """Return the flags of a possible reading: general limits, then changes from the patient's baseline."""
    flags: list[Flag] = []
    sbp, dbp, hr = values.get("systolic"), values.get("diastolic"), values.get("heart_rate")
    temp, rr, spo2 = values.get("temperature_c"), values.get("respiratory_rate"), values.get("spo2")
    if sbp is not None and sbp > limits.systolic_high:
        flags.append(Flag("systolic_high", f"Systolic {sbp} mmHg is over {limits.systolic_high}."))
    if sbp is not None and sbp < limits.systolic_low:
        flags.append(Flag("systolic_low", f"Systolic {sbp} mmHg is under {limits.systolic_low}."))
    if dbp is not None and dbp > limits.diastolic_high:
        flags.append(Flag("diastolic_high", f"Diastolic {dbp} mmHg is over {limits.diastolic_high}."))
    if hr is not None and hr > limits.heart_rate_high:
        flags.append(Flag("heart_rate_high", f"Heart rate {hr}/min is over {limits.heart_rate_high}."))
    if hr is not None and hr < limits.heart_rate_low:
        flags.append(Flag("heart_rate_low", f"Heart rate {hr}/min is under {limits.heart_rate_low}."))
    if temp is not None and temp >= limits.temperature_high_c:
        flags.append(
            Flag("temperature_high", f"Temperature {temp} C is {limits.temperature_high_c} or more.")
        )
    if rr is not None and rr > limits.respiratory_rate_high:
        flags.append(
            Flag(
                "respiratory_rate_high", f"Respiratory rate {rr}/min is over {limits.respiratory_rate_high}."
            )
        )
    if spo2 is not None and spo2 < limits.spo2_low:
        flags.append(Flag("spo2_low", f"SpO2 {spo2}% is under {limits.spo2_low}%."))
    if baseline:
        base_temp = baseline.get("temperature_c")
        if temp is not None and base_temp is not None and temp - base_temp >= limits.temperature_rise_c:
            flags.append(
                Flag(
                    "temperature_rise",
                    f"Temperature rose {temp - base_temp} C from the baseline {base_temp} C.",
                )
            )
        base_sbp = baseline.get("systolic")
        if sbp is not None and base_sbp is not None and abs(sbp - base_sbp) >= limits.systolic_change:
            way = "rose" if sbp > base_sbp else "fell"
            flags.append(
                Flag(
                    "systolic_change",
                    f"Systolic {way} {abs(sbp - base_sbp)} mmHg from the baseline {base_sbp}.",
                )
            )
        base_hr = baseline.get("heart_rate")
        if hr is not None and base_hr is not None and hr - base_hr >= limits.heart_rate_rise:
            flags.append(
                Flag("heart_rate_rise", f"Heart rate rose {hr - base_hr}/min from the baseline {base_hr}.")
            )
    return flags


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
