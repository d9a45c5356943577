"""Flow: no-shows, late cancellations, chair wait, planned against actual infusion time, overrun.

One query whatever the range (GROUPING SETS by week, site and the whole range).
"""

from reports import sql
from reports.registry import Chart, Column, Report, Table, register
from scheduling.models import BookingEventKind, BookingStatus

ATTENDED = [BookingStatus.CHECKED_IN.value, BookingStatus.IN_PROGRESS.value, BookingStatus.COMPLETED.value]

DEFINITION = (
    "Bookings of the chosen sites that start on a chosen local day (at their site), every status; with a "
    "product, only bookings of that product's orders (the cycle's order, or the session's). No-show rate "
    "= no-shows / (no-shows + bookings the patient came to: checked in, in progress or completed); "
    "bookings still booked are in neither. Late cancellation: a cancelled booking whose cancellation "
    "was recorded less than 24 hours before its start; the share is of all bookings. Chair wait: check-in "
    "to infusion start, over sessions that started (median and 90th percentile, minutes). Planned "
    "infusion time: the sum of the plan's rate steps at check-in; actual: infusion start to end; over "
    "sessions that ended (averages, and the median of actual minus planned). Overrun: a discharged "
    "session whose discharge came after its booking's end (the booked slot, observation included); the "
    "share is of discharged sessions, the minutes are the average over those that overran. Weeks start "
    "on Monday."
)

FLOW_SQL = (
    "WITH "
    + sql.BOOKINGS_IN_RANGE
    + """,
visits AS (
    SELECT b.id, b.site_id, b.day, b.status, b.start, b."end",
           (SELECT max(e.at) FROM {booking_event} e
             WHERE e.booking_id = b.id AND e.kind = %(cancel_kind)s) AS cancelled_at,
           s.checked_in_at, s.started_at, s.ended_at, s.discharged_at,
           (SELECT sum((st->>'minutes')::numeric) FROM jsonb_array_elements(s.plan_steps) st
             WHERE st->>'minutes' ~ '^[0-9]+(\\.[0-9]+)?$') AS planned_minutes
    FROM range_bookings b
    LEFT JOIN {session} s ON s.booking_id = b.id
    LEFT JOIN {cycle_day} cd ON cd.booking_id = b.id
    WHERE %(product)s::bigint IS NULL
       OR %(product)s::bigint IN (
           SELECT o.product_id FROM {order} o WHERE o.id IN (s.order_id, cd.order_id)
       )
),
measured AS (
    SELECT *,
           date_trunc('week', day)::date AS week,
           status = ANY(%(attended)s) AS attended,
           status = %(no_show)s AS no_show,
           status = %(cancelled)s AS cancelled,
           status = %(cancelled)s AND cancelled_at > start - interval '24 hours' AS late_cancel,
           extract(epoch FROM started_at - checked_in_at) / 60 AS wait_minutes,
           CASE WHEN ended_at IS NOT NULL THEN extract(epoch FROM ended_at - started_at) / 60 END
               AS actual_minutes,
           CASE WHEN discharged_at IS NOT NULL THEN extract(epoch FROM discharged_at - "end") / 60 END
               AS over_minutes
    FROM visits
)
SELECT CASE WHEN GROUPING(m.week) = 0 THEN 'by_week' WHEN GROUPING(m.site_id) = 0 THEN 'by_site'
            ELSE 'total' END AS grouping,
       m.week::text AS week, st.name AS site,
       count(*) AS bookings,
       count(*) FILTER (WHERE attended) AS attended,
       count(*) FILTER (WHERE no_show) AS no_shows,
       round(100.0 * count(*) FILTER (WHERE no_show)
             / nullif(count(*) FILTER (WHERE no_show OR attended), 0), 1)::float8 AS no_show_pct,
       count(*) FILTER (WHERE cancelled) AS cancellations,
       count(*) FILTER (WHERE late_cancel) AS late_cancellations,
       round(100.0 * count(*) FILTER (WHERE late_cancel) / nullif(count(*), 0), 1)::float8 AS late_cancel_pct,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_minutes)::numeric, 1)::float8 AS wait_median,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY wait_minutes)::numeric, 1)::float8 AS wait_p90,
       round(avg(planned_minutes) FILTER (WHERE actual_minutes IS NOT NULL), 1)::float8 AS planned_mean,
       round(avg(actual_minutes)::numeric, 1)::float8 AS actual_mean,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY actual_minutes - planned_minutes))::numeric,
             1)::float8
           AS infusion_diff_median,
       count(*) FILTER (WHERE over_minutes IS NOT NULL) AS discharged,
       count(*) FILTER (WHERE over_minutes > 0) AS overruns,
       round(100.0 * count(*) FILTER (WHERE over_minutes > 0)
             / nullif(count(*) FILTER (WHERE over_minutes IS NOT NULL), 0), 1)::float8 AS overrun_pct,
       round(avg(over_minutes) FILTER (WHERE over_minutes > 0)::numeric, 1)::float8 AS overrun_mean
FROM measured m LEFT JOIN {site} st ON st.id = m.site_id
GROUP BY GROUPING SETS ((m.week), (m.site_id, st.name), ())
ORDER BY 1, 2, 3
""".format(**sql.TABLES)
)

MEASURES = (
    Column("bookings", "Bookings", "int"),
    Column("attended", "Came", "int"),
    Column("no_shows", "No-shows", "int"),
    Column("no_show_pct", "No-show rate", "percent"),
    Column("cancellations", "Cancelled", "int"),
    Column("late_cancellations", "Cancelled < 24 h before", "int"),
    Column("late_cancel_pct", "Late cancellation share", "percent"),
    Column("wait_median", "Chair wait, median (min)", "minutes"),
    Column("wait_p90", "Chair wait, p90 (min)", "minutes"),
    Column("planned_mean", "Planned infusion, average (min)", "minutes"),
    Column("actual_mean", "Actual infusion, average (min)", "minutes"),
    Column("infusion_diff_median", "Actual - planned, median (min)", "minutes"),
    Column("discharged", "Discharged", "int"),
    Column("overruns", "Overran the booking", "int"),
    Column("overrun_pct", "Overrun share", "percent"),
    Column("overrun_mean", "Overrun, average (min)", "minutes"),
)


def flow_rows(params) -> dict[str, list[dict]]:
    values = sql.base_params(params) | {
        "attended": ATTENDED,
        "no_show": BookingStatus.NO_SHOW.value,
        "cancelled": BookingStatus.CANCELLED.value,
        "cancel_kind": BookingEventKind.CANCELLED.value,
    }
    out: dict[str, list[dict]] = {"by_week": [], "by_site": [], "total": []}
    for row in sql.rows(FLOW_SQL, values):
        grouping = row.pop("grouping")
        label = {"by_week": row["week"], "by_site": row["site"], "total": "All"}[grouping]
        out[grouping].append({"label": label, **{c.key: row[c.key] for c in MEASURES}})
    return out


def _table(key: str, title: str, label: str, kind: str, chart: Chart | None) -> Table:
    return Table(key=key, title=title, columns=(Column("label", label, kind), *MEASURES), chart=chart)


register(
    Report(
        slug="flow",
        title="Flow",
        definition=DEFINITION,
        tables=(
            _table(
                "by_week",
                "Flow by week",
                "Week of",
                "date",
                Chart("bar", x="label", y=("no_show_pct", "late_cancel_pct", "overrun_pct"), unit="%"),
            ),
            _table(
                "by_site",
                "Flow by site",
                "Site",
                "text",
                Chart("bar", x="label", y=("wait_median", "planned_mean", "actual_mean"), unit=" min"),
            ),
            _table("total", "Flow, whole range", "", "text", None),
        ),
        compute=flow_rows,
        uses_product=True,
    )
)
