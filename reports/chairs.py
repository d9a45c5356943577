"""Chairs: scheduled and actual utilisation, and occupancy by hour of day and weekday.

Two queries whatever the range: one with GROUPING SETS for the day, weekday, chair type, site and total
tables, one for the heat map.
"""

from reports import sql
from reports.registry import Chart, Column, Report, Table, register
from scheduling.models import ChairKind

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

DEFINITION = (
    "Open chair-minutes: for each local day a site is open (its weekday has opening hours and no closure "
    "covers it), the grid slots from opening to closing (local wall-clock time, so a DST day is open as "
    "long as any other) times the grid, times the site's active chairs; the calendar's own count, as in "
    "the week view. Booked chair-minutes: the length of every booking that holds a chair (any status "
    "but cancelled and no-show), on the local day it starts. Infused chair-minutes: infusion start to "
    "end of every session that has ended, on its booking's local day. Scheduled utilisation = booked / "
    "open; actual utilisation = infused / open. Occupancy (heat map): per weekday and local hour, the "
    "booked chair-minutes inside that hour over the open chair-minutes of that hour, summed over the "
    "range."
)

MEASURES = (
    Column("open_chair_minutes", "Open chair-minutes", "int"),
    Column("booked_chair_minutes", "Booked chair-minutes", "int"),
    Column("infused_chair_minutes", "Infused chair-minutes", "int"),
    Column("scheduled_pct", "Scheduled utilisation", "percent"),
    Column("actual_pct", "Actual utilisation", "percent"),
)
UTILISATION = ("scheduled_pct", "actual_pct")

UTILISATION_SQL = (
    "WITH "
    + ",".join((sql.OPEN_DAYS, sql.ACTIVE_CHAIRS, sql.BOOKINGS_IN_RANGE))
    + """,
open_kind AS (
    SELECT od.site_id, od.day, ac.kind, od.slot_count * od.grid * ac.chairs AS open_minutes
    FROM open_days od JOIN active_chairs ac ON ac.site_id = od.site_id
),
booked AS (
    SELECT b.site_id, b.day, c.kind, sum(extract(epoch FROM b."end" - b.start) / 60) AS booked_minutes
    FROM range_bookings b JOIN {chair} c ON c.id = b.chair_id
    WHERE b.status <> ALL(%(inactive)s)
    GROUP BY 1, 2, 3
),
infused AS (
    SELECT b.site_id, b.day, c.kind,
           sum(extract(epoch FROM s.ended_at - s.started_at) / 60) AS infused_minutes
    FROM range_bookings b
    JOIN {chair} c ON c.id = b.chair_id
    JOIN {session} s ON s.booking_id = b.id
    WHERE s.started_at IS NOT NULL AND s.ended_at IS NOT NULL
    GROUP BY 1, 2, 3
),
every_day AS (  -- each day of the range once per site, so closed days are rows too
    SELECT s.id AS site_id, d::date AS day, NULL::varchar AS kind, 0 AS open_minutes,
           0 AS booked_minutes, 0 AS infused_minutes
    FROM {site} s CROSS JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 day') d
    WHERE s.id = ANY(%(sites)s)
),
grain AS (
    SELECT site_id, day, kind, coalesce(o.open_minutes, 0) AS open_minutes,
           coalesce(bk.booked_minutes, 0) AS booked_minutes, coalesce(i.infused_minutes, 0) AS infused_minutes
    FROM open_kind o
    FULL JOIN booked bk USING (site_id, day, kind)
    FULL JOIN infused i USING (site_id, day, kind)
    UNION ALL SELECT * FROM every_day
),
grouped AS (
    SELECT CASE WHEN GROUPING(g.day) = 0 THEN 'by_day' WHEN GROUPING(g.weekday) = 0 THEN 'by_weekday'
                WHEN GROUPING(g.kind) = 0 THEN 'by_chair_type' WHEN GROUPING(g.site_id) = 0 THEN 'by_site'
                ELSE 'total' END AS grouping,
           g.day, g.weekday, g.kind, g.site_id,
           sum(g.open_minutes) AS open_m, sum(g.booked_minutes) AS booked_m,
           sum(g.infused_minutes) AS infused_m
    FROM (SELECT *, extract(isodow FROM day)::int - 1 AS weekday FROM grain) g
    GROUP BY GROUPING SETS ((g.day), (g.weekday), (g.kind), (g.site_id), ())
)
SELECT gr.grouping, gr.day::text AS day, gr.weekday, gr.kind, s.name AS site,
       round(gr.open_m)::int AS open_chair_minutes,
       round(gr.booked_m)::int AS booked_chair_minutes,
       round(gr.infused_m)::int AS infused_chair_minutes,
       round(100 * gr.booked_m / nullif(gr.open_m, 0), 1)::float8 AS scheduled_pct,
       round(100 * gr.infused_m / nullif(gr.open_m, 0), 1)::float8 AS actual_pct
FROM grouped gr LEFT JOIN {site} s ON s.id = gr.site_id
WHERE NOT (gr.grouping = 'by_chair_type' AND gr.kind IS NULL)
ORDER BY gr.grouping, gr.day, gr.weekday, gr.kind, s.name
""".format(**sql.TABLES)
)

HEATMAP_SQL = (
    "WITH "
    + ",".join((sql.OPEN_DAYS, sql.OPEN_SLOTS, sql.ACTIVE_CHAIRS, sql.SLOT_LOAD))
    + """,
site_chairs AS (SELECT site_id, sum(chairs) AS chairs FROM active_chairs GROUP BY site_id),
hours AS (
    SELECT extract(isodow FROM sl.day)::int - 1 AS weekday,
           extract(hour FROM sl.slot_start AT TIME ZONE sl.tz)::int AS hour,
           sl.grid * sc.chairs AS open_minutes, sl.grid * sl.patients AS booked_minutes
    FROM slot_load sl JOIN site_chairs sc ON sc.site_id = sl.site_id
)
SELECT weekday, hour, sum(open_minutes)::int AS open_chair_minutes,
       sum(booked_minutes)::int AS booked_chair_minutes,
       round(100.0 * sum(booked_minutes) / nullif(sum(open_minutes), 0), 1)::float8 AS occupancy_pct
FROM hours
GROUP BY 1, 2
ORDER BY 1, 2
"""
)


def chairs_rows(params) -> dict[str, list[dict]]:
    values = sql.base_params(params)
    out: dict[str, list[dict]] = {
        "by_day": [],
        "by_weekday": [],
        "by_chair_type": [],
        "by_site": [],
        "total": [],
    }
    kinds = dict(ChairKind.choices)
    for row in sql.rows(UTILISATION_SQL, values):
        grouping = row.pop("grouping")
        label = {
            "by_day": row["day"],
            "by_weekday": WEEKDAYS[row["weekday"]] if row["weekday"] is not None else None,
            "by_chair_type": kinds.get(row["kind"], row["kind"]),
            "by_site": row["site"],
            "total": "All",
        }[grouping]
        out[grouping].append({"label": label, **{c.key: row[c.key] for c in MEASURES}})
    out["occupancy"] = [
        {**row, "weekday": WEEKDAYS[row["weekday"]], "hour": f"{row['hour']:02d}:00"}
        for row in sql.rows(HEATMAP_SQL, values)
    ]
    return out


def _table(key: str, title: str, label: str, kind: str, chart: str = "bar") -> Table:
    return Table(
        key=key,
        title=title,
        columns=(Column("label", label, kind), *MEASURES),
        chart=Chart(chart, x="label", y=UTILISATION, unit="%"),
    )


register(
    Report(
        slug="chairs",
        title="Chairs",
        definition=DEFINITION,
        tables=(
            _table("by_day", "Utilisation by day", "Day", "date", chart="line"),
            _table("by_weekday", "Utilisation by weekday", "Weekday", "text"),
            _table("by_chair_type", "Utilisation by chair type", "Chair type", "text"),
            _table("by_site", "Utilisation by site", "Site", "text"),
            Table(
                key="occupancy",
                title="Occupancy by hour of day and weekday",
                columns=(
                    Column("weekday", "Weekday", "text"),
                    Column("hour", "Hour (local)", "text"),
                    Column("open_chair_minutes", "Open chair-minutes", "int"),
                    Column("booked_chair_minutes", "Booked chair-minutes", "int"),
                    Column("occupancy_pct", "Occupancy", "percent"),
                ),
                chart=Chart("heatmap", x="hour", rows="weekday", y=("occupancy_pct",), unit="%"),
            ),
            Table(
                key="total",
                title="Utilisation, whole range",
                columns=(Column("label", "", "text"), *MEASURES),
            ),
        ),
        compute=chairs_rows,
    )
)
