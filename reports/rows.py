"""What the Safety, Authorizations and Drug reports' SQL shares: running a statement into dicts, the
filter of the report's range on a row's own site's local day, and the sessions a report counts.

The range is local days (`date_from` to `date_to`, both included). A booking counts on the local day of
its start at its own site (`scheduling_site.time_zone`), so a New York infusion at 23:30 on the day
clocks change is that day's, whatever UTC says. The UTC bounds (`lo`, `hi`) only let PostgreSQL walk
the (site, start) index: they are a day wider than any zone on either side.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection

# No zone is more than 14 hours from UTC; a day either side is plenty.
_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    """Which rows a report reads: sites (ids), local days, and products (ids; None: all)."""

    site_ids: tuple[int, ...]
    date_from: date
    date_to: date
    product_ids: tuple[int, ...] | None = None

    def params(self, **more: Any) -> dict[str, Any]:
        lo = datetime.combine(self.date_from, time(0), tzinfo=UTC) - _SLACK
        hi = datetime.combine(self.date_to + timedelta(days=1), time(0), tzinfo=UTC) + _SLACK
        return {
            "sites": list(self.site_ids),
            "date_from": self.date_from,
            "date_to": self.date_to,
            "products": list(self.product_ids) if self.product_ids is not None else None,
            "lo": lo,
            "hi": hi,
            **more,
        }


def fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Run one statement; return its rows as dicts keyed by column name."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sessions_in_scope(*, joins: str = "") -> str:
    """FROM and WHERE of the infusion sessions of the scope: their bookings at its sites, on its local
    days, of its products (the session's order's). Aliases: `se` the session, `b` its booking, `st`
    the booking's site, `o` the order; `joins` adds more tables before the WHERE."""
    return f"""
    FROM infusions_infusionsession se
    JOIN scheduling_booking b ON b.id = se.booking_id
    JOIN scheduling_site st ON st.id = b.site_id
    JOIN infusions_treatmentorder o ON o.id = se.order_id
    {joins}
    WHERE b.site_id = ANY(%(sites)s)
      AND b.start >= %(lo)s AND b.start < %(hi)s
      AND (b.start AT TIME ZONE st.time_zone)::date BETWEEN %(date_from)s AND %(date_to)s
      AND (%(products)s::bigint[] IS NULL OR o.product_id = ANY(%(products)s::bigint[]))
"""


# A share as a percentage to one decimal place; NULL when nothing was counted.
PERCENT = "round(100.0 * ({part}) / NULLIF({whole}, 0), 1)"
