"""What the Safety, Authorizations and Drug reports' SQL shares: the infusion sessions of the range, a
share as a percentage, and one statement answering several tables.

The range is the calendar's (`reports.sql.BOOKINGS_IN_RANGE`): a session counts on the local day its
booking starts at its own site, so a New York infusion at 23:30 on the day clocks change is that day's,
whatever UTC says. Each day of a split-day cycle is its own booking and so its own session.
"""

import json
from typing import Any

from charting.models import InfusionSession
from infusions.models import TreatmentOrder
from reports import sql

# `sessions`: the infusion sessions of the range's bookings at the chosen sites, of the chosen
# product (the session's order's), with their booking's `local_day`, `booked_start`, `site_id` and
# the `product_id` (read `local_day` only where needed: it converts each row to local time).
SESSIONS = (
    "WITH "
    + sql.BOOKINGS_IN_RANGE
    + f""",
sessions AS (
    SELECT se.*, b.day AS local_day, b.start AS booked_start, b.site_id, o.product_id
    FROM range_bookings b
    JOIN {InfusionSession._meta.db_table} se ON se.booking_id = b.id
    JOIN {TreatmentOrder._meta.db_table} o ON o.id = se.order_id
    WHERE %(product)s::bigint IS NULL OR o.product_id = %(product)s::bigint
)"""
)

# A share as a percentage to one decimal place; NULL when nothing was counted.
PERCENT = "round(100.0 * ({part}) / NULLIF({whole}, 0), 1)"


def jsonb_rows(name: str, order: str) -> str:
    """A select-list item: the rows of CTE `name` as one JSON array, in `order` ("[]" when none).

    A report asks one statement for all its tables, each such an array, so PostgreSQL reads the
    sessions once; numbers come back as int or float, dates as ISO text, as the registry wants."""
    return f"(SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY {order}), '[]') FROM {name} x) AS {name}"


def tables(statement: str, values: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Run a statement whose one row holds a JSON array per table; return {table: rows}."""
    (row,) = sql.rows(statement, values)
    # Django reads jsonb as text (its JSONField decodes it); so do we.
    return {key: json.loads(value) for key, value in row.items()}
