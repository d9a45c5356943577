"""Authorizations: turnaround from submission to decision, the CMS-0057-F clocks, first-pass approvals,
pended requests, units authorized and used, authorizations about to expire.

One statement whatever the range; the definition below is shown beside the charts and in the README.
"""

from datetime import datetime

from django.utils import timezone

from insurance.models import DECISION_WINDOWS, GRANTED, AuthStatus, Urgency
from reports import sql
from reports.registry import Chart, Column, Report, Table, register
from reports.rows import PERCENT, jsonb_rows, tables

EXPIRING_DAYS = 30

DEFINITION = (
    "Authorizations are the payer's, not a site's: one is in the chosen sites' report when its patient "
    "has a booking (any status, any day) at one of them, so a patient never booked anywhere is in no "
    "site's report; with a product, only requests for that product's HCPCS code. Local days are those "
    "of the first chosen site's zone. The cohort: requests first submitted (the earliest move to "
    "submitted) on a day of the range. Their decision is the payer's first approval, partial approval "
    "or denial (a pend asks for information and is not a decision; a decision on appeal is not "
    "counted). Turnaround: hours from the first submission to the decision, median and 90th percentile "
    "(interpolated), by payer and urgency. Decided within the clock (CMS-0057-F): no later than 72 hours "
    "(expedited) or 7 calendar days (standard) after the submission it answered (the latest before it: "
    "a resubmission after a pend restarts the clock, as the worklist's due time does), over decided "
    "requests. Approved on first submission: the payer's first answer is an approval or a partial "
    "approval (not a pend, not a denial), over decided requests. Pended: requests pended now, aged from "
    "their latest pend, whatever the range. Units: authorizations granted (approved, partially approved, "
    "or since expired) whose valid dates overlap the range; units approved against units used (given) "
    "and reserved (booked) over the authorization's life. Expiring: approved or partially approved "
    "authorizations whose last valid day is today or within the next 30 days (local today), with the "
    "units they have left (approved less used and reserved)."
)

_ZONE = "(SELECT time_zone FROM scheduling_site WHERE id = ANY(%(sites)s) ORDER BY id LIMIT 1)"

_IN_SCOPE = """
    EXISTS (
        SELECT 1 FROM scheduling_booking b
        WHERE b.patient_id = a.patient_id AND b.site_id = ANY(%(sites)s)
    )
    AND (
        %(product)s::bigint IS NULL
        OR a.hcpcs_code = (SELECT hcpcs_code FROM infusions_product WHERE id = %(product)s::bigint)
    )
"""

# Each table is a CTE of one statement; its first row is its total (GROUPING SETS' empty set, there even
# when nothing is counted).
_STATEMENT = f"""
WITH scoped AS MATERIALIZED (
    SELECT a.id, a.payer_id, a.urgency, a.status, a.submitted_at, a.units_approved, a.valid_from,
           a.valid_to
    FROM insurance_priorauthorization a
    WHERE {_IN_SCOPE}
),
requests AS (
    -- submitted_at is the latest submission, no earlier than the first.
    SELECT a.id, a.payer_id, a.urgency FROM scoped a
    WHERE a.submitted_at >= %(start)s::date - interval '1 day'
),
answers AS (
    SELECT e.authorization_id AS id,
           min(e.at) FILTER (WHERE e.to_status = 'submitted') AS submitted_at,
           min(e.at) FILTER (WHERE e.to_status = ANY(%(decisions)s)) AS decided_at,
           (array_agg(e.to_status ORDER BY e.at, e.id)
                FILTER (WHERE e.to_status = ANY(%(answers)s)))[1] AS first_answer
    FROM insurance_authorizationevent e
    JOIN requests ON requests.id = e.authorization_id
    WHERE e.kind = 'transition'
    GROUP BY e.authorization_id
),
cohort AS (
    SELECT requests.*, answers.submitted_at, answers.decided_at, answers.first_answer,
           extract(epoch FROM answers.decided_at - answers.submitted_at) / 3600.0 AS hours,
           (
               SELECT max(e.at) FROM insurance_authorizationevent e
               WHERE e.authorization_id = requests.id AND e.kind = 'transition'
                 AND e.to_status = 'submitted' AND e.at <= answers.decided_at
           ) AS answered_submission
    FROM requests JOIN answers ON answers.id = requests.id
    WHERE (answers.submitted_at AT TIME ZONE {_ZONE})::date BETWEEN %(start)s AND %(end)s
),
turnaround_counted AS (
    SELECT cohort.payer_id, py.name AS payer, cohort.urgency, grouping(cohort.payer_id) = 1 AS total,
           count(*) AS submitted,
           count(decided_at) AS decided,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::numeric, 1) AS median_hours,
           round(percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)::numeric, 1) AS p90_hours,
           count(*) FILTER (
               WHERE decided_at <= answered_submission + CASE cohort.urgency
                   WHEN 'expedited' THEN %(expedited)s::interval ELSE %(standard)s::interval END
           ) AS decided_in_time,
           count(*) FILTER (WHERE first_answer = ANY(%(granted)s)) AS approved_first
    FROM cohort JOIN insurance_payer py ON py.id = cohort.payer_id
    GROUP BY GROUPING SETS ((), (cohort.payer_id, py.name, cohort.urgency))
),
turnaround AS (
    SELECT *,
           {PERCENT.format(part="decided_in_time", whole="decided")} AS decided_in_time_rate,
           {PERCENT.format(part="approved_first", whole="decided")} AS approved_first_rate
    FROM turnaround_counted
),
pended_now AS (
    SELECT a.payer_id,
           extract(epoch FROM %(now)s - (
               SELECT max(e.at) FROM insurance_authorizationevent e
               WHERE e.authorization_id = a.id AND e.kind = 'transition' AND e.to_status = 'pended'
           )) / 86400.0 AS age_days
    FROM scoped a
    WHERE a.status = 'pended'
),
pended AS (
    SELECT pended_now.payer_id, py.name AS payer, grouping(pended_now.payer_id) = 1 AS total,
           count(*) AS pended,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY age_days)::numeric, 1) AS median_age_days,
           round(max(age_days)::numeric, 1) AS oldest_age_days
    FROM pended_now JOIN insurance_payer py ON py.id = pended_now.payer_id
    GROUP BY GROUPING SETS ((), (pended_now.payer_id, py.name))
),
granted AS (
    SELECT a.id, a.payer_id, a.units_approved
    FROM scoped a
    WHERE a.status = ANY(%(ever_granted)s) AND a.units_approved IS NOT NULL
      AND a.valid_from <= %(end)s AND a.valid_to >= %(start)s
),
granted_usage AS (
    SELECT u.authorization_id AS id,
           sum(u.units) FILTER (WHERE u.status = 'used') AS used,
           sum(u.units) FILTER (WHERE u.status = 'reserved') AS reserved
    FROM insurance_authorizationusage u JOIN granted ON granted.id = u.authorization_id
    GROUP BY u.authorization_id
),
units_counted AS (
    SELECT granted.payer_id, py.name AS payer, grouping(granted.payer_id) = 1 AS total,
           count(*) AS authorizations,
           coalesce(sum(granted.units_approved), 0) AS units_approved,
           coalesce(sum(granted_usage.used), 0) AS units_used,
           coalesce(sum(granted_usage.reserved), 0) AS units_reserved
    FROM granted
    JOIN insurance_payer py ON py.id = granted.payer_id
    LEFT JOIN granted_usage ON granted_usage.id = granted.id
    GROUP BY GROUPING SETS ((), (granted.payer_id, py.name))
),
units AS (
    SELECT *, {PERCENT.format(part="units_used", whole="units_approved")} AS units_used_rate
    FROM units_counted
),
expiring_soon AS (
    SELECT a.id, a.payer_id, a.valid_to, a.units_approved,
           a.units_approved - coalesce((
               SELECT sum(u.units) FROM insurance_authorizationusage u
               WHERE u.authorization_id = a.id AND u.status <> 'released'
           ), 0) AS units_left
    FROM scoped a
    WHERE a.status = ANY(%(granted)s)
      AND a.valid_to BETWEEN (%(now)s AT TIME ZONE {_ZONE})::date
                         AND (%(now)s AT TIME ZONE {_ZONE})::date + %(expiring_days)s
),
expiring AS (
    SELECT expiring_soon.payer_id, py.name AS payer, grouping(expiring_soon.payer_id) = 1 AS total,
           count(*) AS expiring, sum(units_left) AS units_left, min(valid_to) AS first_valid_to
    FROM expiring_soon JOIN insurance_payer py ON py.id = expiring_soon.payer_id
    GROUP BY GROUPING SETS ((), (expiring_soon.payer_id, py.name))
)
SELECT {jsonb_rows("turnaround", "x.total DESC, x.payer, x.urgency")},
       {jsonb_rows("pended", "x.total DESC, x.payer")},
       {jsonb_rows("units", "x.total DESC, x.payer")},
       {jsonb_rows("expiring", "x.total DESC, x.payer")}
"""


_URGENCY = dict(Urgency.choices)


def authorizations_rows(params, *, now: datetime | None = None) -> dict[str, list[dict]]:
    """The Authorizations report's tables (one statement): turnaround by payer and urgency, pended,
    units and expiring by payer, and the total. Payers and counts only: no patient is named."""
    values = sql.base_params(params) | {
        "now": now or timezone.now(),
        "decisions": [AuthStatus.APPROVED, AuthStatus.PARTIALLY_APPROVED, AuthStatus.DENIED],
        "answers": [AuthStatus.APPROVED, AuthStatus.PARTIALLY_APPROVED, AuthStatus.DENIED, AuthStatus.PENDED],
        "granted": list(GRANTED),
        "ever_granted": [*GRANTED, AuthStatus.EXPIRED],
        "expedited": DECISION_WINDOWS["expedited"],
        "standard": DECISION_WINDOWS["standard"],
        "expiring_days": EXPIRING_DAYS,
    }
    found = tables(_STATEMENT, values)
    turnaround, pended, units, expiring = (
        found[key].pop(0) for key in ("turnaround", "pended", "units", "expiring")
    )
    for row in found["turnaround"]:
        row["label"] = f"{row['payer']}, {_URGENCY[row['urgency']].split(' (')[0].lower()}"
    total = turnaround | {
        "label": "All payers",
        "pended_now": pended["pended"],
        "pended_median_age_days": pended["median_age_days"],
        "units_approved": units["units_approved"],
        "units_used": units["units_used"],
        "units_used_rate": units["units_used_rate"],
        "expiring": expiring["expiring"],
    }
    return found | {"total": [total]}


_TURNAROUND_COLUMNS = (
    Column("submitted", "Submitted", "int"),
    Column("decided", "Decided", "int"),
    Column("median_hours", "Median hours", "number"),
    Column("p90_hours", "90th percentile hours", "number"),
    Column("decided_in_time", "Decided within the clock", "int"),
    Column("decided_in_time_rate", "Within the clock", "percent"),
    Column("approved_first", "Approved on first submission", "int"),
    Column("approved_first_rate", "Approved first time", "percent"),
)

register(
    Report(
        slug="authorizations",
        title="Authorizations",
        definition=DEFINITION,
        tables=(
            Table(
                key="turnaround",
                title="Submission to decision by payer and urgency",
                columns=(Column("label", "Payer, urgency", "text"), *_TURNAROUND_COLUMNS),
                chart=Chart("bar", x="label", y=("median_hours", "p90_hours"), unit=" h"),
            ),
            Table(
                key="pended",
                title="Pended requests now, by payer",
                columns=(
                    Column("payer", "Payer", "text"),
                    Column("pended", "Pended", "int"),
                    Column("median_age_days", "Median age (days)", "number"),
                    Column("oldest_age_days", "Oldest (days)", "number"),
                ),
                chart=Chart("bar", x="payer", y=("median_age_days", "oldest_age_days"), unit=" d"),
            ),
            Table(
                key="units",
                title="Units authorized and used, by payer",
                columns=(
                    Column("payer", "Payer", "text"),
                    Column("authorizations", "Authorizations", "int"),
                    Column("units_approved", "Units approved", "int"),
                    Column("units_used", "Units used", "int"),
                    Column("units_reserved", "Units reserved", "int"),
                    Column("units_used_rate", "Used", "percent"),
                ),
                chart=Chart("bar", x="payer", y=("units_approved", "units_used", "units_reserved")),
            ),
            Table(
                key="expiring",
                title=f"Authorizations expiring within {EXPIRING_DAYS} days, by payer",
                columns=(
                    Column("payer", "Payer", "text"),
                    Column("expiring", "Expiring", "int"),
                    Column("units_left", "Units left", "int"),
                    Column("first_valid_to", "First last valid day", "date"),
                ),
                chart=Chart("bar", x="payer", y=("expiring",)),
            ),
            Table(
                key="total",
                title="All payers",
                columns=(
                    Column("label", "", "text"),
                    *_TURNAROUND_COLUMNS,
                    Column("pended_now", "Pended now", "int"),
                    Column("pended_median_age_days", "Median pended age (days)", "number"),
                    Column("units_approved", "Units approved", "int"),
                    Column("units_used", "Units used", "int"),
                    Column("units_used_rate", "Units used", "percent"),
                    Column("expiring", f"Expiring within {EXPIRING_DAYS} days", "int"),
                ),
            ),
        ),
        compute=authorizations_rows,
        uses_product=True,
    )
)
