"""Running a report's SQL, and the calendar's open time written once in SQL for every report.

Reports aggregate in PostgreSQL (generate_series, GROUPING SETS, FILTER, percentile_cont); Python only
renders what comes back. Table names come from the models, statuses from their choices, so a report
restates neither.

`OPEN_DAYS` and `OPEN_SLOTS` are the calendar's own definition of open time (`scheduling.availability
.day_grid`, the week view's utilisation): a site is open on a local day when its weekday has opening
hours and no closure covers the day; the day holds floor((closes - opens) / grid) grid slots from the
opening instant (wall-clock times in the site's zone, so a DST day is still 07:00-19:00 local), and each
active chair is open for every slot. `tests/reports/test_sql.py` holds them to `scheduling.selectors
.site_days` on a DST week.
"""

from typing import Any

from django.db import connection

from charting.models import InfusionSession
from infusions.models import CycleDay, TreatmentOrder
from scheduling.models import (
    INACTIVE_STATUSES,
    MAX_SESSION,
    Booking,
    BookingEvent,
    Chair,
    Closure,
    NurseShift,
    OpeningHours,
    Site,
)

TABLES = {
    "site": Site._meta.db_table,
    "hours": OpeningHours._meta.db_table,
    "closure": Closure._meta.db_table,
    "chair": Chair._meta.db_table,
    "booking": Booking._meta.db_table,
    "booking_event": BookingEvent._meta.db_table,
    "shift": NurseShift._meta.db_table,
    "session": InfusionSession._meta.db_table,
    "cycle_day": CycleDay._meta.db_table,
    "order": TreatmentOrder._meta.db_table,
}

# Booked but not holding a chair (the calendar's INACTIVE_STATUSES): cancelled and no-show.
INACTIVE = [str(status) for status in INACTIVE_STATUSES]

# Each open local day of each chosen site, %(sites)s, from %(start)s to %(end)s: its bounds (local
# midnight to midnight, 23 or 25 hours across DST), its opening instant and how many grid slots it holds.
OPEN_DAYS = """
open_days AS (
    SELECT s.id AS site_id, s.time_zone AS tz, s.grid_minutes AS grid, d.day,
           d.day::timestamp AT TIME ZONE s.time_zone AS day_start,
           (d.day + 1)::timestamp AT TIME ZONE s.time_zone AS day_end,
           (d.day + oh.opens) AT TIME ZONE s.time_zone AS opens_at,
           floor(extract(epoch FROM ((d.day + oh.closes) AT TIME ZONE s.time_zone)
                                  - ((d.day + oh.opens) AT TIME ZONE s.time_zone))
                 / (60 * s.grid_minutes))::int AS slot_count
    FROM {site} s
    CROSS JOIN LATERAL (
        SELECT g::date AS day FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') g
    ) d
    JOIN {hours} oh ON oh.site_id = s.id AND oh.weekday = extract(isodow FROM d.day)::int - 1
    WHERE s.id = ANY(%(sites)s)
      AND NOT EXISTS (
          SELECT 1 FROM {closure} c WHERE c.site_id = s.id AND d.day BETWEEN c.starts_on AND c.ends_on
      )
)
""".format(**TABLES)

# Each grid slot of each open day: [slot_start, slot_end), its local hour and time of day.
OPEN_SLOTS = """
open_slots AS (
    SELECT od.site_id, od.tz, od.grid, od.day, i,
           od.opens_at + make_interval(mins => i * od.grid) AS slot_start,
           od.opens_at + make_interval(mins => (i + 1) * od.grid) AS slot_end
    FROM open_days od
    CROSS JOIN LATERAL generate_series(0, od.slot_count - 1) i
)
"""

# The calendar's load of each slot (`scheduling.availability.day_grid`), for every slot of OPEN_SLOTS:
# patients = bookings holding a chair that overlap the slot (a part-slot booking holds the slot);
# starts = those starting exactly at the slot's start; nurses = shifts covering the whole slot. Counted
# as +1/-1 at each booking's and shift's first and last slot and summed over the day (a window
# function), so the cost is one row per booking and shift, not per booking and slot.
SLOT_LOAD = """
slot_bookings AS (
    SELECT od.site_id, od.day,
           greatest(0, floor(extract(epoch FROM b.start - od.opens_at) / (60 * od.grid)))::int AS lo,
           least(od.slot_count, ceil(extract(epoch FROM b."end" - od.opens_at) / (60 * od.grid)))::int AS hi,
           (b.start >= od.opens_at
            AND mod(extract(epoch FROM b.start - od.opens_at)::bigint, 60 * od.grid) = 0) AS on_grid
    FROM open_days od CROSS JOIN LATERAL (
        -- the day's bookings: those starting within its local bounds, through the (site, start) index
        SELECT b.start, b."end" FROM {booking} b
        WHERE b.site_id = od.site_id AND b.start >= od.day_start AND b.start < od.day_end
          AND b.status <> ALL(%(inactive)s)
        OFFSET 0  -- keeps the planner from flattening this into a join of every booking with every day
    ) b
),
slot_shifts AS (
    SELECT od.site_id, od.day,
           greatest(0, ceil(extract(epoch FROM n.start - od.opens_at) / (60 * od.grid)))::int AS lo,
           least(od.slot_count, floor(extract(epoch FROM n."end" - od.opens_at) / (60 * od.grid)))::int AS hi
    FROM open_days od CROSS JOIN LATERAL (
        -- per open day, through the (site, start) index; a shift longer than a day is not a shift
        SELECT n.start, n."end" FROM {shift} n
        WHERE n.site_id = od.site_id AND n.start > od.opens_at - interval '24 hours'
          AND n.start < od.opens_at + make_interval(mins => od.slot_count * od.grid) AND n."end" > od.opens_at
        OFFSET 0  -- keeps the planner from flattening this into a join of every shift with every day
    ) n
),
slot_deltas AS (
    SELECT site_id, day, i, sum(dp) AS dp, sum(dn) AS dn, sum(ds) AS ds FROM (
        SELECT site_id, day, lo AS i, 1 AS dp, 0 AS dn, on_grid::int AS ds FROM slot_bookings WHERE hi > lo
        UNION ALL SELECT site_id, day, hi, -1, 0, 0 FROM slot_bookings WHERE hi > lo
        UNION ALL SELECT site_id, day, lo, 0, 1, 0 FROM slot_shifts WHERE hi > lo
        UNION ALL SELECT site_id, day, hi, 0, -1, 0 FROM slot_shifts WHERE hi > lo
    ) d GROUP BY site_id, day, i
),
slot_load AS (
    SELECT os.site_id, os.tz, os.grid, os.day, os.i, os.slot_start,
           (sum(coalesce(sd.dp, 0)) OVER day_slots)::int AS patients,
           (sum(coalesce(sd.dn, 0)) OVER day_slots)::int AS nurses,
           coalesce(sd.ds, 0)::int AS starts
    FROM open_slots os LEFT JOIN slot_deltas sd USING (site_id, day, i)
    WINDOW day_slots AS (PARTITION BY os.site_id, os.day ORDER BY os.i)
)
""".format(**TABLES)

# Active chairs of each site by kind: the chairs that are open while the site is.
ACTIVE_CHAIRS = """
active_chairs AS (
    SELECT site_id, kind, count(*) AS chairs FROM {chair}
    WHERE is_active AND site_id = ANY(%(sites)s) GROUP BY site_id, kind
)
""".format(**TABLES)

# Bookings of the chosen sites whose start falls on a chosen local day (at the booking's site), with
# that day: those starting from the site's local midnight of `start` to its local midnight after `end`.
# Each site's two instants are computed once, so the (site, start) index reads just the range and no row
# is converted to local time to be chosen (a year of ten sites: 2.5 times faster than comparing each
# booking's local date).
BOOKINGS_IN_RANGE = """
range_bookings AS (
    SELECT b.*, (b.start AT TIME ZONE s.time_zone)::date AS day
    FROM (
        SELECT id, time_zone,
               %(start)s::date::timestamp AT TIME ZONE time_zone AS range_starts,
               (%(end)s::date + 1)::timestamp AT TIME ZONE time_zone AS range_ends
        FROM {site} WHERE id = ANY(%(sites)s)
    ) s
    JOIN {booking} b ON b.site_id = s.id AND b.start >= s.range_starts AND b.start < s.range_ends
)
""".format(**TABLES)


def base_params(params) -> dict[str, Any]:
    """The SQL parameters every report takes from its filters."""
    return {
        "sites": params.site_ids,
        "start": params.start,
        "end": params.end,
        "product": params.product.pk if params.product is not None else None,
        "inactive": INACTIVE,
        # No booking is longer: bounds overlap lookups so the (site, start) index serves them.
        "max_session": MAX_SESSION,
    }


def rows(sql: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    """Run one query; its rows as dicts keyed by column name."""
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        names = [col.name for col in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
