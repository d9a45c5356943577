"""Reads of the chairside record, by concept:

- `sessions`: who sees which session, one session with everything charted on it, and what other apps
  read of the record (an order's usage and reactions, a patient's worst reaction);
- `due`: what is due next on a session, and the plan on the clock;
- `board`: today's board for a site;
- `summary`: totals, rate steps as run, the vitals chart, who charted;
- `live`: the running session's header (the tablet polls it).

Each read's query count does not grow with its rows: the selectors own their joins and prefetches.
This module is the one import path callers use.
"""

from charting.selectors.board import (
    BoardCard,
    board,
    board_sites,
    handover_notes,
    patient_flags,
)
from charting.selectors.due import (
    DueItem,
    next_due,
    plan_clock,
    session_progress,
)
from charting.selectors.live import LiveHeader, live_header
from charting.selectors.sessions import (
    access_sessions,
    order_reactions,
    order_usage,
    session_checklist,
    session_detail,
    session_list,
    worst_reaction,
)
from charting.selectors.summary import (
    CHART,
    RATE_CHART_HEIGHT,
    SERIES,
    RunStep,
    Summary,
    session_summary,
    steps_as_run,
    vitals_chart,
)

__all__ = [
    "CHART",
    "RATE_CHART_HEIGHT",
    "SERIES",
    "BoardCard",
    "DueItem",
    "LiveHeader",
    "RunStep",
    "Summary",
    "access_sessions",
    "board",
    "board_sites",
    "handover_notes",
    "live_header",
    "next_due",
    "order_reactions",
    "order_usage",
    "patient_flags",
    "plan_clock",
    "session_checklist",
    "session_detail",
    "session_list",
    "session_progress",
    "session_summary",
    "steps_as_run",
    "vitals_chart",
    "worst_reaction",
]
