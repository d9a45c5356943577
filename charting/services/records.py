"""Writes of what is charted on a session: vitals (flagged by the clinic's limits), rate changes,
reactions and product lots.

Each returns `(row, replayed)` and is idempotent by the tablet's `client_id`
(`charting.services.submissions`). They raise
- `ValidationError` (400): impossible vitals (`vitals_impossible` on `systolic`...), `time_in_future`,
  `time_before_check_in`, `time_out_of_order`, `over_cap_unconfirmed`, `reason_required`,
  `lot_expired`, `vial_size_invalid`, `wrong_product`, `gtin_unknown`, `vitals_repeated` (a set typed
  twice: confirm it);
- `Conflict` (409): `session_not_in_progress`, `client_id_reused`.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from charting import confirmations
from charting.models import (
    FLAG_GRADE,
    InfusionSession,
    LotRecord,
    ProductBarcode,
    RateChange,
    RateKind,
    Reaction,
    SessionStatus,
    VitalsPhase,
    VitalsReading,
)
from charting.services.submissions import chairside_write, invalid, save_once
from clinic.errors import Conflict
from infusions import vitals as vitals_rules
from infusions.models import InfusionPolicy
from patients.models import RiskFlag, RiskFlagKind

REACTION_VITALS_WINDOW = timedelta(minutes=30)  # vitals this close to a reaction are linked to it


VITALS_FIELDS = ("systolic", "diastolic", "heart_rate", "temperature_c", "respiratory_rate", "spo2")


def baseline_of(session: InfusionSession) -> VitalsReading | None:
    return session.vitals.filter(phase=VitalsPhase.BASELINE).order_by("taken_at", "pk").first()


# The same id with other values is a 409, as the insurer API answers a reused Idempotency-Key.
@chairside_write(
    "vitals",
    replays=VitalsReading,
    time="taken_at",
    same=(*VITALS_FIELDS, "taken_at", "symptoms"),
)
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
    confirm_repeat: bool = False,
) -> tuple[VitalsReading, bool]:
    """Record a set of vitals. Impossible values are refused, each with its message; abnormal ones are
    stored with their flags (the clinic's limits in `InfusionPolicy` for the patient's age band on the
    day, then the change from this patient's baseline today); each flag names the band. A set with the
    same numbers as one charted within 5 minutes of it (`charting.confirmations.repeated_set`) is
    refused with `vitals_repeated` unless `confirm_repeat` says it is a new set.
    The phase follows the session: baseline before the start, during, end, then observation.
    Returns (reading, replayed)."""
    values = {
        "systolic": systolic,
        "diastolic": diastolic,
        "heart_rate": heart_rate,
        "temperature_c": temperature_c,
        "respiratory_rate": respiratory_rate,
        "spo2": spo2,
    }
    errors = vitals_rules.impossible(values)
    if errors:
        raise ValidationError(
            {field: ValidationError(message, code="vitals_impossible") for field, message in errors.items()}
        )
    if not confirm_repeat:
        _refuse_repeat(session, values, taken_at)
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
    # The clinic's limits as they stand now (a manager's change in the admin applies to the next
    # reading), for the patient's age band on the local day of the reading.
    band = session.patient.age_band_on(taken_at.astimezone(session.booking.site.zone).date())
    limits = InfusionPolicy.current().vitals_limits(band.band)
    flags = vitals_rules.abnormal(values, baseline, limits=limits)
    reading = VitalsReading(
        session=session,
        client_id=client_id,
        recorded_by=by,
        phase=phase,
        taken_at=taken_at,
        symptoms=(symptoms or "").strip(),
        flags=[
            {"code": f.code, "message": f.message, "band": f.band, "template": f.template, "params": f.params}
            for f in flags
        ],
        **values,
    )
    return save_once(reading)


def _refuse_repeat(session: InfusionSession, values: dict, taken_at: datetime) -> None:
    window = confirmations.REPEAT_WINDOW
    near = session.vitals.filter(taken_at__gte=taken_at - window, taken_at__lte=taken_at + window)
    earlier = [(v.taken_at, {f: getattr(v, f) for f in VITALS_FIELDS}) for v in near]
    at = confirmations.repeated_set(values, taken_at, earlier, fields=VITALS_FIELDS)
    if at is not None:
        clock = at.astimezone(session.booking.site.zone)
        raise invalid(
            "confirm_repeat",
            "vitals_repeated",
            _("The same numbers were charted at %(at)s: is this a new set? Confirm to save it.")
            % {"at": f"{clock:%H:%M %Z}"},
        )


def current_rate(session: InfusionSession) -> RateChange | None:
    return session.rate_changes.order_by("-at", "-pk").first()


def next_step_rate(session: InfusionSession, rate: Decimal) -> Decimal | None:
    """The plan's next rate above `rate`, or None at the top."""
    higher = sorted(
        {Decimal(s["rate_ml_per_hour"]) for s in session.plan_steps if Decimal(s["rate_ml_per_hour"]) > rate}
    )
    return higher[0] if higher else None


@chairside_write("rate change", replays=RateChange, time="at")
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
    reason = (reason or "").strip()
    if kind not in RateKind.values or kind == RateKind.START:
        raise invalid("kind", "kind_invalid", "Choose step up, hold, slow, pause, resume or stop.")
    last = current_rate(session)
    if last is None:  # a running session has its start rate; this one has none
        raise Conflict("session_not_in_progress", "This infusion has not started.", field="status")
    if at < last.at:
        raise invalid(
            "at", "time_out_of_order", f"This is before the last rate change ({last.at:%H:%M} UTC)."
        )
    flowing = last.kind not in (RateKind.PAUSE, RateKind.STOP)
    rate = rate_ml_per_hour
    if kind in (RateKind.PAUSE, RateKind.STOP):
        rate = Decimal(0)
    elif kind == RateKind.RESUME:
        if flowing:
            raise invalid("kind", "not_paused", "The infusion is running; there is nothing to resume.")
        if rate is None:
            before = session.rate_changes.filter(rate_ml_per_hour__gt=0).order_by("-at", "-pk").first()
            rate = before.rate_ml_per_hour if before is not None else None
    else:
        if not flowing:
            raise invalid("kind", "paused", "The infusion is paused or stopped: resume it first.")
        if kind == RateKind.HOLD:
            rate = last.rate_ml_per_hour
        elif kind == RateKind.STEP_UP:
            rate = rate if rate is not None else next_step_rate(session, last.rate_ml_per_hour)
            if rate is None:
                raise invalid(
                    "rate_ml_per_hour", "rate_required", "The plan has no higher step: give the rate."
                )
            if rate <= last.rate_ml_per_hour:
                raise invalid(
                    "rate_ml_per_hour",
                    "not_a_step_up",
                    f"A step up goes above the current {last.rate_ml_per_hour.normalize():f} mL/h.",
                )
        elif kind == RateKind.SLOW and (rate is None or rate >= last.rate_ml_per_hour):
            raise invalid(
                "rate_ml_per_hour",
                "not_slower",
                f"Slow to a rate below the current {last.rate_ml_per_hour.normalize():f} mL/h.",
            )
    if rate is None:
        raise invalid("rate_ml_per_hour", "rate_required", "Give the rate.")
    cap = session.rate_cap_ml_per_hour
    over_cap = cap is not None and rate > cap
    if cap is not None and over_cap and not confirm_over_cap:
        raise invalid(
            "rate_ml_per_hour",
            "over_cap_unconfirmed",
            f"{rate.normalize():f} mL/h is above this plan's maximum of {cap.normalize():f} mL/h: "
            "confirm it and give a reason.",
        )
    if (over_cap or kind in (RateKind.HOLD, RateKind.SLOW, RateKind.PAUSE, RateKind.STOP)) and not reason:
        raise invalid("reason", "reason_required", "Say why.")
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
    return save_once(row)


@chairside_write("reaction", replays=Reaction, time="noted_at")
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
    if vitals_ids is None:
        linked = session.vitals.filter(
            taken_at__gte=noted_at - REACTION_VITALS_WINDOW,
            taken_at__lte=noted_at + REACTION_VITALS_WINDOW,
        )
    else:
        ids = set(vitals_ids)
        linked = session.vitals.filter(pk__in=ids)
        if len(linked) != len(ids):
            raise invalid("vitals", "vitals_invalid", "Link vitals of this session only.")
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

    return save_once(row, after=link_and_flag)


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


@chairside_write("lot", replays=LotRecord)
def lot_record(
    *,
    session: InfusionSession,
    by,
    client_id,
    lot_number: str,
    vial_size_g: Decimal,
    expiry,
    vials: int = 1,
    gtin: str = "",
) -> tuple[LotRecord, bool]:
    """Record the vials of one lot used. An expired lot and a vial size the product does not come in
    are refused; so is a scanned vial (`gtin`) of another product than the order's (`vial_check`).
    Returns (lot, replayed)."""
    gtin = (gtin or "").strip()
    if gtin:
        vial_check(session=session, gtin=gtin)
    lot_number = (lot_number or "").strip().upper()
    today = timezone.now().astimezone(session.booking.site.zone).date()
    if expiry < today:
        raise invalid(
            "expiry", "lot_expired", f"Lot {lot_number} expired on {expiry:%Y-%m-%d}: do not use it."
        )
    sizes = session.order.product.vial_sizes_g
    if Decimal(vial_size_g) not in sizes:
        listed = ", ".join(f"{s.normalize():f}" for s in sizes)
        raise invalid(
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
        gtin=gtin,
    )
    return save_once(row)


def vial_check(*, session: InfusionSession, gtin: str) -> None:
    """Refuse a vial whose GTIN is not one of the order's product (400 `wrong_product`, or
    `gtin_unknown` for a GTIN no product has in the admin's Product barcodes)."""
    product = session.order.product
    known = ProductBarcode.objects.filter(gtin=gtin.zfill(14)).select_related("product").first()
    if known is None:
        raise invalid(
            "gtin",
            "gtin_unknown",
            f"No product has the GTIN {gtin} (Product barcodes, in the admin): check that the vial is "
            f"{product.brand}, then type the lot.",
        )
    if known.product_id != product.pk:
        raise invalid(
            "gtin",
            "wrong_product",
            f"This vial is {known.product.brand}, not {product.brand} as ordered: do not use it.",
        )
