"""Authorizations: turnaround from submission to decision, the CMS-0057-F clocks, first-pass approvals,
pended requests, units authorized and used, authorizations about to expire.

Definitions (README, Reports, "Authorizations"):

- an authorization is in the report's **sites** when its patient has a booking (any status, any day)
  at one of them: authorizations are the payer's, not a site's, and a patient never booked anywhere is
  in no site's report. A **product** filter keeps requests for that product's HCPCS code;
- the **local day** of an authorization's times is taken in the zone of the report's first site
  (lowest id);
- the **cohort** is the requests first submitted (the earliest transition to `submitted`) on a local
  day of the range. Its **decision** is the payer's first approval, partial approval or denial; a pend
  asks for information and is not a decision, and a decision after an appeal is not counted;
- **turnaround**: hours from the first submission to the decision, median and 90th percentile
  (`percentile_cont`, interpolated), by payer and urgency ("priority": expedited or standard);
- **decided within the clock**: decided no later than 72 hours (expedited) or 7 days (standard),
  `insurance.models.DECISION_WINDOWS`, after the submission it answered (the latest one before it; a
  resubmission after a pend restarts the clock, as the due time in the worklist does), over the
  decided requests;
- **approved on first submission**: the payer's first answer is an approval or a partial approval
  (not a pend, not a denial), over the decided requests;
- **pended**: requests pended now, aged from their latest pend, whatever the range;
- **units**: granted authorizations (approved, partially approved, or since expired) whose valid
  dates overlap the range; units approved against units used (infusions given) and still reserved
  (booked), over the authorization's whole life;
- **expiring**: approved or partially approved authorizations whose last valid day is today or within
  the next 30 days (local today), with the units they have left.

Four statements, whatever the range.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone

from insurance.models import DECISION_WINDOWS, GRANTED, AuthStatus
from reports.rows import PERCENT, Scope, fetch

EXPIRING_DAYS = 30

_ZONE = "(SELECT time_zone FROM scheduling_site WHERE id = ANY(%(sites)s) ORDER BY id LIMIT 1)"

_IN_SCOPE = """
    EXISTS (
        SELECT 1 FROM scheduling_booking b
        WHERE b.patient_id = a.patient_id AND b.site_id = ANY(%(sites)s)
    )
    AND (
        %(products)s::bigint[] IS NULL
        OR a.hcpcs_code IN (SELECT hcpcs_code FROM infusions_product WHERE id = ANY(%(products)s::bigint[]))
    )
"""

_TURNAROUND = f"""
WITH requests AS (
    SELECT a.id, a.payer_id, a.urgency
    FROM insurance_priorauthorization a
    -- The latest submission is no earlier than the first, and the request exists before either.
    WHERE a.submitted_at >= %(lo)s AND a.created_at < %(hi)s AND {_IN_SCOPE}
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
    WHERE (answers.submitted_at AT TIME ZONE {_ZONE})::date BETWEEN %(date_from)s AND %(date_to)s
),
counted AS (
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
)
SELECT *,
       {PERCENT.format(part="decided_in_time", whole="decided")} AS decided_in_time_rate,
       {PERCENT.format(part="approved_first", whole="decided")} AS approved_first_rate
FROM counted
ORDER BY total DESC, payer, urgency
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters

_PENDED = f"""
WITH pended AS (
    SELECT a.payer_id,
           extract(epoch FROM %(now)s - (
               SELECT max(e.at) FROM insurance_authorizationevent e
               WHERE e.authorization_id = a.id AND e.kind = 'transition' AND e.to_status = 'pended'
           )) / 86400.0 AS age_days
    FROM insurance_priorauthorization a
    WHERE a.status = 'pended' AND {_IN_SCOPE}
)
SELECT pended.payer_id, py.name AS payer, grouping(pended.payer_id) = 1 AS total,
       count(*) AS pended,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY age_days)::numeric, 1) AS median_age_days,
       round(max(age_days)::numeric, 1) AS oldest_age_days
FROM pended JOIN insurance_payer py ON py.id = pended.payer_id
GROUP BY GROUPING SETS ((), (pended.payer_id, py.name))
ORDER BY total DESC, payer
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters

_UNITS = f"""
WITH granted AS (
    SELECT a.id, a.payer_id, a.units_approved
    FROM insurance_priorauthorization a
    WHERE a.status = ANY(%(ever_granted)s) AND a.units_approved IS NOT NULL
      AND a.valid_from <= %(date_to)s AND a.valid_to >= %(date_from)s
      AND {_IN_SCOPE}
),
usage AS (
    SELECT u.authorization_id AS id,
           sum(u.units) FILTER (WHERE u.status = 'used') AS used,
           sum(u.units) FILTER (WHERE u.status = 'reserved') AS reserved
    FROM insurance_authorizationusage u JOIN granted ON granted.id = u.authorization_id
    GROUP BY u.authorization_id
),
counted AS (
    SELECT granted.payer_id, py.name AS payer, grouping(granted.payer_id) = 1 AS total,
           count(*) AS authorizations,
           sum(granted.units_approved) AS units_approved,
           coalesce(sum(usage.used), 0) AS units_used,
           coalesce(sum(usage.reserved), 0) AS units_reserved
    FROM granted
    JOIN insurance_payer py ON py.id = granted.payer_id
    LEFT JOIN usage ON usage.id = granted.id
    GROUP BY GROUPING SETS ((), (granted.payer_id, py.name))
)
SELECT *, {PERCENT.format(part="units_used", whole="units_approved")} AS units_used_rate
FROM counted
ORDER BY total DESC, payer
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters

_EXPIRING = f"""
WITH expiring AS (
    SELECT a.id, a.payer_id, a.valid_to, a.units_approved,
           a.units_approved - coalesce((
               SELECT sum(u.units) FROM insurance_authorizationusage u
               WHERE u.authorization_id = a.id AND u.status <> 'released'
           ), 0) AS units_left
    FROM insurance_priorauthorization a
    WHERE a.status = ANY(%(granted)s)
      AND a.valid_to BETWEEN (%(now)s AT TIME ZONE {_ZONE})::date
                         AND (%(now)s AT TIME ZONE {_ZONE})::date + %(expiring_days)s
      AND {_IN_SCOPE}
)
SELECT expiring.payer_id, py.name AS payer, grouping(expiring.payer_id) = 1 AS total,
       count(*) AS expiring, sum(units_left) AS units_left, min(valid_to) AS first_valid_to
FROM expiring JOIN insurance_payer py ON py.id = expiring.payer_id
GROUP BY GROUPING SETS ((), (expiring.payer_id, py.name))
ORDER BY total DESC, payer
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters


def authorizations_report(scope: Scope, *, now: datetime | None = None) -> dict[str, Any]:
    """Return the Authorizations report's figures for the scope (four statements).

    `turnaround` (the total row first, then per payer and urgency: submitted, decided, median and p90
    hours, decided in time, approved first, their rates in %), `pended`, `units` and `expiring` (each
    the total row first, then per payer). Only payers' and counts: no patient is named.
    """
    params = scope.params(
        now=now or timezone.now(),
        decisions=[AuthStatus.APPROVED, AuthStatus.PARTIALLY_APPROVED, AuthStatus.DENIED],
        answers=[AuthStatus.APPROVED, AuthStatus.PARTIALLY_APPROVED, AuthStatus.DENIED, AuthStatus.PENDED],
        granted=list(GRANTED),
        ever_granted=[*GRANTED, AuthStatus.EXPIRED],
        expedited=DECISION_WINDOWS["expedited"],
        standard=DECISION_WINDOWS["standard"],
        expiring_days=EXPIRING_DAYS,
    )
    turnaround = fetch(_TURNAROUND, params)
    return {
        "totals": next(row for row in turnaround if row["total"]),
        "turnaround": [row for row in turnaround if not row["total"]],
        "pended": fetch(_PENDED, params),
        "units": fetch(_UNITS, params),
        "expiring": fetch(_EXPIRING, params),
    }
