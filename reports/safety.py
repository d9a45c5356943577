"""Safety: reactions per infusion and per patient, flagged vitals, infusions ended short of dose.

Definitions (README, Reports, "Safety"):

- an **infusion** is an infusion session whose infusion started (`started_at` set), counted on the
  local day its booking starts at its site; cancelled, no-show and checked-in-only bookings are not
  infusions. Each day of a split-day cycle is its own infusion;
- **reaction rate per infusion**: infusions with at least one reaction charted (any onset, any grade)
  / infusions; **per patient**: patients with at least one such infusion / patients infused;
- by **grade** (CTCAE) and by **kind**: infusions with a reaction of that grade (or kind) / infusions,
  so an infusion with a grade-1 and a grade-3 reaction counts once under each grade;
- **flagged vitals**: infusions with at least one vitals set stored with a flag (an abnormal value,
  `flags` not empty) / infusions;
- **ended short of dose**: infusions ended with less than the planned volume, which the nurse had to
  give a reason for (`end_reason`: reaction, patient request, IV access lost, other). The list names
  the patient: whoever reads it (page or CSV) leaves an audit row.

Four statements, whatever the range.
"""

from typing import Any

from reports.rows import PERCENT, Scope, fetch, sessions_in_scope

_INFUSIONS = f"""
    SELECT se.id, se.patient_id, o.product_id, se.end_reason,
           EXISTS (SELECT 1 FROM infusions_reaction r WHERE r.session_id = se.id) AS reacted,
           EXISTS (
               SELECT 1 FROM infusions_vitalsreading v
               WHERE v.session_id = se.id AND jsonb_array_length(v.flags) > 0
           ) AS flagged
    {sessions_in_scope()}
      AND se.started_at IS NOT NULL
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters

_BY_PRODUCT = f"""
WITH inf AS ({_INFUSIONS}),
counted AS (
    SELECT inf.product_id, p.brand AS product, grouping(inf.product_id) = 1 AS total,
           count(*) AS infusions,
           count(*) FILTER (WHERE reacted) AS infusions_with_reaction,
           count(DISTINCT patient_id) AS patients,
           count(DISTINCT patient_id) FILTER (WHERE reacted) AS patients_with_reaction,
           count(*) FILTER (WHERE flagged) AS infusions_with_flagged_vitals,
           count(*) FILTER (WHERE end_reason <> '') AS ended_short
    FROM inf JOIN infusions_product p ON p.id = inf.product_id
    GROUP BY GROUPING SETS ((), (inf.product_id, p.brand))
)
SELECT *,
       {PERCENT.format(part="infusions_with_reaction", whole="infusions")} AS reaction_rate_per_infusion,
       {PERCENT.format(part="patients_with_reaction", whole="patients")} AS reaction_rate_per_patient,
       {PERCENT.format(part="infusions_with_flagged_vitals", whole="infusions")} AS flagged_vitals_rate,
       {PERCENT.format(part="ended_short", whole="infusions")} AS ended_short_rate
FROM counted
ORDER BY total DESC, product
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters

_BY_GRADE_AND_KIND = f"""
WITH inf AS ({_INFUSIONS}),
totals AS (SELECT count(*) AS infusions, count(DISTINCT patient_id) AS patients FROM inf)
SELECT CASE WHEN grouping(r.grade) = 0 THEN 'grade' ELSE 'kind' END AS dimension,
       r.grade, r.kind,
       count(*) AS reactions,
       count(DISTINCT r.session_id) AS infusions_with_reaction,
       count(DISTINCT inf.patient_id) AS patients_with_reaction,
       {PERCENT.format(part="count(DISTINCT r.session_id)", whole="totals.infusions")}
           AS reaction_rate_per_infusion,
       {PERCENT.format(part="count(DISTINCT inf.patient_id)", whole="totals.patients")}
           AS reaction_rate_per_patient
FROM infusions_reaction r
JOIN inf ON inf.id = r.session_id
CROSS JOIN totals
GROUP BY totals.infusions, totals.patients, GROUPING SETS ((r.grade), (r.kind))
ORDER BY dimension, r.grade, r.kind
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters

_SHORT_BY_REASON = f"""
WITH inf AS ({_INFUSIONS})
SELECT end_reason AS reason, count(*) AS infusions
FROM inf WHERE end_reason <> ''
GROUP BY end_reason ORDER BY count(*) DESC, end_reason
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters

_PATIENT_AND_PRODUCT = """
    JOIN patients_patient pt ON pt.id = se.patient_id
    JOIN infusions_product p ON p.id = o.product_id"""

_SHORT_LIST = f"""
SELECT (b.start AT TIME ZONE st.time_zone)::date AS day, st.name AS site,
       se.id AS session_id, se.patient_id, pt.mrn, pt.family_name || ', ' || pt.given_name AS patient,
       p.brand AS product, se.planned_volume_ml, se.volume_given_ml,
       se.planned_volume_ml - se.volume_given_ml AS volume_short_ml,
       se.planned_grams, se.grams_given, se.end_reason AS reason, se.end_note AS note,
       (SELECT max(r.grade) FROM infusions_reaction r WHERE r.session_id = se.id) AS worst_reaction_grade
{sessions_in_scope(joins=_PATIENT_AND_PRODUCT)}
  AND se.started_at IS NOT NULL AND se.end_reason <> ''
ORDER BY day, st.name, b.start, se.id
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters


def safety_report(scope: Scope) -> dict[str, Any]:
    """Return the Safety report's figures for the scope (four statements).

    `totals` and `by_product` (infusions, patients, with a reaction, flagged vitals, ended short, and
    their rates in %), `by_grade` and `by_kind` (reactions, infusions and patients with one, rates over
    all the scope's infusions and patients), `ended_short_by_reason`, and `ended_short`: the per-patient
    list (patient data: audit whoever reads it).
    """
    params = scope.params()
    products = fetch(_BY_PRODUCT, params)
    totals = next(row for row in products if row["total"])
    breakdown = fetch(_BY_GRADE_AND_KIND, params)
    return {
        "totals": totals,
        "by_product": [row for row in products if not row["total"]],
        "by_grade": [row for row in breakdown if row["dimension"] == "grade"],
        "by_kind": [row for row in breakdown if row["dimension"] == "kind"],
        "ended_short_by_reason": fetch(_SHORT_BY_REASON, params),
        "ended_short": fetch(_SHORT_LIST, params),
    }
