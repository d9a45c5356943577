"""What is due next on a session (checklist, baseline, start, vitals, step up, discharge), with its
local clock time, and the plan's steps on the clock."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from charting import running
from charting.models import (
    InfusionSession,
    RateChange,
    RateKind,
    SessionStatus,
)
from charting.selectors.sessions import _has_checklist
from infusions import vitals as vitals_rules
from infusions.models import InfusionPolicy
from scheduling.models import Site


@dataclass(frozen=True)
class DueItem:
    what: str  # checklist, baseline, start, vitals, step_up, end_vitals, discharge
    at: datetime | None
    text: str
    overdue: bool = False
    short: str = ""  # the text without what is due ("due in 5 min"), where the label says what


def _local(at: datetime, site: Site) -> str:
    return at.astimezone(site.zone).strftime("%H:%M")


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


def session_progress(session: InfusionSession, *, now: datetime) -> running.Progress | None:
    """Where a started session's infusion stands at `now` (`charting.running`), from its plan and its
    prefetched rate changes; None before the start."""
    changes = [running.Change(c.at, c.rate_ml_per_hour, c.kind) for c in session.rate_changes.all()]
    if not changes or not session.plan_steps:
        return None
    plan = session.plan_steps
    steps = [
        running.Step(Decimal(s["rate_ml_per_hour"]), None if n == len(plan) - 1 else Decimal(s["minutes"]))
        for n, s in enumerate(plan)
    ]
    until = min(now, session.ended_at) if session.ended_at else now
    return running.progress(
        steps=steps, changes=changes, now=until, planned_volume_ml=session.planned_volume_ml or Decimal(0)
    )


def _step_up_due(session: InfusionSession, changes: list[RateChange], now: datetime) -> DueItem | None:
    last = changes[-1]
    if last.kind in (RateKind.PAUSE, RateKind.STOP, RateKind.HOLD, RateKind.SLOW):
        return None
    where = session_progress(session, now=now)
    if where is None or where.next_step_at is None or where.step_index is None:
        return None
    at = where.next_step_at
    nxt = Decimal(session.plan_steps[where.step_index + 1]["rate_ml_per_hour"])
    return DueItem(
        "step_up",
        at,
        _("Step up to %(rate)s mL/h at %(at)s")
        % {"rate": f"{nxt.normalize():f}", "at": _local(at, session.booking.site)},
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
            return [DueItem("checklist", None, _("Pre-infusion checklist"))]
        if not any(v.phase == "baseline" for v in vitals):
            return [DueItem("baseline", None, _("Baseline vitals"))]
        return [DueItem("start", None, _("Ready to start"))]
    if session.status == SessionStatus.DISCHARGED:
        return []
    items = []
    changes = list(session.rate_changes.all())
    started, ended = session.started_at, session.ended_at
    if session.status == SessionStatus.RUNNING and changes and started is not None:
        last_vitals = max((v.taken_at for v in vitals if v.taken_at >= started), default=None)
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
            items.append(_timed("vitals", due, now, _("Vitals")))
        step = _step_up_due(session, changes, now)
        if step is not None and step.at is not None:
            late = int((now - step.at).total_seconds() // 60)
            items.append(
                DueItem(
                    step.what,
                    step.at,
                    step.text
                    + (
                        " " + _("(overdue by %(minutes)s min)") % {"minutes": late}
                        if late > 1
                        else " " + _("(due now)")
                        if late >= 0
                        else ""
                    ),
                    step.at < now - timedelta(minutes=5),
                )
            )
    if session.status == SessionStatus.OBSERVATION and ended is not None:
        after = [v for v in vitals if v.taken_at >= ended]
        if not after:
            items.append(_timed("end_vitals", ended, now, _("End-of-infusion vitals")))
        else:
            at = ended + timedelta(minutes=policy.observation_minutes)
            if at <= now:
                items.append(DueItem("discharge", at, _("Observation over: vitals and discharge")))
            else:
                items.append(
                    DueItem("discharge", at, _("Observation until %(at)s") % {"at": _local(at, site)})
                )
    return sorted(items, key=lambda d: d.at or now)


def _timed(what: str, at: datetime, now: datetime, label: str) -> DueItem:
    minutes = int((at - now).total_seconds() // 60)
    if at < now - timedelta(minutes=1):
        late = int((now - at).total_seconds() // 60)
        short = _("overdue by %(minutes)s min") % {"minutes": late}
        return DueItem(what, at, f"{label} {short}", True, short)
    short = _("due now") if minutes <= 0 else _("due in %(minutes)s min") % {"minutes": minutes}
    return DueItem(what, at, f"{label} {short}", short=short)
