"""Writes of prior authorizations and their usage, by concept. Every change goes through one of these:

- `authorizations`: create, submit, appeal, cancel and expire, and the transitions they follow;
- `decisions`: the payer's decision (`authorization_decide`), and the insurer API's Idempotency-Key
  protocol around it (`authorization_decision_once`);
- `documents`: the clinic's notes and the documents sent to the payer;
- `usage`: units reserved when a cycle is booked, moved, released and used;
- `overrides`: a manager lets one cycle be booked without an authorization;
- `coverage`: saving a coverage; its authorizations follow it to another payer.

This module is the one import path callers use.
"""

from insurance.services.authorizations import (
    TRANSITIONS,
    authorization_appeal,
    authorization_cancel,
    authorization_create,
    authorization_submit,
    authorizations_expire,
)
from insurance.services.coverage import coverage_save
from insurance.services.decisions import (
    DECIDABLE,
    DECISION_CHOICES,
    DECISIONS,
    authorization_decide,
    authorization_decision_once,
)
from insurance.services.documents import (
    authorization_document_add,
    authorization_document_remove,
    authorization_document_update,
    authorization_notes_update,
)
from insurance.services.overrides import (
    OverrideNotAllowed,
    authorization_override_record,
    may_override,
)
from insurance.services.usage import (
    CycleGrant,
    cycle_authorize,
    usage_mark_given,
    usage_move,
    usage_move_window,
    usage_record,
    usage_release,
)

__all__ = [
    "DECIDABLE",
    "DECISIONS",
    "DECISION_CHOICES",
    "TRANSITIONS",
    "CycleGrant",
    "OverrideNotAllowed",
    "authorization_appeal",
    "authorization_cancel",
    "authorization_create",
    "authorization_decide",
    "authorization_decision_once",
    "authorization_document_add",
    "authorization_document_remove",
    "authorization_document_update",
    "authorization_notes_update",
    "authorization_override_record",
    "authorization_submit",
    "authorizations_expire",
    "coverage_save",
    "cycle_authorize",
    "may_override",
    "usage_mark_given",
    "usage_move",
    "usage_move_window",
    "usage_record",
    "usage_release",
]
