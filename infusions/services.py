"""Writes of treatment orders, block overrides and response records.

Every write goes through one of these. Each validates with the order's plan (so nothing that cannot be
planned is saved) and lets PostgreSQL's constraints decide races (clinic.db.validated_save).
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from clinic.db import validated_save
from clinic.errors import Conflict
from clinic.roles import is_manager
from infusions import catalogue, selectors
from infusions.checks import BLOCK, unresolved_blocks
from infusions.models import (
    HIGHER_IS_BETTER,
    BlockOverride,
    InfusionPolicy,
    OrderStatus,
    Product,
    ResponseRecord,
    Route,
    TitrationProtocol,
    TreatmentOrder,
)
from infusions.planning import OrderPlan, require_plan
from patients.models import Diagnosis, Patient
from patients.selectors import attach_facts
from scheduling.models import Booking, BookingStatus
from scheduling.services import booking_cancel

ORDER_INPUTS = (
    "patient",
    "indication",
    "product",
    "protocol",
    "dose_grams_per_kg",
    "fixed_grams",
    "weight_policy",
    "split_days",
    "interval_days",
    "cycles",
    "premedication",
    "prescriber",
    "start_date",
)
REVIEW_AFTER_CYCLES = 2  # the article: no improvement after two cycles -> review


class OverrideNotAllowed(PermissionDenied):
    code = "override_not_allowed"
    detail = "Only a clinic manager may override a blocking check."


def may_override_blocks(user) -> bool:
    return is_manager(user)


def _error(field: str, code: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def order_build(
    *,
    patient: Patient,
    indication: Diagnosis,
    product: Product,
    protocol: TitrationProtocol,
    prescriber: str = "",
    start_date: date | None = None,
    dose_grams_per_kg: Decimal | None = None,
    fixed_grams: Decimal | None = None,
    weight_policy: str = "auto",
    split_days: int = 1,
    interval_days: int | None = None,
    cycles: int | None = None,
    premedication: str = "",
    now: datetime | None = None,
) -> tuple[TreatmentOrder, OrderPlan]:
    """Return an unsaved order and its plan and checks (what the preview shows). Saves nothing.

    Raises ValidationError: indication_not_patients (indication), product_not_iv (product),
    weight_required, dose_invalid, dose_required, split_days_invalid, height_required, ... (plan codes).
    """
    if indication.patient_id != patient.pk:
        raise _error("indication", "indication_not_patients", "This diagnosis belongs to another patient.")
    if product.route != Route.IV:
        raise _error(
            "product",
            "product_not_iv",
            f"{product.brand} is subcutaneous; an infusion order needs an IV product.",
        )
    facts = attach_facts(patient)
    order = TreatmentOrder(
        indication=indication,
        product=product,
        protocol=protocol,
        prescriber=prescriber,
        start_date=start_date or timezone.localdate(),
        dose_grams_per_kg=dose_grams_per_kg,
        fixed_grams=fixed_grams,
        weight_policy=weight_policy,
        split_days=split_days,
        interval_days=interval_days,
        cycles=cycles,
        premedication=premedication,
    )
    selectors.order_with_facts(order, facts)
    return order, require_plan(order, policy=catalogue.policy(), now=now or timezone.now())


def order_create(
    *,
    created_by=None,
    overrides: Mapping[str, str] | None = None,
    replaces: TreatmentOrder | None = None,
    **inputs,
) -> TreatmentOrder:
    """Create an active order and return it; `overrides` maps block codes to a manager's reasons.

    Raises ValidationError (see `order_build`; `reason_required`, `not_a_block` on overrides),
    OverrideNotAllowed when a non-manager gives overrides, and Conflict `order_blocked` (with the
    blocking checks) when a block is not overridden.
    """
    unknown = set(inputs) - set(ORDER_INPUTS)
    if unknown:
        raise TypeError(f"not order fields: {sorted(unknown)}")
    overrides = dict(overrides or {})
    if overrides and not may_override_blocks(created_by):
        raise OverrideNotAllowed(OverrideNotAllowed.detail)
    order, result = order_build(**inputs)
    blocks = {c.code for c in result.checks if c.severity == BLOCK}
    for code, reason in overrides.items():
        if code not in blocks:
            raise _error("overrides", "not_a_block", f"{code} is not a blocking check on this order.")
        if not (reason or "").strip():
            raise _error("overrides", "reason_required", f"Give a reason for overriding {code}.")
    remaining = [c for c in unresolved_blocks(result.checks) if c.code not in overrides]
    if remaining:
        raise Conflict(
            "order_blocked",
            " ".join(c.message for c in remaining),
            checks=[{"code": c.code, "severity": c.severity, "message": c.message} for c in remaining],
        )
    order.created_by = created_by
    order.replaces = replaces
    with transaction.atomic():
        validated_save(order)
        for code, reason in overrides.items():
            validated_save(
                BlockOverride(order=order, code=code, reason=reason.strip(), overridden_by=created_by)
            )
    return order


def order_future_bookings(order: TreatmentOrder, *, now: datetime | None = None) -> QuerySet[Booking]:
    """The order's cycle days still to come and not begun (booked, starting after `now`), by start: what
    discontinuing the order cancels, and what putting it on hold may cancel. A session checked in or
    running is not among them: the patient is in the chair and the nurse decides."""
    return (
        Booking.objects.filter(
            cycle_day__order_id=order.pk, status=BookingStatus.BOOKED, start__gt=now or timezone.now()
        )
        .select_related("site", "chair", "cycle_day")
        .order_by("start", "pk")
    )


def _future_bookings_cancel(order: TreatmentOrder, *, why: str, by, now: datetime) -> list[Booking]:
    # Through booking_cancel, so each cancellation is in the booking's history, its reminders stop and
    # its reserved authorization units are released (infusions.authorizations.booking_status_changed).
    # The booking's reason names the order's change, not the clinical reason, which may reach a message.
    cancelled = []
    for booking in order_future_bookings(order, now=now):
        try:
            cancelled.append(booking_cancel(booking=booking, reason=why, by=by))
        except Conflict:
            continue  # checked in (or cancelled) by someone else meanwhile: it is no longer to come
    return cancelled


def order_discontinue(
    *, order: TreatmentOrder, reason: str, by=None, now: datetime | None = None
) -> TreatmentOrder:
    """Discontinue an active or held order and return it; its bookings still to come
    (`order_future_bookings`) are cancelled and their units released, in the same transaction.
    Raises ValidationError reason_required, Conflict order_discontinued when it already was."""
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", "reason_required", "Say why the order is discontinued.")
    now = now or timezone.now()
    with transaction.atomic():
        # A conditional UPDATE: of two people discontinuing at once, exactly one wins.
        updated = (
            TreatmentOrder.objects.filter(pk=order.pk)
            .exclude(status=OrderStatus.DISCONTINUED)
            .update(status=OrderStatus.DISCONTINUED, discontinued_at=now, discontinued_reason=reason)
        )
        if updated != 1:
            raise Conflict("order_discontinued", "This order is already discontinued.", field="status")
        _future_bookings_cancel(order, why=f"Order {order.pk} discontinued", by=by, now=now)
    order.status, order.discontinued_at, order.discontinued_reason = OrderStatus.DISCONTINUED, now, reason
    return order


def order_set_status(
    *, order: TreatmentOrder, status: str, reason: str = "", cancel_bookings: bool = False, by=None
) -> TreatmentOrder:
    """Put an order on hold (with `reason`, kept as `hold_reason`) or make it active again (which clears
    it), and return it. A hold keeps the order's bookings unless `cancel_bookings`: then those still to
    come are cancelled as on discontinuing. No cycle is booked while the order is on hold.
    Raises Conflict order_discontinued, ValidationError status_invalid (use order_discontinue)."""
    if status not in (OrderStatus.ACTIVE, OrderStatus.ON_HOLD):
        raise _error("status", "status_invalid", "An order is put on hold or made active here.")
    hold_reason = (reason or "").strip() if status == OrderStatus.ON_HOLD else ""
    with transaction.atomic():
        updated = (
            TreatmentOrder.objects.filter(pk=order.pk)
            .exclude(status=OrderStatus.DISCONTINUED)
            .update(status=status, hold_reason=hold_reason)
        )
        if updated != 1:
            raise Conflict("order_discontinued", "A discontinued order stays discontinued.", field="status")
        if status == OrderStatus.ON_HOLD and cancel_bookings:
            _future_bookings_cancel(order, why=f"Order {order.pk} on hold", by=by, now=timezone.now())
    order.status, order.hold_reason = status, hold_reason
    return order


def order_replace(
    *,
    order: TreatmentOrder,
    reason: str,
    created_by=None,
    overrides: Mapping[str, str] | None = None,
    **changes,
) -> TreatmentOrder:
    """Discontinue `order` with `reason` and return a new active order with `changes`, linked to it.

    The patient stays the same. Raises what `order_create` and `order_discontinue` raise.
    """
    if "patient" in changes:
        raise _error("patient", "patient_fixed", "A replacement order is for the same patient.")
    inputs = {name: getattr(order, name) for name in ORDER_INPUTS} | changes
    with transaction.atomic():
        order_discontinue(order=order, reason=reason, by=created_by)
        return order_create(created_by=created_by, overrides=overrides, replaces=order, **inputs)


def block_override_record(*, order: TreatmentOrder, code: str, reason: str, by) -> BlockOverride:
    """Record a manager's override of a blocking check on an order and return it.

    Raises OverrideNotAllowed, ValidationError not_a_block (code), reason_required, override_exists.
    """
    if not may_override_blocks(by):
        raise OverrideNotAllowed(OverrideNotAllowed.detail)
    fresh = selectors.order_list().get(pk=order.pk)
    result = require_plan(fresh, policy=InfusionPolicy.current(), now=timezone.now())
    if code not in {c.code for c in result.checks if c.severity == BLOCK}:
        raise _error("code", "not_a_block", f"{code} is not a blocking check on this order.")
    return validated_save(
        BlockOverride(order=order, code=code, reason=(reason or "").strip(), overridden_by=by)
    )


def order_cycle_check(
    *, order: TreatmentOrder, now: datetime | None = None, on: date | None = None
) -> OrderPlan:
    """Run the checks again before a cycle and return the plan; `on` is the cycle's local day (the
    patient's age on it decides the child rules). Raises Conflict order_not_active, order_blocked;
    ValidationError when the order can no longer be planned (e.g. weight_required)."""
    fresh = selectors.order_list().get(pk=order.pk)
    if fresh.status != OrderStatus.ACTIVE:
        raise Conflict(
            "order_not_active", f"This order is {fresh.get_status_display().lower()}.", field="status"
        )
    result = require_plan(fresh, policy=InfusionPolicy.current(), now=now or timezone.now(), on=on)
    blocks = unresolved_blocks(result.checks)
    if blocks:
        raise Conflict(
            "order_blocked",
            " ".join(c.message for c in blocks),
            checks=[{"code": c.code, "severity": c.severity, "message": c.message} for c in blocks],
        )
    return result


def response_record(
    *, order: TreatmentOrder, cycle: int, measure: str, value: Decimal, recorded_by=None
) -> ResponseRecord:
    """Record a response measure (cycle 0 = baseline) and re-judge the order's review flag.

    The order is flagged when, from cycle 2 on, a measure is no better than its first recorded value
    (direction per measure: INCAT and CK fall when better). Raises ValidationError response_exists, ...
    """
    with transaction.atomic():
        locked = TreatmentOrder.objects.select_for_update().get(pk=order.pk)
        record = validated_save(
            ResponseRecord(order=locked, cycle=cycle, measure=measure, value=value, recorded_by=recorded_by)
        )
        needs_review, reason = _review(list(ResponseRecord.objects.filter(order=locked)))
        TreatmentOrder.objects.filter(pk=locked.pk).update(needs_review=needs_review, review_reason=reason)
        order.needs_review, order.review_reason = needs_review, reason
    return record


def _review(records: list[ResponseRecord]) -> tuple[bool, str]:
    by_measure: dict[str, list[ResponseRecord]] = {}
    for record in sorted(records, key=lambda r: r.cycle):
        by_measure.setdefault(record.measure, []).append(record)
    for measure, rows in by_measure.items():
        first, last = rows[0], rows[-1]
        if last.cycle < REVIEW_AFTER_CYCLES or last.cycle == first.cycle:
            continue
        better = last.value > first.value if HIGHER_IS_BETTER[measure] else last.value < first.value
        if not better:
            label = last.get_measure_display()
            return True, (
                f"No improvement after {last.cycle} cycles: {label} {first.value.normalize():f} at cycle "
                f"{first.cycle}, {last.value.normalize():f} at cycle {last.cycle}. Review the order."
            )
    return False, ""
