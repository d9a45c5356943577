"""Infusion plan arithmetic: dose, vials, volume, billing units, rate steps, chair time; the dosing weight
(with the child rules) is `infusions.dosing_weight`, the shared numbers `infusions.quantities`.

Standard library only (no Django), so the admin, the nurse tablet and the API share one tested source of
truth. Every quantity is a ``Decimal``; floats are refused (``TypeError``) because a pump rate or a billed
unit must not depend on binary rounding. The rules follow the clinical domain notes ("Dose"; "Rate
titration and chair time").

Quantization: each public function computes at full ``Decimal`` precision and quantizes only its result,
to the unit a person reads or programs; the next function works from that shown number, so a plan can
be re-checked by hand from what it displays.

- weights (ideal, adjusted, dosing) to 0.1 kg, ROUND_HALF_UP;
- grams to 0.01 g, ROUND_HALF_UP;
- the bag volume to 0.1 mL, ROUND_HALF_UP; a timed rate step's volume is rounded DOWN to 0.1 mL so the
  list never claims more than the pump gave, and the last step takes exactly what remains, so step
  volumes always sum to the bag volume;
- pump rates to 0.1 mL/h, rounded DOWN so rounding never pushes a rate past a label or at-risk cap;
  per-kg rates (mL/kg/h) and unit conversions are protocol parameters and are not quantized;
- minutes to 0.1 min, ROUND_HALF_UP; chair minutes are whole minutes rounded UP to the booking grid;
- billing units: the ceiling of grams / 0.5 g (HCPCS units are 500 mg).

``q(value, places)`` rounds further for display.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_UP, Decimal

from infusions.dosing_weight import dosing_weight
from infusions.label_schedule import LabelSchedule
from infusions.quantities import PlanError, dec, fmt, positive, q
from patients.childhood import AgeBand

MAX_SPLIT_DAYS = 5
# The vial search is linear in dose / gcd(vial sizes); this bound only stops absurd input from hanging.
MAX_VIAL_SEARCH = 1_000_000

Vials = tuple[tuple[Decimal, int], ...]  # (vial size in g, count), largest size first


def _concentration(percent: object) -> Decimal:
    pct = positive(percent, "concentration_percent", "concentration_invalid")
    if pct > 100:
        raise PlanError("concentration_invalid", "concentration_percent", "A product is at most 100%.")
    return pct


@dataclass(frozen=True)
class VialRounding:
    grams: Decimal
    vials: Vials
    rounded: bool
    reason: str


@dataclass(frozen=True)
class ProtocolStep:
    rate_ml_per_kg_h: Decimal
    minutes: int | None = None  # None: the open-ended last step


@dataclass(frozen=True)
class RateStep:
    start_minute: Decimal
    minutes: Decimal
    rate_ml_per_hour: Decimal
    rate_ml_per_kg_h: Decimal
    volume_ml: Decimal
    capped: bool
    lowered_by: str = ""  # the label's starting rate or step that held this step below the protocol


@dataclass(frozen=True)
class Plan:
    """One day's infusion. ``dose_grams`` is that day's ordered dose, ``total_grams`` the whole course."""

    dosing_weight_kg: Decimal
    dosing_weight_basis: str
    actual_weight_kg: Decimal
    days: int
    total_grams: Decimal
    dose_grams: Decimal
    rounded_dose_grams: Decimal
    vials: Vials
    volume_ml: Decimal
    billing_units: int
    steps: tuple[RateStep, ...]
    infusion_minutes: Decimal
    chair_minutes: int
    notes: tuple[str, ...]


def dose_grams(
    *, grams_per_kg: Decimal | None, fixed_grams: Decimal | None, dosing_weight_kg: Decimal | None
) -> Decimal:
    """Return the ordered dose (0.01 g). Raises PlanError dose_required, dose_invalid, weight_invalid."""
    if (grams_per_kg is None) == (fixed_grams is None):
        raise PlanError("dose_required", "grams_per_kg", "Give a dose per kg or a fixed dose, not both.")
    if fixed_grams is not None:
        grams = q(positive(fixed_grams, "fixed_grams", "dose_invalid"), 2)
    else:
        per_kg = positive(grams_per_kg, "grams_per_kg", "dose_invalid")
        grams = q(per_kg * positive(dosing_weight_kg, "dosing_weight_kg", "weight_invalid"), 2)
    if grams <= 0:
        raise PlanError("dose_invalid", "grams_per_kg", "The dose rounds to zero grams.")
    return grams


def _describe(vials: Vials) -> str:
    return " + ".join(f"{count} x {fmt(size)} g" for size, count in vials)


def round_to_vials(
    *, dose_g: Decimal, vial_sizes_g: Sequence[Decimal], tolerance: Decimal = Decimal("0.10")
) -> VialRounding:
    """Return the dose rounded to the nearest whole-vial total (ties: the smaller) when within tolerance.

    ``vials`` is the fewest vials for the returned total or, when not rounded, for the smallest total
    covering the dose (what to dispense). Raises PlanError dose_invalid, vial_sizes_invalid,
    tolerance_invalid.
    """
    dose = positive(dose_g, "dose_g", "dose_invalid")
    sizes = sorted({positive(v, "vial_sizes_g", "vial_sizes_invalid") for v in vial_sizes_g}, reverse=True)
    if not sizes:
        raise PlanError("vial_sizes_invalid", "vial_sizes_g", "Give at least one vial size.")
    tol = dec(tolerance, "tolerance", "tolerance_invalid")
    if tol < 0:
        raise PlanError("tolerance_invalid", "tolerance", "Tolerance cannot be negative.")
    # Count in whole multiples of the vials' gcd so the search is exact integer arithmetic.
    scale = 10 ** max(max(-int(v.normalize().as_tuple().exponent), 0) for v in sizes)
    unit = math.gcd(*(int(v * scale) for v in sizes))
    step_g = Decimal(unit) / scale
    size_of = {int(v * scale) // unit: v for v in sizes}
    # Some multiple of the smallest vial lies less than one vial above the dose.
    limit = int(dose / step_g) + min(size_of) + 1
    if limit > MAX_VIAL_SEARCH:
        raise PlanError("dose_invalid", "dose_g", "The dose is too large to round to vials.")
    fewest, pick = [0] + [limit + 1] * limit, [0] * (limit + 1)
    for total in range(1, limit + 1):
        for units in size_of:  # largest first, so equal counts favour larger vials
            if units <= total and fewest[total - units] + 1 < fewest[total]:
                fewest[total], pick[total] = fewest[total - units] + 1, units
    reachable = [t for t in range(1, limit + 1) if fewest[t] <= limit]
    nearest = min(reachable, key=lambda t: (abs(t * step_g - dose), t))
    off = abs(nearest * step_g - dose) / dose
    within = off <= tol
    chosen = nearest if within else min(t for t in reachable if t * step_g >= dose)
    counts: dict[Decimal, int] = {}
    while chosen:
        counts[size_of[pick[chosen]]] = counts.get(size_of[pick[chosen]], 0) + 1
        chosen -= pick[chosen]
    vials = tuple(sorted(counts.items(), reverse=True))
    total_g, off_pct, tol_pct = q(nearest * step_g, 2), fmt(q(off * 100, 1)), fmt(tol * 100)
    if not within:
        reason = (
            f"Ordered {fmt(dose)} g is not rounded: the nearest whole-vial total, {fmt(total_g)} g, is "
            f"{off_pct}% away, over {tol_pct}%; dispense {_describe(vials)} and discard the rest."
        )
        return VialRounding(q(dose, 2), vials, False, reason)
    if total_g == dose:
        return VialRounding(q(dose, 2), vials, False, f"Ordered {fmt(dose)} g is exactly {_describe(vials)}.")
    reason = (
        f"Ordered {fmt(dose)} g is rounded to {fmt(total_g)} g ({_describe(vials)}), "
        f"{off_pct}% away, within {tol_pct}%."
    )
    return VialRounding(total_g, vials, True, reason)


def volume_ml(*, grams: Decimal, concentration_percent: Decimal) -> Decimal:
    """Return the volume (0.1 mL); 10% is 0.1 g/mL. Raises PlanError dose_invalid, concentration_invalid."""
    return q(positive(grams, "grams", "dose_invalid") * 100 / _concentration(concentration_percent), 1)


def billing_units(*, grams: Decimal, grams_per_unit: Decimal = Decimal("0.5")) -> int:
    """Return whole billing units, rounded up (70 g -> 140). Raises PlanError dose_invalid, unit_invalid."""
    per_unit = positive(grams_per_unit, "grams_per_unit", "unit_invalid")
    return int((positive(grams, "grams", "dose_invalid") / per_unit).to_integral_value(ROUND_CEILING))


def mg_per_kg_min_to_ml_per_kg_h(*, rate: Decimal, concentration_percent: Decimal) -> Decimal:
    """Return mL/kg/h for mg/kg/min (10%: x 0.6). Raises PlanError rate_invalid, concentration_invalid."""
    # mg/kg/min x 60 min/h / (percent x 10 mg/mL)
    return positive(rate, "rate", "rate_invalid") * 6 / _concentration(concentration_percent)


def ml_per_kg_h_to_mg_per_kg_min(*, rate: Decimal, concentration_percent: Decimal) -> Decimal:
    """Return mg/kg/min for mL/kg/h (10%: / 0.6). Raises PlanError rate_invalid, concentration_invalid."""
    return positive(rate, "rate", "rate_invalid") * _concentration(concentration_percent) / 6


def _check_protocol(protocol: Sequence[ProtocolStep]) -> list[ProtocolStep]:
    steps = list(protocol)
    if not steps or steps[-1].minutes is not None or any(s.minutes is None for s in steps[:-1]):
        raise PlanError("protocol_invalid", "protocol", "A protocol ends with exactly one open-ended step.")
    for step in steps:
        positive(step.rate_ml_per_kg_h, "protocol", "protocol_invalid")
        if step.minutes is not None and positive(step.minutes, "protocol", "protocol_invalid") % 1:
            raise PlanError("protocol_invalid", "protocol", "Step minutes are whole minutes.")
    return steps


def rate_steps(
    *,
    volume_ml: Decimal,
    dosing_weight_kg: Decimal,
    protocol: Sequence[ProtocolStep],
    cap_ml_per_kg_h: Decimal | None = None,
    over_minutes: Decimal | None = None,
    label: LabelSchedule | None = None,
) -> list[RateStep]:
    """Return the steps that deliver ``volume_ml``; the last runs until the bag is empty.

    Each step runs at the protocol's rate, at most ``cap_ml_per_kg_h`` (the label's maximum, the clinic's
    at-risk cap) and at most what ``label`` allows at that moment (`infusions.label_schedule`: its
    starting rate, its step schedule); a step the label holds down is split where the label lets it rise,
    and says so in ``lowered_by``.

    With ``over_minutes`` (a protocol given "over N hours", e.g. Kawasaki disease over 10-12 h) the
    protocol's timed steps start the infusion while they are slower than the bag needs, then one step
    runs the rest at the rate that ends the infusion at ``over_minutes`` (rounded UP to 0.1 mL/h so it
    ends on time, not a minute late): never faster than the protocol's last rate, the cap or the label,
    so when those are slower it ends later, never sooner.

    Raises PlanError volume_invalid, weight_invalid, cap_invalid, protocol_invalid, rate_too_low,
    over_minutes_invalid.
    """
    remaining = positive(volume_ml, "volume_ml", "volume_invalid")
    weight = positive(dosing_weight_kg, "dosing_weight_kg", "weight_invalid")
    cap = None if cap_ml_per_kg_h is None else positive(cap_ml_per_kg_h, "cap_ml_per_kg_h", "cap_invalid")
    over = None if over_minutes is None else positive(over_minutes, "over_minutes", "over_minutes_invalid")
    checked = _check_protocol(protocol)
    first_minutes = checked[0].minutes
    # (the protocol's step, the minutes left of it: None for the open-ended last step)
    todo: list[tuple[ProtocolStep, Decimal | None]] = [
        (s, None if s.minutes is None else Decimal(s.minutes)) for s in checked
    ]
    steps: list[RateStep] = []
    start = Decimal("0.0")
    while todo:
        step, left = todo.pop(0)
        capped = cap is not None and step.rate_ml_per_kg_h > cap
        per_kg = min(step.rate_ml_per_kg_h, cap) if cap is not None else step.rate_ml_per_kg_h
        previous = steps[-1].rate_ml_per_kg_h if steps else None
        ceiling = (
            None
            if label is None
            else label.ceiling(
                minute=start,
                previous=previous,
                held_minutes=_minutes_at(steps, previous),
                first_step_minutes=first_minutes,
            )
        )
        lowered, hold = "", None
        if label is not None and ceiling is not None and ceiling.ml_per_kg_h < per_kg:
            per_kg, capped, hold = ceiling.ml_per_kg_h, False, ceiling.hold_minutes
            lowered = f"{label.source}: {ceiling.level.text}"
        per_hour = q(per_kg * weight, 1, ROUND_DOWN)
        if per_hour <= 0:
            raise PlanError("rate_too_low", "protocol", "A step's pump rate is below 0.1 mL/h.")
        if over is not None:
            need = remaining * 60 / (over - start) if over > start else None
            if step.minutes is None or need is None or per_hour >= need:
                top, lowered = checked[-1].rate_ml_per_kg_h, ""
                if (
                    label is not None
                    and ceiling is not None
                    and ceiling.ml_per_kg_h < top
                    and (cap is None or ceiling.ml_per_kg_h < cap)
                ):
                    top, lowered = ceiling.ml_per_kg_h, f"{label.source}: {ceiling.level.text}"
                on_time = _on_time_step(start, remaining, weight, top, cap, need)
                steps.append(replace(on_time, lowered_by=lowered if on_time.rate_ml_per_kg_h >= top else ""))
                break
        piece = left if hold is None else (hold if left is None else min(left, hold))
        full = None if piece is None else per_hour * piece / 60
        if piece is None or full is None or remaining <= full:
            minutes, volume = q(remaining * 60 / per_hour, 1), remaining
        else:
            minutes, volume = q(piece, 1), q(full, 1, ROUND_DOWN)
            if left is None or piece < left:  # the label lets this step rise later: the rest follows
                todo.insert(0, (step, None if left is None else left - piece))
        steps.append(RateStep(start, minutes, per_hour, per_kg, volume, capped, lowered))
        start, remaining = start + minutes, remaining - volume
        if remaining <= 0:
            break
    return steps


def _minutes_at(steps: Sequence[RateStep], rate: Decimal | None) -> Decimal:
    """How long the last steps have run at ``rate`` without a break."""
    total = Decimal(0)
    for step in reversed(steps):
        if step.rate_ml_per_kg_h != rate:
            break
        total += step.minutes
    return total


def _on_time_step(
    start: Decimal,
    remaining: Decimal,
    weight: Decimal,
    last_ml_per_kg_h: Decimal,
    cap: Decimal | None,
    need_ml_per_hour: Decimal | None,
) -> RateStep:
    """The rest of the bag at the rate that ends on time, at most the last step's rate (already held to
    the label's ceiling) and the cap."""
    capped_top = cap is not None and cap < last_ml_per_kg_h
    top = q((min(cap, last_ml_per_kg_h) if cap is not None else last_ml_per_kg_h) * weight, 1, ROUND_DOWN)
    if need_ml_per_hour is None:  # the start already took the time: as fast as allowed
        per_hour, capped = top, capped_top
    else:
        wanted = q(need_ml_per_hour, 1, ROUND_UP)
        per_hour, capped = min(wanted, top), capped_top and wanted > top
    if per_hour <= 0:
        raise PlanError("rate_too_low", "protocol", "A step's pump rate is below 0.1 mL/h.")
    per_kg = q(per_hour / weight, 2)
    return RateStep(start, q(remaining * 60 / per_hour, 1), per_hour, per_kg, remaining, capped)


def infusion_minutes(steps: Sequence[RateStep]) -> Decimal:
    """Return the total running time of the steps in minutes."""
    return sum((s.minutes for s in steps), Decimal(0))


def chair_minutes(
    *,
    infusion_minutes: Decimal,
    prep_minutes: int = 30,
    observation_minutes: int = 30,
    grid_minutes: int = 15,
) -> int:
    """Return prep + infusion + observation rounded UP to the grid. Raises PlanError minutes_invalid."""
    running = dec(infusion_minutes, "infusion_minutes", "minutes_invalid")
    if grid_minutes <= 0 or prep_minutes < 0 or observation_minutes < 0 or running < 0:
        raise PlanError("minutes_invalid", "grid_minutes", "Minutes must not be negative, nor the grid zero.")
    total = Decimal(prep_minutes) + running + Decimal(observation_minutes)
    return int((total / grid_minutes).to_integral_value(rounding=ROUND_CEILING)) * grid_minutes


def build_plan(
    *,
    sex: str | None,
    height_cm: Decimal | None,
    actual_kg: Decimal,
    concentration_percent: Decimal,
    protocol: Sequence[ProtocolStep],
    grams_per_kg: Decimal | None = None,
    fixed_grams: Decimal | None = None,
    policy: str = "auto",
    threshold: Decimal = Decimal("1.20"),
    split_days: int = 1,
    vial_sizes_g: Sequence[Decimal] = (),
    vial_tolerance: Decimal = Decimal("0.10"),
    cap_ml_per_kg_h: Decimal | None = None,
    grams_per_unit: Decimal = Decimal("0.5"),
    prep_minutes: int = 30,
    observation_minutes: int = 30,
    grid_minutes: int = 15,
    child: AgeBand | None = None,
    paediatric_ideal: bool = False,
    over_hours: tuple[Decimal, Decimal] | None = None,
    label: LabelSchedule | None = None,
) -> Plan:
    """Return one day's plan; the ordered dose (per kg or fixed) is the whole course over ``split_days``.

    ``child`` is the patient's age band on the day (`infusions.dosing_weight` for what it changes);
    ``over_hours`` is a fixed-time protocol's (shortest, longest) hours: the bag runs over the shortest
    (`rate_steps`), and a note says when the caps make it run past the longest.

    Raises PlanError split_days_invalid or any code of the functions it chains.
    """
    if type(split_days) is not int or not 1 <= split_days <= MAX_SPLIT_DAYS:  # bool is not a day count
        raise PlanError("split_days_invalid", "split_days", f"Split a dose over 1 to {MAX_SPLIT_DAYS} days.")
    weight = dosing_weight(
        policy=policy,
        sex=sex,
        height_cm=height_cm,
        actual_kg=actual_kg,
        threshold=threshold,
        child=child,
        paediatric_ideal=paediatric_ideal,
    )
    notes = [weight.reason]
    total = dose_grams(grams_per_kg=grams_per_kg, fixed_grams=fixed_grams, dosing_weight_kg=weight.kg)
    per_day = q(total / split_days, 2)
    if split_days > 1:
        notes.append(
            f"{fmt(total)} g over {split_days} days is {fmt(per_day)} g a day; this plan is one day."
        )
    if vial_sizes_g:
        rounding = round_to_vials(dose_g=per_day, vial_sizes_g=vial_sizes_g, tolerance=vial_tolerance)
        grams, vials = rounding.grams, rounding.vials
        notes.append(rounding.reason)
    else:
        grams, vials = per_day, ()
        notes.append("No vial sizes are given, so the dose is not rounded to whole vials.")
    volume = volume_ml(grams=grams, concentration_percent=concentration_percent)
    shortest = None if over_hours is None else positive(over_hours[0], "over_hours", "over_hours_invalid")
    steps = rate_steps(
        volume_ml=volume,
        dosing_weight_kg=weight.kg,
        protocol=protocol,
        cap_ml_per_kg_h=cap_ml_per_kg_h,
        over_minutes=None if shortest is None else shortest * 60,
        label=label,
    )
    notes.extend(_label_notes(protocol, steps))
    if cap_ml_per_kg_h is not None and any(s.capped for s in steps):
        notes.append(f"Steps above the cap of {fmt(cap_ml_per_kg_h)} mL/kg/h run at the cap.")
    running = infusion_minutes(steps)
    if over_hours is not None:
        notes.append(_over_hours_note(over_hours, steps[-1], running))
    chair = chair_minutes(
        infusion_minutes=running,
        prep_minutes=prep_minutes,
        observation_minutes=observation_minutes,
        grid_minutes=grid_minutes,
    )
    notes.append(
        f"Chair time {prep_minutes} + {fmt(running)} + {observation_minutes} min, "
        f"booked as {chair // 60} h {chair % 60} min."
    )
    return Plan(
        dosing_weight_kg=weight.kg,
        dosing_weight_basis=weight.basis,
        actual_weight_kg=q(positive(actual_kg, "actual_kg", "weight_invalid"), 1),
        days=split_days,
        total_grams=total,
        dose_grams=per_day,
        rounded_dose_grams=grams,
        vials=vials,
        volume_ml=volume,
        billing_units=billing_units(grams=grams, grams_per_unit=grams_per_unit),
        steps=tuple(steps),
        infusion_minutes=running,
        chair_minutes=chair,
        notes=tuple(notes),
    )


def _label_notes(protocol: Sequence[ProtocolStep], steps: Sequence[RateStep]) -> list[str]:
    """One note per step the label held below the protocol's rate at that moment."""
    notes = []
    for number, step in enumerate(steps, start=1):
        if not step.lowered_by:
            continue
        wanted = _protocol_rate_at(protocol, step.start_minute)
        notes.append(
            f"Step {number} (minute {fmt(step.start_minute)}): the protocol's {fmt(wanted)} mL/kg/h is "
            f"lowered to {fmt(step.rate_ml_per_kg_h)} mL/kg/h ({fmt(step.rate_ml_per_hour)} mL/h), "
            f"{step.lowered_by}."
        )
    return notes


def _protocol_rate_at(protocol: Sequence[ProtocolStep], minute: Decimal) -> Decimal:
    """The protocol's own rate at ``minute``. A step the label splits keeps its minutes in total, so the
    plan's clock is the protocol's (a fixed-time protocol's last step is its last rate either way)."""
    begins = Decimal(0)
    for step in protocol:
        if step.minutes is None or minute < begins + step.minutes:
            return step.rate_ml_per_kg_h
        begins += step.minutes
    return protocol[-1].rate_ml_per_kg_h


def _over_hours_note(over_hours: tuple[Decimal, Decimal], last: RateStep, running: Decimal) -> str:
    shortest, longest = over_hours
    given = f"over {fmt(shortest)}-{fmt(longest)} h" if longest != shortest else f"over {fmt(shortest)} h"
    rest = f"the rest runs at {fmt(last.rate_ml_per_hour)} mL/h"
    hours = fmt(q(running / 60, 1))
    if running > longest * 60:
        return (
            f"The protocol gives it {given}; {rest}, its fastest under the caps, so it takes {hours} h, "
            f"longer than {fmt(longest)} h."
        )
    return f"The protocol gives it {given}: {rest} so the infusion takes {hours} h."
