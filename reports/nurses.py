"""Nurses: patients per nurse by hour of day, and infusion starts per grid slot against the start limit.

One query whatever the range: the calendar's slots (`reports.sql.OPEN_SLOTS`) with their patients,
starts and nurses, grouped by local hour and by local time of day (GROUPING SETS).
"""

from reports import sql
from reports.registry import Chart, Column, Report, Table, register

DEFINITION = (
    "Over every grid slot of every open local day of the chosen sites (the calendar's slots: 15 minutes "
    "on the default grid): patients = bookings holding a chair (any status but cancelled and no-show) "
    "that overlap the slot; nurses = nurse shifts that cover the whole slot; starts = bookings holding a "
    "chair that start in the slot. These are the calendar's own rules for nurse capacity and the start "
    "limit (scheduling/capacity.py). Patients per nurse = patients / nurses, over the slots with a nurse; "
    "by local hour of the slot's start, its average and its peak (the most in any one slot). Slots "
    "with patients and no nurse are counted apart. Start limit = nurses x the site's starts per nurse "
    "per slot; by local time of day, the average and peak starts, the tightest start limit that time "
    "had, and how many slots started more than their limit."
)

NURSES_SQL = (
    "WITH "
    + ",".join((sql.OPEN_DAYS, sql.OPEN_SLOTS, sql.SLOT_LOAD))
    + """,
slots AS (
    SELECT sl.*, st.patients_per_nurse,
           extract(hour FROM sl.slot_start AT TIME ZONE sl.tz)::int AS hour,
           to_char(sl.slot_start AT TIME ZONE sl.tz, 'HH24:MI') AS time_of_day,
           sl.patients::numeric / nullif(sl.nurses, 0) AS per_nurse,
           sl.nurses * st.starts_per_nurse_per_slot AS start_limit
    FROM slot_load sl JOIN {site} st ON st.id = sl.site_id
)
SELECT CASE WHEN GROUPING(hour) = 0 THEN 'by_hour' ELSE 'starts' END AS grouping,
       hour, time_of_day, count(*) AS slots,
       round(avg(patients), 2)::float8 AS patients_mean,
       max(patients) AS patients_peak,
       round(avg(nurses), 2)::float8 AS nurses_mean,
       round(avg(per_nurse), 2)::float8 AS per_nurse_mean,
       round(max(per_nurse), 2)::float8 AS per_nurse_peak,
       min(patients_per_nurse) AS per_nurse_limit,
       count(*) FILTER (WHERE patients > 0 AND nurses = 0) AS unstaffed_slots,
       round(avg(starts), 2)::float8 AS starts_mean,
       max(starts) AS starts_peak,
       min(start_limit) AS start_limit_min,
       count(*) FILTER (WHERE starts > start_limit) AS over_limit_slots
FROM slots
GROUP BY GROUPING SETS ((hour), (time_of_day))
ORDER BY 1, 2, 3
""".format(**sql.TABLES)
)

HOUR_COLUMNS = (
    Column("hour", "Hour (local)", "text"),
    Column("slots", "Slots", "int"),
    Column("patients_mean", "Patients, average", "number"),
    Column("patients_peak", "Patients, peak", "int"),
    Column("nurses_mean", "Nurses, average", "number"),
    Column("per_nurse_mean", "Patients per nurse, average", "number"),
    Column("per_nurse_peak", "Patients per nurse, peak", "number"),
    Column("per_nurse_limit", "Patients per nurse allowed", "int"),
    Column("unstaffed_slots", "Slots with patients and no nurse", "int"),
)
START_COLUMNS = (
    Column("time_of_day", "Slot (local)", "text"),
    Column("slots", "Slots", "int"),
    Column("starts_mean", "Starts, average", "number"),
    Column("starts_peak", "Starts, peak", "int"),
    Column("start_limit_min", "Start limit (tightest)", "int"),
    Column("over_limit_slots", "Slots over the limit", "int"),
)


def nurses_rows(params) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"by_hour": [], "starts": []}
    for row in sql.rows(NURSES_SQL, sql.base_params(params)):
        grouping = row.pop("grouping")
        if grouping == "by_hour":
            row["hour"] = f"{row['hour']:02d}:00"
            out["by_hour"].append({c.key: row[c.key] for c in HOUR_COLUMNS})
        else:
            out["starts"].append({c.key: row[c.key] for c in START_COLUMNS})
    return out


register(
    Report(
        slug="nurses",
        title="Nurses",
        definition=DEFINITION,
        tables=(
            Table(
                key="by_hour",
                title="Patients per nurse by hour",
                columns=HOUR_COLUMNS,
                chart=Chart("bar", x="hour", y=("per_nurse_mean", "per_nurse_peak"), limit="per_nurse_limit"),
            ),
            Table(
                key="starts",
                title="Starts per slot against the start limit",
                columns=START_COLUMNS,
                chart=Chart(
                    "bar", x="time_of_day", y=("starts_mean", "starts_peak"), limit="start_limit_min"
                ),
            ),
        ),
        compute=nurses_rows,
    )
)
