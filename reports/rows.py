"""What the Safety, Authorizations and Drug reports' SQL shares: the infusion sessions of the range, a
share as a percentage, and rows made plain for JSON, CSV and the charts.

The range is the calendar's (`reports.sql.BOOKINGS_IN_RANGE`): a session counts on the local day its
booking starts at its own site, so a New York infusion at 23:30 on the day clocks change is that day's,
whatever UTC says. Each day of a split-day cycle is its own booking and so its own session.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from charting.models import InfusionSession
from infusions.models import TreatmentOrder
from reports import sql

# `sessions`: the infusion sessions of the range's bookings at the chosen sites, of the chosen
# product (the session's order's), with their booking's `local_day`, `site_id` and the `product_id`.
SESSIONS = (
    "WITH "
    + sql.BOOKINGS_IN_RANGE
    + f""",
sessions AS (
    SELECT se.*, b.day AS local_day, b.site_id, o.product_id
    FROM range_bookings b
    JOIN {InfusionSession._meta.db_table} se ON se.booking_id = b.id
    JOIN {TreatmentOrder._meta.db_table} o ON o.id = se.order_id
    WHERE %(product)s::bigint IS NULL OR o.product_id = %(product)s::bigint
)"""
)

# A share as a percentage to one decimal place; NULL when nothing was counted.
PERCENT = "round(100.0 * ({part}) / NULLIF({whole}, 0), 1)"


def plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with numbers as int or float and dates as ISO text, as the registry wants them."""

    def one(value):
        if isinstance(value, Decimal):
            return (
                int(value)
                if value == value.to_integral_value() and value.as_tuple().exponent == 0
                else float(value)
            )
        if isinstance(value, date):
            return value.isoformat()
        return value

    return [{key: one(value) for key, value in row.items()} for row in rows]
