"""A session's summary: grams and mL given, times, the rate steps as run, and the vitals chart's
geometry (server-rendered SVG)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from charting.models import (
    InfusionSession,
)
from charting.selectors.due import _local


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
    nurses: list[str] = field(default_factory=list)  # who charted, in the order they first did


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
        nurses=_nurses(session),
    )


def _nurses(session: InfusionSession) -> list[str]:
    rows = [
        *session.vitals.all(),
        *session.rate_changes.all(),
        *session.reactions.all(),
        *session.lots.all(),
        *session.premedications.all(),
    ]
    names: dict[int, str] = {}
    for row in sorted(rows, key=lambda r: r.recorded_at):
        user = row.recorded_by
        if user is not None and user.pk not in names:
            names[user.pk] = user.get_full_name() or user.username
    return list(names.values())
