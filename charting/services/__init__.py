"""Writes of the chairside record, by concept:

- `session`: check-in, checklist, premedication, start, end (usage reported to insurance) and
  discharge;
- `records`: vitals, rate changes, reactions and lots;
- `answers`: the answers to what the tablet asks (a flagged reading's answer, premedication given as
  ordered in one tap);
- `handover`: the nurse of each chair today, and handover notes (a session's, a shift's);
- `submissions`: the one write path they all take (`chairside_write`: the tablet's `client_id` and
  replays, the session lock, the states a session is charted in, time checks).

This module is the one import path callers use (the API, the tablet pages, the demo, benchmarks).
"""

from charting.services.answers import premedication_as_ordered, vitals_flag_answer
from charting.services.handover import chair_release, chair_take, handover_note_record
from charting.services.records import (
    VITALS_FIELDS,
    baseline_of,
    current_rate,
    lot_record,
    next_step_rate,
    rate_change_record,
    reaction_record,
    vial_check,
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
    "chair_release",
    "chair_take",
    "checklist_record",
    "current_rate",
    "handover_note_record",
    "lot_record",
    "next_step_rate",
    "premedication_as_ordered",
    "premedication_record",
    "rate_change_record",
    "reaction_record",
    "session_check_in",
    "session_discharge",
    "session_end",
    "session_start",
    "vial_check",
    "vitals_flag_answer",
    "vitals_record",
]
