"""From a treatment order (saved or not) to its plan and checks: the one bridge to `infusions.plan`.

The order must come from `infusions.selectors` (or be filled by `selectors.order_with_facts`), which
sets the patient's latest weight, height and eGFR as attributes and prefetches everything read here, so
planning a page of orders runs no query per order.

Plan errors become Django ValidationErrors here and nowhere else, named after the order's fields.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from infusions import plan as arithmetic
from infusions.checks import ActualWeightDose, Check, Override, order_checks
from infusions.models import InfusionPolicy, TreatmentOrder, WeightPolicy
from infusions.premedication import Suggestion, child_premedication
from patients.childhood import AgeBand

# plan.py's argument names -> the order field a person would correct.
PLAN_FIELDS = {
    "grams_per_kg": "dose_grams_per_kg",
    "dose_g": "dose_grams_per_kg",
    "dosing_weight_kg": "dose_grams_per_kg",
    "fixed_grams": "fixed_grams",
    "policy": "weight_policy",
    "threshold": "weight_policy",
    "height_cm": "weight_policy",
    "sex": "patient",
    "actual_kg": "patient",
    "split_days": "split_days",
    "protocol": "protocol",
    "concentration_percent": "product",
    "vial_sizes_g": "product",
    "grams_per_unit": "product",
    "cap_ml_per_kg_h": "product",
    "over_hours": "protocol",
    "over_minutes": "protocol",
}


@dataclass(frozen=True)
class OrderPlan:
    plan: arithmetic.Plan | None
    error: arithmetic.PlanError | None
    checks: list[Check]
    protocol_name: str
    cap_ml_per_kg_h: Decimal | None
    age_band: AgeBand  # the patient on the day of the infusion (`patients.childhood`)
    premedication: list[Suggestion]  # per kg, for a child; empty for an adult
    # The protocol the plan's steps actually follow, in words: the capped one instead of the ordered one,
    # the label's schedule and the rate cap when they hold a step down. The order page's header says it.
    protocol_used: str = ""


def as_validation_error(error: arithmetic.PlanError) -> ValidationError:
    field = PLAN_FIELDS.get(error.field, error.field)
    return ValidationError({field: ValidationError(error.message, code=error.code)})


def _weight_required(order: TreatmentOrder) -> arithmetic.PlanError:
    field = "fixed_grams" if order.dose_grams_per_kg is None else "grams_per_kg"
    return arithmetic.PlanError(
        "weight_required", field, "No weight is on file for this patient: weigh them before ordering."
    )


def infusion_day(order: TreatmentOrder, now: datetime) -> date:
    """The day an order's next infusion is planned for when no booking says: its start, or today."""
    return max(order.start_date, timezone.localdate(now))


def order_plan(
    order: TreatmentOrder, *, policy: InfusionPolicy, now: datetime, on: date | None = None
) -> OrderPlan:
    """Return the order's plan (or the PlanError that stops it) and its checks. Never raises PlanError.

    `on` is the local day of the infusion (a booking's), by default `infusion_day`: the patient's age
    on it decides the child rules (`patients.childhood`).
    """
    patient = order.patient
    band = patient.age_band_on(on or infusion_day(order, now), order.latest_height_cm)
    reasons = patient.at_risk_reasons()
    protocol, capped_with = order.protocol, None
    if reasons and policy.at_risk_protocol is not None:
        protocol, capped_with = policy.at_risk_protocol, policy.at_risk_protocol.name
    protocol_name = protocol.name
    label_cap, label = order.product.label_cap(order.indication.code)
    caps = [label_cap] if label_cap is not None else []
    if reasons and policy.at_risk_max_ml_per_kg_h is not None:
        caps.append(policy.at_risk_max_ml_per_kg_h)
    cap = min(caps) if caps else None
    weight = order.latest_weight_kg
    plan, error = None, None
    try:
        if weight is None:
            raise _weight_required(order)
        plan = arithmetic.build_plan(
            sex=patient.sex or None,
            height_cm=order.latest_height_cm,
            actual_kg=weight,
            concentration_percent=order.product.concentration_percent,
            protocol=policy.at_risk_steps() if capped_with else protocol.plan_steps(),
            grams_per_kg=order.dose_grams_per_kg,
            fixed_grams=order.fixed_grams,
            policy=order.weight_policy or WeightPolicy.AUTO,
            threshold=policy.adjusted_weight_threshold_percent / 100,
            split_days=order.split_days,
            vial_sizes_g=order.product.vial_sizes_g,
            vial_tolerance=policy.vial_tolerance_percent / 100,
            cap_ml_per_kg_h=cap,
            grams_per_unit=order.product.grams_per_billing_unit,
            prep_minutes=policy.prep_minutes,
            observation_minutes=policy.observation_minutes,
            grid_minutes=policy.grid_minutes,
            child=band,
            paediatric_ideal=policy.paediatric_ideal_weight,
            over_hours=protocol.over_hours(),
            label=None if label is None else label.schedule(order.product),
        )
    except arithmetic.PlanError as exc:
        error = exc
    notes = []
    if label is not None:
        rate = f"{label.max_rate.normalize():f} {label.get_unit_display()}"
        if label.unit != "ml_kg_h":
            pct = order.product.concentration_percent.normalize()
            rate += f" = {label_cap.normalize():f} mL/kg/h at {pct:f}%"
        notes.append(f"{order.product.brand}'s label maximum for {order.indication.code} is {rate}.")
        if label.start_rate is not None:
            notes.append(_label_start_note(order, label))
    else:
        notes.append(
            f"No label maximum rate is on file for {order.product.brand}; only the protocol limits it."
        )
    if capped_with:
        notes.append(
            f"Capped protocol: {', '.join(reasons)}; {capped_with} is used instead of {order.protocol.name}."
        )
    if plan is not None and notes:
        plan = _with_notes(plan, notes)
    checks = order_checks(
        contraindications=[(f.kind, f.get_kind_display()) for f in patient.contraindications()],
        indication_code=order.indication.code,
        indication_label=order.indication.description,
        indication_not_recommended=order.indication.not_recommended,
        at_risk_reasons=reasons,
        capped_with=capped_with,
        weight_at=order.latest_weight_at,
        egfr_at=order.latest_egfr_at,
        dose_g_per_kg=_dose_per_kg(order, plan),
        window_days=policy.lab_window_days,
        dose_min=policy.dose_min_g_per_kg,
        dose_max=policy.dose_max_g_per_kg,
        now=now,
        overrides=_overrides(order),
        prior_reaction=_prior_reaction(order),
        slower_protocol=policy.at_risk_protocol.name if policy.at_risk_protocol else None,
        actual=_actual_weight_dose(order, plan, policy),
    )
    premedication = child_premedication(band=band, weight_kg=weight) if weight is not None else []
    used = protocol_used(
        protocol_name,
        ordered=order.protocol.name,
        capped_because=reasons if capped_with else [],
        steps=plan.steps if plan else [],
        cap=cap,
    )
    return OrderPlan(plan, error, checks, protocol_name, cap, band, premedication, used)


def protocol_used(name: str, *, ordered: str, capped_because, steps, cap: Decimal | None) -> str:
    """'Slow 0.5-1-2, instead of Standard (age over 65), on the label's schedule, at most 4.8 mL/kg/h'."""
    parts = [name]
    if capped_because:
        parts.append(f"instead of {ordered} ({', '.join(capped_because)})")
    if any(step.lowered_by for step in steps):
        parts.append("held to the label's schedule")
    if cap is not None and any(step.capped for step in steps):
        parts.append(f"at most {cap.normalize():f} mL/kg/h")
    return ", ".join(parts)


def _label_start_note(order: TreatmentOrder, label) -> str:
    unit = label.get_unit_display()
    start = f"{label.start_rate.normalize():f} {unit}"
    held = f" for {label.start_minutes} min" if label.start_minutes else " for the first step"
    steps = ""
    if label.step_rates:
        rates = ", ".join(f"{r.normalize():f}" for r in label.step_rates)
        every = f" every {label.step_minutes} min" if label.step_minutes else ""
        steps = f", then {rates} {unit}{every}"
    elif label.step_minutes:
        steps = f", then up every {label.step_minutes} min"
    return (
        f"{order.product.brand}'s label starts {order.indication.code} at {start}{held}{steps}; "
        "no step runs faster than the label allows at that point."
    )


def _actual_weight_dose(
    order: TreatmentOrder, plan: arithmetic.Plan | None, policy: InfusionPolicy
) -> ActualWeightDose | None:
    if plan is None:
        return None
    code = order.indication.code
    label = order.product.label_dose_max(code)
    if label is not None:
        where = f"the {label.indication_prefix} row" if label.indication_prefix else "its general row"
        source = f"{order.product.brand}'s label data, {where}"
    return ActualWeightDose(
        actual_kg=plan.actual_weight_kg,
        grams_per_cycle=plan.total_grams,
        bag_ml=plan.volume_ml,
        max_g_per_kg=label.max_dose_g_per_kg if label is not None else policy.max_g_per_kg_actual,
        max_source=source if label is not None else "the clinic's maximum",
        max_ml_per_kg=policy.max_ml_per_kg_actual,
        indication_code=code,
    )


def _with_notes(plan: arithmetic.Plan, notes: list[str]) -> arithmetic.Plan:
    return replace(plan, notes=(*plan.notes, *notes))


def _prior_reaction(order: TreatmentOrder):
    # Annotated by `selectors.order_list()` from the chairside record; absent on unsaved orders.
    grade = getattr(order, "worst_reaction_grade", None)
    return (grade, order.worst_reaction_at) if grade is not None else None


def _dose_per_kg(order: TreatmentOrder, plan: arithmetic.Plan | None) -> Decimal | None:
    if order.dose_grams_per_kg is not None:
        return order.dose_grams_per_kg
    if plan is None or order.fixed_grams is None:
        return None
    return arithmetic.q(order.fixed_grams / plan.dosing_weight_kg, 2)


def _overrides(order: TreatmentOrder) -> dict[str, Override]:
    if order.pk is None:
        return {}
    return {o.code: Override(o.code, o.overridden_by.get_username(), o.reason) for o in order.overrides.all()}


def require_plan(
    order: TreatmentOrder, *, policy: InfusionPolicy, now: datetime, on: date | None = None
) -> OrderPlan:
    """Return the order's plan; raises ValidationError (the PlanError's code, on the order's field)."""
    result = order_plan(order, policy=policy, now=now, on=on)
    if result.error is not None:
        raise as_validation_error(result.error)
    return result
