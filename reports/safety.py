"""Safety: reactions per infusion and per patient, flagged vitals, infusions ended short of dose.

One statement whatever the range; the definition below is shown beside the charts and in the README.
"""

from charting.confirmations import END_REASONS
from charting.models import CTCAE_GRADES, ReactionKind
from reports import sql
from reports.registry import Chart, Column, Report, Table, register
from reports.rows import PERCENT, SESSIONS, jsonb_rows, tables

DEFINITION = (
    "An infusion is an infusion session whose infusion started, counted on the local day its booking "
    "starts at its site (cancelled, no-show and checked-in-only bookings are not infusions; each day of a "
    "split-day cycle is an infusion); with a product, only sessions of that product's orders. Reaction "
    "rate per infusion: infusions with at least one reaction charted (any onset, any grade) / infusions; "
    "per patient: patients with at least one such infusion / patients infused. By grade (CTCAE v5) and "
    "by kind: infusions (patients) with a reaction of that grade or kind / all infusions (patients), so "
    "an infusion with a grade-1 and a grade-3 reaction counts under each grade. Flagged vitals: "
    "infusions with at least one vitals set stored with a flag (a value outside the clinic's limits) / "
    "infusions. Ended short of dose: infusions ended more than 5 mL short of the planned volume, for "
    "which the nurse gave the reason (reaction, patient request, IV access lost, other); the list names "
    "the patients, and every reading of it (page, JSON or CSV) leaves an audit row."
)

# The flagged sets (a partial index holds just them) and the sessions with a reaction, each read once and
# hashed: a per-session lookup would cost the range's size in index probes.
_STATEMENT = (
    SESSIONS
    + f""",
inf AS MATERIALIZED (
    SELECT se.id AS session_id, se.patient_id, se.product_id, se.site_id, se.booked_start, se.started_at,
           se.end_reason, se.end_note, se.planned_volume_ml, se.volume_given_ml,
           r.session_id IS NOT NULL AS reacted, f.session_id IS NOT NULL AS flagged
    FROM sessions se
    LEFT JOIN (SELECT DISTINCT session_id FROM infusions_reaction) r ON r.session_id = se.id
    LEFT JOIN (
        SELECT DISTINCT session_id FROM infusions_vitalsreading WHERE NOT (flags = '[]'::jsonb)
    ) f ON f.session_id = se.id
    WHERE se.started_at IS NOT NULL
),
-- Two steps: per patient and product (a hash over the infusions), then per product, so the distinct
-- patients are counted over a few thousand rows instead of sorting every infusion.
per_patient AS (
    SELECT product_id, patient_id,
           count(*) AS infusions,
           count(*) FILTER (WHERE reacted) AS infusions_with_reaction,
           count(*) FILTER (WHERE flagged) AS infusions_with_flagged_vitals,
           count(*) FILTER (WHERE end_reason <> '') AS ended_short
    FROM inf GROUP BY product_id, patient_id
),
counted AS (
    SELECT pp.product_id, p.brand AS product, grouping(pp.product_id) = 1 AS total,
           coalesce(sum(pp.infusions), 0) AS infusions,
           coalesce(sum(pp.infusions_with_reaction), 0) AS infusions_with_reaction,
           count(DISTINCT pp.patient_id) AS patients,
           count(DISTINCT pp.patient_id) FILTER (WHERE pp.infusions_with_reaction > 0)
               AS patients_with_reaction,
           coalesce(sum(pp.infusions_with_flagged_vitals), 0) AS infusions_with_flagged_vitals,
           coalesce(sum(pp.ended_short), 0) AS ended_short
    FROM per_patient pp JOIN infusions_product p ON p.id = pp.product_id
    GROUP BY GROUPING SETS ((), (pp.product_id, p.brand))
),
by_product AS (
    SELECT *,
           {PERCENT.format(part="infusions_with_reaction", whole="infusions")} AS reaction_rate_per_infusion,
           {PERCENT.format(part="patients_with_reaction", whole="patients")} AS reaction_rate_per_patient,
           {PERCENT.format(part="infusions_with_flagged_vitals", whole="infusions")} AS flagged_vitals_rate,
           {PERCENT.format(part="ended_short", whole="infusions")} AS ended_short_rate
    FROM counted
),
totals AS (SELECT count(*) AS infusions, count(DISTINCT patient_id) AS patients FROM inf),
reactions AS (
    SELECT CASE WHEN grouping(r.grade) = 0 THEN 'grade' ELSE 'kind' END AS dimension,
           CASE WHEN grouping(r.grade) = 0 THEN r.grade::text ELSE r.kind END AS key,
           count(*) AS reactions,
           count(DISTINCT r.session_id) AS infusions,
           count(DISTINCT inf.patient_id) AS patients
    FROM infusions_reaction r JOIN inf ON inf.session_id = r.session_id
    GROUP BY GROUPING SETS ((r.grade), (r.kind))
),
reasons AS (
    SELECT 'reason' AS dimension, end_reason AS key, 0 AS reactions, count(*) AS infusions, 0 AS patients
    FROM inf WHERE end_reason <> '' GROUP BY end_reason
),
breakdown AS (
    SELECT x.*,
           {PERCENT.format(part="x.infusions", whole="totals.infusions")} AS infusion_rate,
           {PERCENT.format(part="x.patients", whole="totals.patients")} AS patient_rate
    FROM (SELECT * FROM reactions UNION ALL SELECT * FROM reasons) x CROSS JOIN totals
),
ended_short AS (
    SELECT (inf.booked_start AT TIME ZONE st.time_zone)::date AS day, st.name AS site,
           inf.session_id, inf.patient_id, pt.mrn,
           pt.family_name || ', ' || pt.given_name AS patient, p.brand AS product, inf.started_at,
           inf.planned_volume_ml, inf.volume_given_ml,
           inf.planned_volume_ml - inf.volume_given_ml AS volume_short_ml,
           inf.end_reason AS reason, inf.end_note AS note,
           (SELECT max(r.grade) FROM infusions_reaction r WHERE r.session_id = inf.session_id)
               AS worst_reaction_grade
    FROM inf
    JOIN scheduling_site st ON st.id = inf.site_id
    JOIN patients_patient pt ON pt.id = inf.patient_id
    JOIN infusions_product p ON p.id = inf.product_id
    WHERE inf.end_reason <> ''
)
SELECT {jsonb_rows("by_product", "x.total DESC, x.product")},
       {jsonb_rows("breakdown", "x.dimension, x.infusions DESC, x.key")},
       {jsonb_rows("ended_short", "x.day, x.site, x.started_at, x.session_id")}
"""
)

_RATES = (
    Column("infusions", "Infusions", "int"),
    Column("patients", "Patients", "int"),
    Column("infusions_with_reaction", "Infusions with a reaction", "int"),
    Column("reaction_rate_per_infusion", "Reaction rate per infusion", "percent"),
    Column("patients_with_reaction", "Patients with a reaction", "int"),
    Column("reaction_rate_per_patient", "Reaction rate per patient", "percent"),
    Column("infusions_with_flagged_vitals", "Infusions with flagged vitals", "int"),
    Column("flagged_vitals_rate", "Flagged vitals", "percent"),
    Column("ended_short", "Ended short of dose", "int"),
    Column("ended_short_rate", "Ended short", "percent"),
)
_BREAKDOWN_COLUMNS = (
    Column("reactions", "Reactions", "int"),
    Column("infusions", "Infusions with one", "int"),
    Column("infusion_rate", "Per infusion", "percent"),
    Column("patients", "Patients with one", "int"),
    Column("patient_rate", "Per patient", "percent"),
)
_LABELS: dict[str, dict[str, str]] = {
    "grade": {str(g): f"Grade {g}: {text}" for g, text in CTCAE_GRADES.items()},
    "kind": {value: str(label) for value, label in ReactionKind.choices},
    "reason": END_REASONS,
}


def safety_rows(params) -> dict[str, list[dict]]:
    """The Safety report's tables (one statement): by product, by grade, by kind, ended short by
    reason, the per-patient list of infusions ended short (patient data: audited) and the total."""
    found = tables(_STATEMENT, sql.base_params(params))
    out: dict[str, list[dict]] = {"by_grade": [], "by_kind": [], "ended_short_by_reason": []}
    for row in found["breakdown"]:
        dimension = row.pop("dimension")
        row["label"] = _LABELS[dimension].get(row["key"], row["key"])
        out["ended_short_by_reason" if dimension == "reason" else f"by_{dimension}"].append(row)
    out["by_grade"].sort(key=lambda row: int(row["key"]))
    products = found["by_product"]
    return out | {
        "by_product": [row for row in products if not row["total"]],
        "ended_short": found["ended_short"],
        "total": [row | {"product": "All products"} for row in products if row["total"]],
    }


register(
    Report(
        slug="safety",
        title="Safety",
        definition=DEFINITION,
        tables=(
            Table(
                key="by_product",
                title="Reactions and flagged vitals by product",
                columns=(Column("product", "Product", "text"), *_RATES),
                chart=Chart(
                    "bar",
                    x="product",
                    y=("reaction_rate_per_infusion", "reaction_rate_per_patient", "flagged_vitals_rate"),
                    unit="%",
                ),
            ),
            Table(
                key="by_grade",
                title="Reactions by CTCAE grade",
                columns=(Column("label", "Grade", "text"), *_BREAKDOWN_COLUMNS),
                chart=Chart("bar", x="label", y=("infusion_rate", "patient_rate"), unit="%"),
                definition="An infusion with reactions of two grades counts under each.",
            ),
            Table(
                key="by_kind",
                title="Reactions by kind",
                columns=(Column("label", "Kind", "text"), *_BREAKDOWN_COLUMNS),
                chart=Chart("bar", x="label", y=("infusion_rate", "patient_rate"), unit="%"),
            ),
            Table(
                key="ended_short_by_reason",
                title="Infusions ended short of dose, by reason",
                columns=(
                    Column("label", "Reason", "text"),
                    Column("infusions", "Infusions", "int"),
                    Column("infusion_rate", "Of all infusions", "percent"),
                ),
                chart=Chart("bar", x="label", y=("infusion_rate",), unit="%"),
            ),
            Table(
                key="ended_short",
                title="Infusions ended short of dose (names patients: each reading is audited)",
                columns=(
                    Column("day", "Day (local)", "date"),
                    Column("site", "Site", "text"),
                    Column("mrn", "MRN", "text"),
                    Column("patient", "Patient", "text"),
                    Column("product", "Product", "text"),
                    Column("planned_volume_ml", "Planned mL", "number"),
                    Column("volume_given_ml", "Given mL", "number"),
                    Column("volume_short_ml", "Short by mL", "number"),
                    Column("reason", "Reason", "text"),
                    Column("note", "Note", "text"),
                    Column("worst_reaction_grade", "Worst reaction grade", "int"),
                ),
            ),
            Table(key="total", title="All products", columns=(Column("product", "", "text"), *_RATES)),
        ),
        compute=safety_rows,
        uses_product=True,
        patient_tables=frozenset({"ended_short"}),
    )
)
