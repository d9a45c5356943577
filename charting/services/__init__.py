"""Writes of the chairside record, by concept:

- `session`: check-in, checklist, premedication, start, end (usage reported to insurance) and
  discharge;
- `records`: vitals, rate changes, reactions and lots;
- `submissions`: the one write path they all take (`chairside_write`: the tablet's `client_id` and
  replays, the session lock, the states a session is charted in, time checks).

This module is the one import path callers use (the API, the tablet pages, the demo, benchmarks).
"""

from charting.services.records import (
    VITALS_FIELDS,
    baseline_of,
    current_rate,
    lot_record,
    next_step_rate,
    rate_change_record,
    reaction_record,
    vitals_record,
)
from charting.services.session import (
    checklist_record,
    premedication_record,
    session_check_in,
    session_discharge,
    session_end,
    session_start,
)

__all__ = [
    "VITALS_FIELDS",
    "baseline_of",
    "checklist_record",
    "current_rate",
    "lot_record",
    "next_step_rate",
    "premedication_record",
    "rate_change_record",
    "reaction_record",
    "session_check_in",
    "session_discharge",
    "session_end",
    "session_start",
    "vitals_record",
]
