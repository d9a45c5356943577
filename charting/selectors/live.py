"""The running session's header, which the tablet fetches every 30 seconds: what is due, and while
the infusion runs the pump's rate, volume given, the steps as run and ahead, and the expected end."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from charting import running
from charting.models import InfusionSession, SessionStatus
from charting.selectors.due import DueItem, next_due, session_progress
from infusions.models import InfusionPolicy


@dataclass
class LiveHeader:
    session: InfusionSession
    now: datetime
    due: list[DueItem]
    progress: running.Progress | None = None
    grams_given: Decimal | None = None
    schedule: list[dict] = field(default_factory=list)  # steps as run, then ahead on the plan

    @property
    def vitals_due(self) -> DueItem | None:
        return next((d for d in self.due if d.what == "vitals"), None)

    @property
    def overdue(self) -> bool:
        """Something is late: the tablet may sound its alert (opt-in, charting/static/chairside/alert.js)."""
        return any(d.overdue for d in self.due)

    @property
    def step_due(self) -> DueItem | None:
        return next((d for d in self.due if d.what == "step_up"), None)


def live_header(session: InfusionSession, *, policy: InfusionPolicy, now: datetime) -> LiveHeader:
    """What the top of a session's page shows (read with `session_detail()`): what is due, and while
    the infusion runs the pump's rate, volume given, the steps as run and ahead, and the expected end."""
    header = LiveHeader(session=session, now=now, due=next_due(session, policy=policy, now=now))
    if session.status != SessionStatus.RUNNING:
        return header
    where = session_progress(session, now=now)
    if where is None:
        return header
    header.progress = where
    concentration = session.order.product.concentration_percent
    header.grams_given = (where.given_ml * concentration / 100).quantize(Decimal("0.01"))
    changes = list(session.rate_changes.all())
    header.schedule = [
        {"at": c.at, "rate": c.rate_ml_per_hour, "label": c.get_kind_display(), "now": n == len(changes) - 1}
        for n, c in enumerate(changes)
    ] + [{"at": a.at, "rate": a.rate, "label": "Plan", "ahead": True} for a in where.ahead]
    return header
