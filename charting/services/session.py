"""Writes of a chairside session's life: check-in, the checklist and premedication before the start,
start, end of infusion (the grams given are reported to insurance) and discharge.

Each returns `(row, replayed)` and is idempotent by the tablet's `client_id`
(`charting.services.submissions`). They raise
- `ValidationError` (400): `time_in_future`, `time_before_check_in`, `time_out_of_order`,
  `baseline_required`, `checklist_required`, `checklist_incomplete`, `observation_vitals_required`,
  `booking_without_order`, `not_today`, `volume_invalid`, and the questions asked before what cannot
  be undone (`charting.confirmations`): `end_reason_required`, `discharge_reason_required`,
  `premedication_not_ordered`;
- `Conflict` (409): `session_not_in_progress`, `already_done`, `client_id_reused`, and what
  `scheduling.services.booking_set_status` and the order's checks raise.
"""

import uuid
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charting import confirmations, ordered_premedication
from charting.models import (
    Checklist,
    InfusionSession,
    Premedication,
    RateChange,
    RateKind,
    ReactionKind,
    SessionEvent,
    SessionEventKind,
    SessionStatus,
    VitalsPhase,
)
from charting.services.submissions import (
    chairside_write,
    checked_time,
    client_uuid,
    event_replay,
    invalid,
    save_once,
    time_checked,
)
from clinic.db import validated_save
from clinic.errors import Conflict
from infusions import selectors, services
from infusions import vitals as vitals_rules
from infusions.models import CycleDay, InfusionPolicy, TreatmentOrder
from infusions.planning import require_plan
from patients.services import measurement_record
from scheduling.models import Booking, BookingStatus
from scheduling.services import booking_set_status

WEIGHT_TOLERANCE = Decimal("0.05")  # today's weight differing by more than this recomputes the dose


def session_check_in(
    *, booking: Booking, by, client_id, at: datetime | None = None
) -> tuple[InfusionSession, bool]:
    """Check the patient of a booking in: create the session, move the booking to checked in, and
    return (session, replayed). The order's checks run again (a block stops it, as for booking)."""
    client_id = client_uuid(client_id)
    now = timezone.now()
    replayed = _check_in_replay(booking, client_id)
    if replayed is not None:
        return replayed, True
    cycle_day = CycleDay.objects.filter(booking_id=booking.pk).first()
    if cycle_day is None:
        raise invalid("booking", "booking_without_order", "This booking is not for a treatment order.")
    at = checked_time(at, "at", now=now)
    site = booking.site
    if booking.start.astimezone(site.zone).date() != now.astimezone(site.zone).date():
        raise invalid("booking", "not_today", "Patients are checked in on the day of their booking.")
    # A cycle day's order is its booking's patient's (a database trigger holds it); read it anyway by both.
    order = TreatmentOrder.objects.filter(pk=cycle_day.order_id, patient_id=booking.patient_id).first()
    if order is None:
        raise invalid("booking", "booking_without_order", "The booking's order is not this patient's.")
    plan = services.order_cycle_check(order=order, now=now, on=now.astimezone(site.zone).date())
    with transaction.atomic():
        # The booking's lock makes a double tap wait here, then find the first tap's session.
        booking = Booking.objects.select_for_update().select_related("site").get(pk=booking.pk)
        replayed = _check_in_replay(booking, client_id)
        if replayed is not None:
            return replayed, True
        existing = InfusionSession.objects.filter(booking=booking).first()
        if existing is not None:
            raise Conflict(
                "already_done",
                "This patient is already checked in.",
                field="status",
                session={"id": existing.pk},
            )
        if booking.status == BookingStatus.BOOKED:
            booking_set_status(booking=booking, status=BookingStatus.CHECKED_IN, by=by)
        elif booking.status != BookingStatus.CHECKED_IN:
            raise Conflict(
                "status_invalid",
                f"A {booking.get_status_display().lower()} booking cannot be checked in.",
                field="status",
            )
        session = InfusionSession(
            booking=booking,
            order=order,
            patient_id=booking.patient_id,
            cycle=cycle_day.cycle,
            day=cycle_day.day,
            checked_in_at=at,
            checked_in_by=by,
            # The weight the order's plan was computed from: the latest on file before today's weighing.
            order_weight_kg=selectors.order_list()
            .values_list("latest_weight_kg", flat=True)  # type: ignore[misc]  # order_list's annotation
            .get(pk=order.pk),
        )
        _apply_plan(session, plan)
        validated_save(session)
        validated_save(
            SessionEvent(session=session, kind=SessionEventKind.CHECK_IN, at=at, by=by, client_id=client_id)
        )
    return session, False


def _check_in_replay(booking: Booking, client_id: uuid.UUID) -> InfusionSession | None:
    event = event_replay(client_id, SessionEventKind.CHECK_IN, booking_id=booking.pk)
    return event.session if event is not None else None


def _apply_plan(session: InfusionSession, result) -> None:
    plan = result.plan
    session.protocol_name = result.protocol_name
    session.ordered_grams = plan.dose_grams
    session.planned_grams = plan.rounded_dose_grams
    session.planned_volume_ml = plan.volume_ml
    session.plan_steps = [
        {"minutes": str(s.minutes), "rate_ml_per_hour": str(s.rate_ml_per_hour), "capped": s.capped}
        for s in plan.steps
    ]
    session.rate_cap_ml_per_hour = max(s.rate_ml_per_hour for s in plan.steps)


def _event(session: InfusionSession, kind: str, *, at: datetime, by, client_id: uuid.UUID) -> None:
    try:
        with transaction.atomic():
            validated_save(SessionEvent(session=session, kind=kind, at=at, by=by, client_id=client_id))
    except ValidationError as exc:
        raise Conflict(
            "already_done", f"{SessionEventKind(kind).label} is already recorded.", field="status"
        ) from exc


@chairside_write("start", replays=SessionEventKind.START, time="at")
def session_start(
    *, session: InfusionSession, by, client_id, at: datetime | None = None
) -> tuple[InfusionSession, bool]:
    """Start the infusion at the plan's first rate (needs the checklist and baseline vitals); the
    booking moves to in progress. Returns (session, replayed)."""
    at = time_checked(at)
    if not Checklist.objects.filter(session=session).exists():
        raise invalid("checklist", "checklist_required", "Complete the pre-infusion checklist first.")
    if not session.vitals.filter(phase=VitalsPhase.BASELINE).exists():
        raise invalid("vitals", "baseline_required", "Take baseline vitals before starting.")
    _event(session, SessionEventKind.START, at=at, by=by, client_id=client_id)
    first_rate = Decimal(session.plan_steps[0]["rate_ml_per_hour"])
    validated_save(
        RateChange(
            session=session,
            kind=RateKind.START,
            at=at,
            rate_ml_per_hour=first_rate,
            client_id=uuid.uuid5(client_id, "start"),
            recorded_by=by,
        )
    )
    session.status, session.started_at = SessionStatus.RUNNING, at
    session.save(update_fields=["status", "started_at"])
    if session.booking.status == BookingStatus.CHECKED_IN:
        booking_set_status(booking=session.booking, status=BookingStatus.IN_PROGRESS, by=by)
    return session, False


@chairside_write("end", replays=SessionEventKind.END, time="at")
def session_end(
    *,
    session: InfusionSession,
    by,
    client_id,
    at: datetime | None = None,
    volume_given_ml: Decimal | None = None,
    end_reason: str = "",
    end_note: str = "",
) -> tuple[InfusionSession, bool]:
    """End the infusion; observation begins. Volume given is the pump's reading when the nurse gives it,
    otherwise what the rates as run delivered (at most the bag). Ending short of the planned volume
    needs `end_reason` (`charting.confirmations.END_REASONS`; "other" with `end_note`), else a 400
    `end_reason_required`. The grams given are reported against the prior authorization
    (`_report_usage`). Returns (session, replayed)."""
    at = time_checked(at)
    changes = list(session.rate_changes.order_by("at", "pk").values_list("at", "rate_ml_per_hour"))
    if at < max(c[0] for c in changes):
        raise invalid("at", "time_out_of_order", "The end is before the last rate change.")
    if volume_given_ml is None:
        volume_given_ml = vitals_rules.volume_delivered(changes, at, session.planned_volume_ml)
    elif volume_given_ml < 0 or (
        session.planned_volume_ml is not None and volume_given_ml > session.planned_volume_ml * 2
    ):
        raise invalid("volume_given_ml", "volume_invalid", "This volume is not possible for this bag.")
    end_reason, end_note = (end_reason or "").strip(), (end_note or "").strip()
    if confirmations.short_of_dose(volume_given_ml, session.planned_volume_ml):
        problem = confirmations.end_reason_problem(end_reason, end_note)
        if problem is not None:
            planned = session.planned_volume_ml or Decimal(0)
            raise invalid(
                "end_note" if end_reason == "other" else "end_reason",
                "end_reason_required",
                _("%(given)s of %(planned)s mL given.")
                % {
                    "given": f"{Decimal(volume_given_ml).normalize():f}",
                    "planned": f"{planned.normalize():f}",
                }
                + " "
                + _(problem),
            )
    else:
        end_reason, end_note = "", ""
    _event(session, SessionEventKind.END, at=at, by=by, client_id=client_id)
    concentration = session.order.product.concentration_percent
    session.volume_given_ml = Decimal(volume_given_ml).quantize(Decimal("0.1"))
    session.grams_given = (session.volume_given_ml * concentration / 100).quantize(Decimal("0.01"))
    session.status, session.ended_at = SessionStatus.OBSERVATION, at
    session.end_reason, session.end_note = end_reason, end_note
    session.save(
        update_fields=["status", "ended_at", "volume_given_ml", "grams_given", "end_reason", "end_note"]
    )
    _report_usage(session)
    return session, False


@chairside_write("discharge", replays=SessionEventKind.DISCHARGE, time="at")
def session_discharge(
    *, session: InfusionSession, by, client_id, at: datetime | None = None, reason: str = ""
) -> tuple[InfusionSession, bool]:
    """Discharge the patient after observation vitals; the booking is completed (which marks the
    authorization's usage as given, in insurance's receiver). Before the clinic's observation time is
    over, or with a reaction still resolving or ongoing, it needs a `reason` (else a 400
    `discharge_reason_required` saying which). Returns (session, replayed)."""
    at = time_checked(at)
    if session.ended_at is None or at < session.ended_at:
        raise invalid("at", "time_out_of_order", "Discharge is after the end of the infusion.")
    if not session.vitals.filter(taken_at__gte=session.ended_at).exists():
        raise invalid(
            "vitals", "observation_vitals_required", "Take vitals after the infusion before discharge."
        )
    reason = (reason or "").strip()
    early = confirmations.early_discharge(
        ended_at=session.ended_at,
        at=at,
        observation_minutes=InfusionPolicy.current().observation_minutes,
        reactions=session.reactions.values_list("kind", "outcome"),
    )
    if early.needs_reason and not reason:
        raise invalid(
            "reason", "discharge_reason_required", _early_text(session, early) + " " + _("Say why.")
        )
    _event(session, SessionEventKind.DISCHARGE, at=at, by=by, client_id=client_id)
    session.status, session.discharged_at = SessionStatus.DISCHARGED, at
    session.discharge_reason = reason if early.needs_reason else ""
    session.save(update_fields=["status", "discharged_at", "discharge_reason"])
    if session.booking.status == BookingStatus.IN_PROGRESS:
        booking_set_status(booking=session.booking, status=BookingStatus.COMPLETED, by=by)
    return session, False


def _early_text(session: InfusionSession, early) -> str:
    parts = []
    if early.before_observation_end:
        ends = early.observation_ends_at.astimezone(session.booking.site.zone)
        parts.append(_("Observation runs until %(at)s.") % {"at": f"{ends:%H:%M %Z}"})
    if early.unresolved_reactions:
        kinds = ", ".join(str(ReactionKind(k).label).lower() for k in early.unresolved_reactions)
        parts.append(_("A reaction is not resolved (%(kinds)s).") % {"kinds": kinds})
    return " ".join(parts)


def _report_usage(session: InfusionSession) -> None:
    """Tell insurance how much of the order was given (the prior authorization's usage); it updates,
    never adds twice. The grams given also stay on the session, against the order. An infusion that
    gave nothing (stopped at once) uses no units."""
    if not session.grams_given or session.ended_at is None:
        return
    from infusions.authorizations import infusion_usage_report  # imports insurance; loaded on first use

    infusion_usage_report(
        order=session.order,
        booking=session.booking,
        grams_given=session.grams_given,
        given_at=session.ended_at,
    )


# ---------------------------------------------------------------------------------------------------
# Before the start: the checklist (today's weight) and premedication.


@chairside_write("checklist", replays=Checklist)
def checklist_record(
    *,
    session: InfusionSession,
    by,
    client_id,
    identity_confirmed: bool,
    weight_kg: Decimal,
    hydration: str,
    egfr_reviewed: bool,
    checks_acknowledged: bool,
    note: str = "",
) -> tuple[Checklist, bool]:
    """Record the pre-infusion checklist and today's weight. When the weight differs from the one the
    order was planned with by more than 5%, the plan (dose, volume, rates) is recomputed with today's
    weight; the session keeps the plan the pump is programmed from. Returns (checklist, replayed)."""
    if Checklist.objects.filter(session=session).exists():
        raise Conflict("already_done", "The checklist is already recorded.", field="status")
    missing = [
        name
        for name, value in (
            ("identity_confirmed", identity_confirmed),
            ("egfr_reviewed", egfr_reviewed),
            ("checks_acknowledged", checks_acknowledged),
        )
        if not value
    ]
    if missing:
        raise ValidationError(
            {
                name: ValidationError("Confirm this before the infusion.", code="checklist_incomplete")
                for name in missing
            }
        )
    checklist = Checklist(
        session=session,
        client_id=client_id,
        recorded_by=by,
        identity_confirmed=identity_confirmed,
        weight_kg=weight_kg,
        hydration=hydration,
        egfr_reviewed=egfr_reviewed,
        checks_acknowledged=checks_acknowledged,
        note=note,
    )

    def replan(saved: Checklist) -> None:
        measurement_record(patient=session.patient, kind="weight", value=weight_kg, recorded_by=by)
        base = session.order_weight_kg
        recompute = base is None or abs(Decimal(weight_kg) - base) / base > WEIGHT_TOLERANCE
        order = selectors.order_list().get(pk=session.order_id)
        order.latest_weight_kg = Decimal(weight_kg) if recompute else base
        today = session.checked_in_at.astimezone(session.booking.site.zone).date()
        policy = InfusionPolicy.current()
        _apply_plan(session, require_plan(order, policy=policy, now=timezone.now(), on=today))
        session.weight_kg, session.dose_recomputed = weight_kg, recompute
        session.save()

    return save_once(checklist, after=replan)


@chairside_write("premedication", replays=Premedication, time="given_at")
def premedication_record(
    *,
    session: InfusionSession,
    by,
    client_id,
    drug: str,
    dose: str,
    route: str = "PO",
    given_at: datetime,
    confirm_not_ordered: bool = False,
) -> tuple[Premedication, bool]:
    """Record a premedication given, with its time. One that is not among the order's
    (`charting.ordered_premedication`: another drug, dose or route) needs `confirm_not_ordered`, else a
    400 `premedication_not_ordered`; it is stored with `as_ordered` false. Returns (premedication,
    replayed)."""
    drug, dose, route = (drug or "").strip(), (dose or "").strip(), (route or "PO").strip()
    ordered_text = session.order.premedication
    as_ordered = ordered_premedication.matches_order(ordered_text, drug=drug, dose=dose, route=route)
    if not as_ordered and not confirm_not_ordered and drug and dose:
        ordered = ordered_text.strip() or _("no premedication")
        raise invalid(
            "drug",
            "premedication_not_ordered",
            _("%(given)s is not what the order says (%(ordered)s): confirm to record it.")
            % {"given": f"{drug} {dose} {route}", "ordered": ordered},
        )
    row = Premedication(
        session=session,
        client_id=client_id,
        recorded_by=by,
        drug=drug,
        dose=dose,
        route=route,
        given_at=given_at,
        as_ordered=as_ordered,
    )
    return save_once(row)
