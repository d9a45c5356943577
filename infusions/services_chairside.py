"""Writes of the chairside record: check-in, checklist, premedication, vitals, start, rate changes,
reactions, lots, end of infusion and discharge.

Every write takes the tablet's `client_id` and returns `(row, replayed)`: a submission seen before
(same client id, same session) is not stored again and gets the row first stored, whatever happened
since, so a tablet that lost the answer can safely send again. The session row is locked for each write,
so two nurses' taps are taken one after the other.

They raise
- `ValidationError` (400) for input that is wrong on its own: impossible vitals (`systolic`...),
  `time_in_future`, `time_before_check_in`, `time_out_of_order`, `over_cap_unconfirmed`,
  `reason_required`, `lot_expired`, `vial_size_invalid`, `baseline_required`, `checklist_required`,
  `observation_vitals_required`, `booking_without_order`, `not_today`;
- `Conflict` (409) when the session's state refuses it: `session_not_in_progress`, `already_done`,
  `client_id_reused`, and what `scheduling.services.booking_set_status` and the order's checks raise.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.db import validated_save
from clinic.errors import Conflict
from infusions import selectors, services
from infusions import vitals as vitals_rules
from infusions.cycles import parse_cycle_ref
from infusions.models import (
    FLAG_GRADE,
    Checklist,
    InfusionPolicy,
    InfusionSession,
    LotRecord,
    Premedication,
    RateChange,
    RateKind,
    Reaction,
    SessionEvent,
    SessionEventKind,
    SessionStatus,
    TreatmentOrder,
    VitalsPhase,
    VitalsReading,
)
from infusions.planning import require_plan
from patients.models import RiskFlag, RiskFlagKind
from patients.services import measurement_record
from scheduling.models import Booking, BookingStatus
from scheduling.services import booking_set_status

logger = logging.getLogger(__name__)

WEIGHT_TOLERANCE = Decimal("0.05")  # today's weight differing by more than this recomputes the dose
FUTURE_GRACE = timedelta(minutes=1)  # tablets whose clocks run slightly ahead
REACTION_VITALS_WINDOW = timedelta(minutes=30)  # vitals this close to a reaction are linked to it

CHARTING = {
    "checklist": (SessionStatus.CHECKED_IN,),
    "premedication": (SessionStatus.CHECKED_IN, SessionStatus.RUNNING),
    "vitals": (SessionStatus.CHECKED_IN, SessionStatus.RUNNING, SessionStatus.OBSERVATION),
    "start": (SessionStatus.CHECKED_IN,),
    "rate change": (SessionStatus.RUNNING,),
    "reaction": (SessionStatus.RUNNING, SessionStatus.OBSERVATION),
    "lot": (SessionStatus.CHECKED_IN, SessionStatus.RUNNING, SessionStatus.OBSERVATION),
    "end": (SessionStatus.RUNNING,),
    "discharge": (SessionStatus.OBSERVATION,),
}


def _invalid(field: str, code: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _uuid(client_id) -> uuid.UUID:
    try:
        return client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except (TypeError, ValueError, AttributeError):
        raise _invalid(
            "client_id", "client_id_invalid", "client_id must be a UUID the tablet makes."
        ) from None


def _locked(session: InfusionSession) -> InfusionSession:
    return (
        InfusionSession.objects.select_for_update(of=("self",))
        .select_related("order__product", "booking__site", "patient")
        .get(pk=session.pk)
    )


def _require(session: InfusionSession, action: str) -> None:
    if session.status not in CHARTING[action]:
        raise Conflict(
            "session_not_in_progress",
            f"A {action} cannot be charted: this session is {session.get_status_display().lower()}.",
            field="status",
            session={"id": session.pk, "status": session.status},
        )


def _when(
    at: datetime | None, field: str, *, now: datetime, session: InfusionSession | None = None
) -> datetime:
    at = at or now
    if timezone.is_naive(at):
        raise _invalid(field, "time_invalid", "Give the time with its time zone.")
    if at > now + FUTURE_GRACE:
        raise _invalid(field, "time_in_future", "This time is in the future.")
    if session is not None and at < session.checked_in_at - FUTURE_GRACE:
        raise _invalid(field, "time_before_check_in", "This time is before the patient checked in.")
    return at


def _replay(model, client_id: uuid.UUID, session_id: int | None):
    """The row already stored for this client id, or None. A client id used on another session is a
    409: the tablet reused an id, and answering with someone else's row would be wrong."""
    existing = model.objects.filter(client_id=client_id).first()
    if existing is None:
        return None
    if session_id is not None and existing.session_id != session_id:
        raise Conflict(
            "client_id_reused", "This submission id was already used on another session.", field="client_id"
        )
    return existing


def _save_once(instance, *, after: Callable | None = None):
    """Save a new row (and run `after` in the same transaction); when another request stored the same
    client id first (a double tap racing itself), answer with that one. Returns (row, replayed)."""
    try:
        with transaction.atomic():
            validated_save(instance)
            if after is not None:
                after(instance)
    except ValidationError as exc:
        codes = [e.code for e in getattr(exc, "error_dict", {}).get("client_id", [])]
        if "client_id_reused" not in codes:
            raise
        return _replay(type(instance), instance.client_id, instance.session_id), True
    return instance, False


# ---------------------------------------------------------------------------------------------------
# The session's life: check-in, start, end, discharge.


def session_check_in(
    *, booking: Booking, by, client_id, at: datetime | None = None
) -> tuple[InfusionSession, bool]:
    """Check the patient of a booking in: create the session, move the booking to checked in, and
    return (session, replayed). The order's checks run again (a block stops it, as for booking)."""
    client_id = _uuid(client_id)
    now = timezone.now()
    replayed = _check_in_replay(booking, client_id)
    if replayed is not None:
        return replayed, True
    ref = parse_cycle_ref(booking.order_ref)
    if ref is None:
        raise _invalid("booking", "booking_without_order", "This booking is not for a treatment order.")
    at = _when(at, "at", now=now)
    site = booking.site
    if booking.start.astimezone(site.zone).date() != now.astimezone(site.zone).date():
        raise _invalid("booking", "not_today", "Patients are checked in on the day of their booking.")
    order = TreatmentOrder.objects.filter(pk=ref.order_id, patient_id=booking.patient_id).first()
    if order is None:
        raise _invalid("booking", "booking_without_order", "The booking's order is not this patient's.")
    plan = services.order_cycle_check(order=order, now=now)
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
            cycle=ref.cycle,
            day=ref.day,
            checked_in_at=at,
            checked_in_by=by,
            # The weight the order's plan was computed from: the latest on file before today's weighing.
            order_weight_kg=selectors.order_list()
            .values_list("latest_weight_kg", flat=True)
            .get(pk=order.pk),
        )
        _apply_plan(session, plan)
        validated_save(session)
        validated_save(
            SessionEvent(session=session, kind=SessionEventKind.CHECK_IN, at=at, by=by, client_id=client_id)
        )
    return session, False


def _check_in_replay(booking: Booking, client_id: uuid.UUID) -> InfusionSession | None:
    event = SessionEvent.objects.filter(client_id=client_id).select_related("session").first()
    if event is None:
        return None
    if event.session.booking_id != booking.pk or event.kind != SessionEventKind.CHECK_IN:
        raise Conflict("client_id_reused", "This submission id was already used.", field="client_id")
    return event.session


def _apply_plan(session: InfusionSession, result) -> None:
    plan = result.plan
    session.protocol_name = result.protocol_name
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


def _transition_replay(session: InfusionSession, client_id: uuid.UUID, kind: str) -> bool:
    event = SessionEvent.objects.filter(client_id=client_id).first()
    if event is None:
        return False
    if event.session_id != session.pk or event.kind != kind:
        raise Conflict("client_id_reused", "This submission id was already used.", field="client_id")
    return True


def session_start(
    *, session: InfusionSession, by, client_id, at: datetime | None = None
) -> tuple[InfusionSession, bool]:
    """Start the infusion at the plan's first rate (needs the checklist and baseline vitals); the
    booking moves to in progress. Returns (session, replayed)."""
    client_id = _uuid(client_id)
    with transaction.atomic():
        session = _locked(session)
        if _transition_replay(session, client_id, SessionEventKind.START):
            return session, True
        _require(session, "start")
        at = _when(at, "at", now=timezone.now(), session=session)
        if not Checklist.objects.filter(session=session).exists():
            raise _invalid("checklist", "checklist_required", "Complete the pre-infusion checklist first.")
        if not session.vitals.filter(phase=VitalsPhase.BASELINE).exists():
            raise _invalid("vitals", "baseline_required", "Take baseline vitals before starting.")
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


def session_end(
    *,
    session: InfusionSession,
    by,
    client_id,
    at: datetime | None = None,
    volume_given_ml: Decimal | None = None,
) -> tuple[InfusionSession, bool]:
    """End the infusion; observation begins. Volume given is the pump's reading when the nurse gives it,
    otherwise what the rates as run delivered (at most the bag). The grams given are reported against
    the prior authorization (`_report_usage`). Returns (session, replayed)."""
    client_id = _uuid(client_id)
    with transaction.atomic():
        session = _locked(session)
        if _transition_replay(session, client_id, SessionEventKind.END):
            return session, True
        _require(session, "end")
        at = _when(at, "at", now=timezone.now(), session=session)
        changes = list(session.rate_changes.order_by("at", "pk").values_list("at", "rate_ml_per_hour"))
        if at < max(c[0] for c in changes):
            raise _invalid("at", "time_out_of_order", "The end is before the last rate change.")
        if volume_given_ml is None:
            volume_given_ml = vitals_rules.volume_delivered(changes, at, session.planned_volume_ml)
        elif volume_given_ml < 0 or (
            session.planned_volume_ml is not None and volume_given_ml > session.planned_volume_ml * 2
        ):
            raise _invalid("volume_given_ml", "volume_invalid", "This volume is not possible for this bag.")
        _event(session, SessionEventKind.END, at=at, by=by, client_id=client_id)
        concentration = session.order.product.concentration_percent
        session.volume_given_ml = Decimal(volume_given_ml).quantize(Decimal("0.1"))
        session.grams_given = (session.volume_given_ml * concentration / 100).quantize(Decimal("0.01"))
        session.status, session.ended_at = SessionStatus.OBSERVATION, at
        session.save(update_fields=["status", "ended_at", "volume_given_ml", "grams_given"])
        _report_usage(session)
    return session, False


def session_discharge(
    *, session: InfusionSession, by, client_id, at: datetime | None = None
) -> tuple[InfusionSession, bool]:
    """Discharge the patient after observation vitals; the booking is completed (which marks the
    authorization's usage as given, in insurance's receiver). Returns (session, replayed)."""
    client_id = _uuid(client_id)
    with transaction.atomic():
        session = _locked(session)
        if _transition_replay(session, client_id, SessionEventKind.DISCHARGE):
            return session, True
        _require(session, "discharge")
        at = _when(at, "at", now=timezone.now(), session=session)
        if at < session.ended_at:
            raise _invalid("at", "time_out_of_order", "Discharge is after the end of the infusion.")
        if not session.vitals.filter(taken_at__gte=session.ended_at).exists():
            raise _invalid(
                "vitals", "observation_vitals_required", "Take vitals after the infusion before discharge."
            )
        _event(session, SessionEventKind.DISCHARGE, at=at, by=by, client_id=client_id)
        session.status, session.discharged_at = SessionStatus.DISCHARGED, at
        session.save(update_fields=["status", "discharged_at"])
        if session.booking.status == BookingStatus.IN_PROGRESS:
            booking_set_status(booking=session.booking, status=BookingStatus.COMPLETED, by=by)
    return session, False


def _report_usage(session: InfusionSession) -> None:
    """Tell insurance how much of the order was given (the prior authorization's usage); it updates,
    never adds twice. The grams given also stay on the session, against the order. An infusion that
    gave nothing (stopped at once) uses no units."""
    if not session.grams_given:
        return
    from infusions.authorizations import infusion_usage_report  # imports insurance; loaded on first use

    infusion_usage_report(
        order=session.order,
        order_ref=session.booking.order_ref,
        grams_given=session.grams_given,
        given_at=session.ended_at,
    )


# ---------------------------------------------------------------------------------------------------
# What is charted on a session.


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
    client_id = _uuid(client_id)
    with transaction.atomic():
        session = _locked(session)
        existing = _replay(Checklist, client_id, session.pk)
        if existing is not None:
            return existing, True
        _require(session, "checklist")
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
            _apply_plan(session, require_plan(order, policy=InfusionPolicy.current(), now=timezone.now()))
            session.weight_kg, session.dose_recomputed = weight_kg, recompute
            session.save()

        return _save_once(checklist, after=replan)


def premedication_record(
    *, session: InfusionSession, by, client_id, drug: str, dose: str, route: str = "PO", given_at: datetime
) -> tuple[Premedication, bool]:
    """Record a premedication given, with its time. Returns (premedication, replayed)."""
    client_id = _uuid(client_id)
    with transaction.atomic():
        session = _locked(session)
        existing = _replay(Premedication, client_id, session.pk)
        if existing is not None:
            return existing, True
        _require(session, "premedication")
        given_at = _when(given_at, "given_at", now=timezone.now(), session=session)
        row = Premedication(
            session=session,
            client_id=client_id,
            recorded_by=by,
            drug=(drug or "").strip(),
            dose=(dose or "").strip(),
            route=(route or "PO").strip(),
            given_at=given_at,
        )
        return _save_once(row)


VITALS_FIELDS = ("systolic", "diastolic", "heart_rate", "temperature_c", "respiratory_rate", "spo2")


def baseline_of(session: InfusionSession) -> VitalsReading | None:
    return session.vitals.filter(phase=VitalsPhase.BASELINE).order_by("taken_at", "pk").first()


def vitals_record(
    *,
    session: InfusionSession,
    by,
    client_id,
    taken_at: datetime,
    systolic: int,
    diastolic: int,
    heart_rate: int,
    spo2: int,
    temperature_c: Decimal | None = None,
    respiratory_rate: int | None = None,
    symptoms: str = "",
) -> tuple[VitalsReading, bool]:
    """Record a set of vitals. Impossible values are refused, each with its message; abnormal ones are
    stored with their flags (general limits, then the change from this patient's baseline today).
    The phase follows the session: baseline before the start, during, end, then observation.
    Returns (reading, replayed)."""
    client_id = _uuid(client_id)
    values = {
        "systolic": systolic,
        "diastolic": diastolic,
        "heart_rate": heart_rate,
        "temperature_c": temperature_c,
        "respiratory_rate": respiratory_rate,
        "spo2": spo2,
    }
    with transaction.atomic():
        session = _locked(session)
        existing = _replay(VitalsReading, client_id, session.pk)
        if existing is not None:
            return existing, True
        _require(session, "vitals")
        taken_at = _when(taken_at, "taken_at", now=timezone.now(), session=session)
        errors = vitals_rules.impossible(values)
        if errors:
            raise ValidationError(
                {
                    field: ValidationError(message, code="vitals_impossible")
                    for field, message in errors.items()
                }
            )
        baseline = None
        if session.status == SessionStatus.CHECKED_IN:
            phase = VitalsPhase.BASELINE
        else:
            base = baseline_of(session)
            baseline = {f: getattr(base, f) for f in VITALS_FIELDS} if base else None
            if session.status == SessionStatus.RUNNING:
                phase = VitalsPhase.INFUSION
            elif session.vitals.filter(taken_at__gte=session.ended_at).exists():
                phase = VitalsPhase.OBSERVATION
            else:
                phase = VitalsPhase.END
        flags = vitals_rules.abnormal(values, baseline)
        reading = VitalsReading(
            session=session,
            client_id=client_id,
            recorded_by=by,
            phase=phase,
            taken_at=taken_at,
            symptoms=(symptoms or "").strip(),
            flags=[{"code": f.code, "message": f.message} for f in flags],
            **values,
        )
        return _save_once(reading)


def current_rate(session: InfusionSession) -> RateChange | None:
    return session.rate_changes.order_by("-at", "-pk").first()


def next_step_rate(session: InfusionSession, rate: Decimal) -> Decimal | None:
    """The plan's next rate above `rate`, or None at the top."""
    higher = sorted(
        {Decimal(s["rate_ml_per_hour"]) for s in session.plan_steps if Decimal(s["rate_ml_per_hour"]) > rate}
    )
    return higher[0] if higher else None


def rate_change_record(
    *,
    session: InfusionSession,
    by,
    client_id,
    kind: str,
    at: datetime,
    rate_ml_per_hour: Decimal | None = None,
    reason: str = "",
    confirm_over_cap: bool = False,
) -> tuple[RateChange, bool]:
    """Record a rate change: step up (to the plan's next rate unless given), hold, slow, pause, resume
    (to the rate before the pause unless given) or stop. A rate above the plan's maximum needs
    `confirm_over_cap` and a reason. Returns (rate change, replayed)."""
    client_id = _uuid(client_id)
    reason = (reason or "").strip()
    with transaction.atomic():
        session = _locked(session)
        existing = _replay(RateChange, client_id, session.pk)
        if existing is not None:
            return existing, True
        _require(session, "rate change")
        if kind not in RateKind.values or kind == RateKind.START:
            raise _invalid("kind", "kind_invalid", "Choose step up, hold, slow, pause, resume or stop.")
        at = _when(at, "at", now=timezone.now(), session=session)
        last = current_rate(session)
        if at < last.at:
            raise _invalid(
                "at", "time_out_of_order", f"This is before the last rate change ({last.at:%H:%M} UTC)."
            )
        flowing = last.kind not in (RateKind.PAUSE, RateKind.STOP)
        rate = rate_ml_per_hour
        if kind in (RateKind.PAUSE, RateKind.STOP):
            rate = Decimal(0)
        elif kind == RateKind.RESUME:
            if flowing:
                raise _invalid("kind", "not_paused", "The infusion is running; there is nothing to resume.")
            if rate is None:
                before = session.rate_changes.filter(rate_ml_per_hour__gt=0).order_by("-at", "-pk").first()
                rate = before.rate_ml_per_hour
        else:
            if not flowing:
                raise _invalid("kind", "paused", "The infusion is paused or stopped: resume it first.")
            if kind == RateKind.HOLD:
                rate = last.rate_ml_per_hour
            elif kind == RateKind.STEP_UP:
                rate = rate if rate is not None else next_step_rate(session, last.rate_ml_per_hour)
                if rate is None:
                    raise _invalid(
                        "rate_ml_per_hour", "rate_required", "The plan has no higher step: give the rate."
                    )
                if rate <= last.rate_ml_per_hour:
                    raise _invalid(
                        "rate_ml_per_hour",
                        "not_a_step_up",
                        f"A step up goes above the current {last.rate_ml_per_hour.normalize():f} mL/h.",
                    )
            elif kind == RateKind.SLOW and (rate is None or rate >= last.rate_ml_per_hour):
                raise _invalid(
                    "rate_ml_per_hour",
                    "not_slower",
                    f"Slow to a rate below the current {last.rate_ml_per_hour.normalize():f} mL/h.",
                )
        cap = session.rate_cap_ml_per_hour
        over_cap = cap is not None and rate > cap
        if over_cap and not confirm_over_cap:
            raise _invalid(
                "rate_ml_per_hour",
                "over_cap_unconfirmed",
                f"{rate.normalize():f} mL/h is above this plan's maximum of {cap.normalize():f} mL/h: "
                "confirm it and give a reason.",
            )
        if (over_cap or kind in (RateKind.HOLD, RateKind.SLOW, RateKind.PAUSE, RateKind.STOP)) and not reason:
            raise _invalid("reason", "reason_required", "Say why.")
        row = RateChange(
            session=session,
            client_id=client_id,
            recorded_by=by,
            kind=kind,
            at=at,
            rate_ml_per_hour=rate,
            reason=reason,
            over_cap=over_cap,
        )
        return _save_once(row)


def reaction_record(
    *,
    session: InfusionSession,
    by,
    client_id,
    kind: str,
    grade: int,
    action: str,
    outcome: str,
    noted_at: datetime,
    onset: str = "during",
    medication: str = "",
    note: str = "",
    vitals_ids: Iterable[int] | None = None,
) -> tuple[Reaction, bool]:
    """Record a reaction, linked to the given vitals or, by default, those within 30 minutes of it.
    Grade 2 or more flags the patient and changes the next cycle's plan (`prior_reaction` check).
    Returns (reaction, replayed)."""
    client_id = _uuid(client_id)
    with transaction.atomic():
        session = _locked(session)
        existing = _replay(Reaction, client_id, session.pk)
        if existing is not None:
            return existing, True
        _require(session, "reaction")
        noted_at = _when(noted_at, "noted_at", now=timezone.now(), session=session)
        if vitals_ids is None:
            linked = session.vitals.filter(
                taken_at__gte=noted_at - REACTION_VITALS_WINDOW,
                taken_at__lte=noted_at + REACTION_VITALS_WINDOW,
            )
        else:
            ids = set(vitals_ids)
            linked = session.vitals.filter(pk__in=ids)
            if len(linked) != len(ids):
                raise _invalid("vitals", "vitals_invalid", "Link vitals of this session only.")
        row = Reaction(
            session=session,
            client_id=client_id,
            recorded_by=by,
            kind=kind,
            grade=grade,
            action=action,
            outcome=outcome,
            noted_at=noted_at,
            onset=onset,
            medication=(medication or "").strip(),
            note=(note or "").strip(),
        )

        def link_and_flag(saved: Reaction) -> None:
            saved.vitals.set(list(linked))
            if saved.grade >= FLAG_GRADE:
                _flag_patient(saved, session)

        return _save_once(row, after=link_and_flag)


def _flag_patient(reaction: Reaction, session: InfusionSession) -> None:
    # The order is flagged by its checks (`prior_reaction`, read from the reactions themselves); the
    # patient gets a RiskFlag, so the patient list, record and API show it too.
    RiskFlag.objects.get_or_create(
        patient_id=session.patient_id,
        kind=RiskFlagKind.INFUSION_REACTION,
        defaults={
            "note": f"Grade {reaction.grade} {reaction.get_kind_display().lower()} on session #{session.pk}"
        },
    )


def lot_record(
    *,
    session: InfusionSession,
    by,
    client_id,
    lot_number: str,
    vial_size_g: Decimal,
    expiry,
    vials: int = 1,
) -> tuple[LotRecord, bool]:
    """Record the vials of one lot used. An expired lot and a vial size the product does not come in
    are refused. Returns (lot, replayed)."""
    client_id = _uuid(client_id)
    with transaction.atomic():
        session = _locked(session)
        existing = _replay(LotRecord, client_id, session.pk)
        if existing is not None:
            return existing, True
        _require(session, "lot")
        lot_number = (lot_number or "").strip().upper()
        today = timezone.now().astimezone(session.booking.site.zone).date()
        if expiry < today:
            raise _invalid(
                "expiry", "lot_expired", f"Lot {lot_number} expired on {expiry:%Y-%m-%d}: do not use it."
            )
        sizes = session.order.product.vial_sizes_g
        if Decimal(vial_size_g) not in sizes:
            listed = ", ".join(f"{s.normalize():f}" for s in sizes)
            raise _invalid(
                "vial_size_g",
                "vial_size_invalid",
                f"{session.order.product.brand} comes in {listed} g vials.",
            )
        row = LotRecord(
            session=session,
            client_id=client_id,
            recorded_by=by,
            lot_number=lot_number,
            vial_size_g=vial_size_g,
            vials=vials,
            expiry=expiry,
        )
        return _save_once(row)
