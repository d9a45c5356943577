"""Reads of the chairside record: today's board for a site, one session with everything charted on it,
what is due next, and the summary (totals, rate steps as run, the vitals chart).

Each read's query count does not grow with its rows: the selectors own their joins and prefetches.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.utils import timezone

from charting.models import (
    FLAG_GRADE,
    InfusionSession,
    LotRecord,
    Premedication,
    RateChange,
    RateKind,
    Reaction,
    SessionStatus,
    VitalsReading,
)
from infusions import vitals as vitals_rules
from infusions.models import InfusionPolicy
from scheduling.access import access_bookings, access_sites, sees_all_sites
from scheduling.models import INACTIVE_STATUSES, Booking, Chair, Site
from scheduling.selectors import day_bounds


def access_sessions(user, queryset: QuerySet[InfusionSession]) -> QuerySet[InfusionSession]:
    """A nurse sees the sessions of her sites; managers see every site's."""
    return queryset if sees_all_sites(user) else queryset.filter(booking__site__memberships__user=user)


def session_list() -> QuerySet[InfusionSession]:
    return InfusionSession.objects.select_related(
        "booking__site", "booking__chair", "patient", "order__product", "order__indication"
    )


def session_detail() -> QuerySet[InfusionSession]:
    """Sessions with everything charted on them, for the session page, the summary and the API."""
    return (
        session_list()
        .select_related("checklist__recorded_by")
        .prefetch_related(
            Prefetch(
                "vitals", VitalsReading.objects.select_related("recorded_by").order_by("taken_at", "pk")
            ),
            Prefetch("rate_changes", RateChange.objects.select_related("recorded_by").order_by("at", "pk")),
            Prefetch(
                "reactions",
                Reaction.objects.select_related("recorded_by")
                .order_by("noted_at", "pk")
                .prefetch_related("vitals"),
            ),
            Prefetch("lots", LotRecord.objects.select_related("recorded_by")),
            Prefetch("premedications", Premedication.objects.select_related("recorded_by")),
            "patient__risk_flags",
            "patient__allergies",
        )
    )


def session_checklist(session: InfusionSession):
    return getattr(session, "checklist", None) if _has_checklist(session) else None


def _has_checklist(session: InfusionSession) -> bool:
    try:
        session.checklist  # noqa: B018 - the reverse one-to-one raises when missing
    except InfusionSession.checklist.RelatedObjectDoesNotExist:
        return False
    return True


def order_usage(order_id: int) -> dict:
    """Grams and mL given against an order so far (ended sessions)."""
    totals = InfusionSession.objects.filter(order_id=order_id, ended_at__isnull=False).aggregate(
        grams=Sum("grams_given"), volume=Sum("volume_given_ml")
    )
    return {"grams_given": totals["grams"] or Decimal(0), "volume_given_ml": totals["volume"] or Decimal(0)}


def worst_reaction(patient_ref: str) -> dict:
    """Annotations for the worst reaction of grade 2 or more of the patient at `patient_ref` (an
    OuterRef path) and when it was noted: what an order's `prior_reaction` check reads
    (registered with `infusions.providers`)."""
    worst = Reaction.objects.filter(session__patient=OuterRef(patient_ref), grade__gte=FLAG_GRADE).order_by(
        "-grade", "-noted_at"
    )
    return {
        "worst_reaction_grade": Subquery(worst.values("grade")[:1]),
        "worst_reaction_at": Subquery(worst.values("noted_at")[:1]),
    }


def order_reactions(order_id: int) -> list[dict]:
    """The reactions charted on an order's sessions, oldest first, as an authorization's clinical
    summary gives them to the insurer (kind, CTCAE grade, onset, action, outcome, day): one query."""
    rows = Reaction.objects.filter(session__order_id=order_id).order_by("noted_at", "pk")
    return [
        {
            "kind": r.kind,
            "grade": r.grade,
            "onset": r.onset,
            "action": r.action,
            "outcome": r.outcome,
            "noted_on": r.noted_at.date().isoformat(),
        }
        for r in rows.values_list("kind", "grade", "onset", "action", "outcome", "noted_at", named=True)
    ]


# ---------------------------------------------------------------------------------------------------
# What is due next.


@dataclass(frozen=True)
class DueItem:
    what: str  # checklist, baseline, start, vitals, step_up, end_vitals, discharge
    at: datetime | None
    text: str
    overdue: bool = False


def _local(at: datetime, site: Site) -> str:
    return at.astimezone(site.zone).strftime("%H:%M")


def _in(minutes: int) -> str:
    return "now" if minutes == 0 else f"in {minutes} min"


def plan_clock(session: InfusionSession) -> list[dict]:
    """The rate schedule with local clock times from the start (the planned steps)."""
    if not session.plan_steps:
        return []
    start = session.started_at
    rows, offset = [], Decimal(0)
    for step in session.plan_steps:
        minutes = Decimal(step["minutes"])
        rows.append(
            {
                "at": start + timedelta(minutes=float(offset)) if start else None,
                "clock": _local(start + timedelta(minutes=float(offset)), session.booking.site)
                if start
                else "",
                "rate": Decimal(step["rate_ml_per_hour"]),
                "minutes": minutes,
                "capped": step.get("capped", False),
            }
        )
        offset += minutes
    return rows


def _titrating(session: InfusionSession, rate: Decimal) -> bool:
    top = max((Decimal(s["rate_ml_per_hour"]) for s in session.plan_steps), default=Decimal(0))
    return rate < top


def _step_up_due(session: InfusionSession, changes: list[RateChange]) -> DueItem | None:
    last = changes[-1]
    if last.kind in (RateKind.PAUSE, RateKind.STOP, RateKind.HOLD, RateKind.SLOW):
        return None
    steps = session.plan_steps
    rates = [Decimal(s["rate_ml_per_hour"]) for s in steps]
    if last.rate_ml_per_hour not in rates:
        return None
    index = rates.index(last.rate_ml_per_hour)
    if index + 1 >= len(steps):
        return None
    # The step's clock runs from when the pump was set to this rate.
    since = next(
        c.at
        for c in reversed(changes)
        if c.rate_ml_per_hour == last.rate_ml_per_hour and c.kind != RateKind.HOLD
    )
    at = since + timedelta(minutes=float(Decimal(steps[index]["minutes"])))
    nxt = rates[index + 1]
    return DueItem(
        "step_up", at, f"Step up to {nxt.normalize():f} mL/h at {_local(at, session.booking.site)}"
    )


def next_due(
    session: InfusionSession, *, policy: InfusionPolicy, now: datetime | None = None
) -> list[DueItem]:
    """What the nurse does next for this session, soonest first, by the clinic's vitals intervals and
    observation time. Reads prefetched vitals and rate changes; the caller loads the policy once."""
    now = now or timezone.now()
    site = session.booking.site
    vitals = list(session.vitals.all())
    if session.status == SessionStatus.CHECKED_IN:
        if not _has_checklist(session):
            return [DueItem("checklist", None, "Pre-infusion checklist")]
        if not any(v.phase == "baseline" for v in vitals):
            return [DueItem("baseline", None, "Baseline vitals")]
        return [DueItem("start", None, "Ready to start")]
    if session.status == SessionStatus.DISCHARGED:
        return []
    items = []
    changes = list(session.rate_changes.all())
    if session.status == SessionStatus.RUNNING and changes:
        last_vitals = max((v.taken_at for v in vitals if v.taken_at >= session.started_at), default=None)
        current = changes[-1]
        due = vitals_rules.next_vitals_due(
            last_vitals_at=last_vitals,
            last_rate_change_at=current.at,
            titrating=_titrating(session, current.rate_ml_per_hour)
            and current.kind not in (RateKind.PAUSE, RateKind.STOP),
            started=True,
            limits=policy.vitals_limits(),
        )
        if due is not None:
            items.append(_timed("vitals", due, now, "Vitals"))
        step = _step_up_due(session, changes)
        if step is not None:
            items.append(
                DueItem(
                    step.what,
                    step.at,
                    step.text + (" (due now)" if step.at <= now else ""),
                    step.at < now - timedelta(minutes=5),
                )
            )
    if session.status == SessionStatus.OBSERVATION:
        after = [v for v in vitals if v.taken_at >= session.ended_at]
        if not after:
            items.append(_timed("end_vitals", session.ended_at, now, "End-of-infusion vitals"))
        else:
            at = session.ended_at + timedelta(minutes=policy.observation_minutes)
            if at <= now:
                items.append(DueItem("discharge", at, "Observation over: vitals and discharge"))
            else:
                items.append(DueItem("discharge", at, f"Observation until {_local(at, site)}"))
    return sorted(items, key=lambda d: d.at or now)


def _timed(what: str, at: datetime, now: datetime, label: str) -> DueItem:
    minutes = int((at - now).total_seconds() // 60)
    if at < now - timedelta(minutes=1):
        late = int((now - at).total_seconds() // 60)
        return DueItem(what, at, f"{label} overdue by {late} min", True)
    return DueItem(what, at, f"{label} due {_in(max(minutes, 0))}")


# ---------------------------------------------------------------------------------------------------
# Today's board.


@dataclass
class BoardCard:
    chair: Chair
    booking: Booking | None = None
    session: InfusionSession | None = None
    flags: list[tuple[str, str]] = field(default_factory=list)  # (css class, text)
    due: list[DueItem] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        if self.session is not None:
            return self.session.get_status_display()
        if self.booking is not None:
            return "Expected at " + _local(self.booking.start, self.booking.site)
        return "Free"


def board_sites(user) -> QuerySet[Site]:
    return access_sites(user).order_by("name")


def patient_flags(patient, on: date | None = None) -> list[tuple[str, str]]:
    """A child's age band on `on` (the booking's day), allergies, contraindications, at-risk reasons and
    prior reactions (prefetched)."""
    flags = []
    band = patient.age_band_on(on) if on is not None else None
    if band is not None and band.band != "adult":
        flags.append(("child", f"Child: {band.label}, {band.age_text}"))
    flags += [("allergy", f"Allergy: {a.substance}") for a in patient.allergies.all()]
    flags += [
        ("contraindication", f"Contraindicated: {f.get_kind_display()}") for f in patient.contraindications()
    ]
    flags += [("risk", f"At risk: {reason}") for reason in patient.at_risk_reasons()]
    grade = getattr(patient, "worst_reaction_grade", None)
    if grade:
        flags.append(("reaction", f"Prior grade {grade} reaction"))
    return flags


def board(user, site: Site, day: date | None = None, *, now: datetime | None = None) -> list[BoardCard]:
    """Each chair of the site with today's patient in it (the one in the chair, else the next due),
    the session status, what is due next and the patient's flags. A fixed number of queries."""
    now = now or timezone.now()
    day = day or now.astimezone(site.zone).date()
    start, end = day_bounds(site, day)
    worst = Reaction.objects.filter(session__patient=OuterRef("patient_id"), grade__gte=FLAG_GRADE).order_by(
        "-grade"
    )
    bookings = list(
        access_bookings(user, Booking.objects.filter(site=site, start__gte=start, start__lt=end))
        .exclude(status__in=INACTIVE_STATUSES)
        .select_related("site", "chair", "patient", "infusion_session")
        .annotate(worst_reaction_grade=Subquery(worst.values("grade")[:1]))
        .prefetch_related(
            "patient__allergies",
            "patient__risk_flags",
            Prefetch("infusion_session__vitals", VitalsReading.objects.order_by("taken_at", "pk")),
            Prefetch("infusion_session__rate_changes", RateChange.objects.order_by("at", "pk")),
            "infusion_session__checklist",
        )
        .order_by("start", "pk")
    )
    policy = InfusionPolicy.current()
    cards = {
        chair.pk: BoardCard(chair) for chair in site.chairs.filter(is_active=True).order_by("name", "pk")
    }
    by_chair: dict[int, list[Booking]] = {}
    for booking in bookings:
        by_chair.setdefault(booking.chair_id, []).append(booking)
    for chair_id, rows in by_chair.items():
        card = cards.get(chair_id)
        if card is None:
            continue
        # The patient in the chair, else the next one expected, else the last one discharged.
        in_chair = [b for b in rows if _session(b) is not None and _session(b).is_open]
        expected = [b for b in rows if _session(b) is None]
        done = [b for b in rows if _session(b) is not None and not _session(b).is_open]
        booking = (in_chair or expected or done[-1:])[0]
        card.booking, card.session = booking, _session(booking)
        booking.patient.worst_reaction_grade = booking.worst_reaction_grade
        card.flags = patient_flags(booking.patient, day)
        card.due = next_due(card.session, policy=policy, now=now) if card.session else []
    return list(cards.values())


def _session(booking: Booking) -> InfusionSession | None:
    return getattr(booking, "infusion_session", None)


# ---------------------------------------------------------------------------------------------------
# The summary.


@dataclass
class RunStep:
    kind: str
    label: str
    start: datetime
    end: datetime
    minutes: Decimal
    rate: Decimal
    volume: Decimal
    reason: str
    over_cap: bool


def steps_as_run(session: InfusionSession) -> list[RunStep]:
    """The rate steps as the pump actually ran them, from the recorded changes to the end."""
    changes = list(session.rate_changes.all())
    until = session.ended_at or timezone.now()
    rows = []
    for change, nxt in zip(changes, [*changes[1:], None], strict=True):
        end = min(nxt.at if nxt else until, until)
        seconds = max((end - change.at).total_seconds(), 0)
        rows.append(
            RunStep(
                kind=change.kind,
                label=change.get_kind_display(),
                start=change.at,
                end=end,
                minutes=Decimal(seconds / 60).quantize(Decimal("0.1")),
                rate=change.rate_ml_per_hour,
                volume=(change.rate_ml_per_hour * Decimal(seconds) / 3600).quantize(Decimal("0.1")),
                reason=change.reason,
                over_cap=change.over_cap,
            )
        )
    return rows


CHART = {"width": 720, "height": 260, "left": 44, "right": 12, "top": 14, "bottom": 28}
RATE_CHART_HEIGHT = 90
SERIES = (
    ("systolic", "Systolic", "#c0392b"),
    ("diastolic", "Diastolic", "#e67e22"),
    ("heart_rate", "Heart rate", "#2c7be5"),
    ("spo2", "SpO2", "#27ae60"),
)


def vitals_chart(session: InfusionSession) -> dict | None:
    """Coordinates of the SVG chart (vitals over time, rate steps under it, on one time axis).

    Computed here, drawn by the template: the server renders the SVG, the tablet runs no chart code.
    """
    readings = list(session.vitals.all())
    if not readings:
        return None
    changes = list(session.rate_changes.all())
    first = min([r.taken_at for r in readings] + [c.at for c in changes])
    last = max([r.taken_at for r in readings] + [session.ended_at or first])
    span = max((last - first).total_seconds(), 60.0)
    c = CHART
    plot_w = c["width"] - c["left"] - c["right"]
    plot_h = c["height"] - c["top"] - c["bottom"]
    y_max = 200

    def x(at: datetime) -> float:
        return round(c["left"] + plot_w * (at - first).total_seconds() / span, 1)

    def y(value) -> float:
        return round(c["top"] + plot_h * (1 - min(float(value), y_max) / y_max), 1)

    series = []
    for attr, label, colour in SERIES:
        points = [(x(r.taken_at), y(getattr(r, attr)), getattr(r, attr), bool(r.flags)) for r in readings]
        series.append(
            {
                "label": label,
                "colour": colour,
                "points": " ".join(f"{px},{py}" for px, py, _, _ in points),
                "dots": [{"x": px, "y": py, "value": v, "flagged": f} for px, py, v, f in points],
            }
        )
    temps = [(x(r.taken_at), r.temperature_c) for r in readings if r.temperature_c is not None]
    temperature = [
        {"x": px, "y": round(c["top"] + plot_h * (1 - (float(t) - 35) / 7), 1), "value": t} for px, t in temps
    ]
    grid = [{"y": y(v), "value": v} for v in (0, 50, 100, 150, 200)]
    ticks = []
    site = session.booking.site
    step = max(int(span // 60 // 6 // 15) * 15, 15)
    tick = first.replace(second=0, microsecond=0)
    while tick <= last:
        ticks.append({"x": x(tick), "label": _local(tick, site)})
        tick += timedelta(minutes=step)
    top_rate = max([ch.rate_ml_per_hour for ch in changes] + [Decimal(1)])
    rate_path = []
    for run in steps_as_run(session):
        ry = round(8 + (RATE_CHART_HEIGHT - 24) * (1 - float(run.rate / top_rate)), 1)
        rate_path.append(
            {"x1": x(run.start), "x2": x(run.end), "y": ry, "rate": run.rate, "label": run.label}
        )
    reactions = [
        {"x": x(r.noted_at), "label": f"{r.get_kind_display()} (grade {r.grade})"}
        for r in session.reactions.all()
    ]
    return {
        **c,
        "plot_bottom": c["height"] - c["bottom"],
        "plot_right": c["width"] - c["right"],
        "series": series,
        "temperature": temperature,
        "grid": grid,
        "ticks": ticks,
        "rate_height": RATE_CHART_HEIGHT,
        "rate_steps": rate_path,
        "top_rate": top_rate,
        "reactions": reactions,
    }


@dataclass
class Summary:
    session: InfusionSession
    infusion_minutes: Decimal | None
    chair_minutes: Decimal | None
    steps: list[RunStep]
    chart: dict | None
    flagged_vitals: int
    lots_vials: int


def session_summary(session: InfusionSession) -> Summary:
    """The summary of a session read with `session_detail()`."""

    def minutes(a, b):
        return Decimal((b - a).total_seconds() / 60).quantize(Decimal("0.1")) if a and b else None

    return Summary(
        session=session,
        infusion_minutes=minutes(session.started_at, session.ended_at),
        chair_minutes=minutes(session.checked_in_at, session.discharged_at),
        steps=steps_as_run(session),
        chart=vitals_chart(session),
        flagged_vitals=sum(1 for v in session.vitals.all() if v.flags),
        lots_vials=sum(lot.vials for lot in session.lots.all()),
    )
