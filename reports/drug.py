"""Drug: grams ordered, rounded to vials, dispensed and given; billing units per payer.

One statement whatever the range. The arithmetic is the plan's (`infusions.plan`), stored as it ran on
the session and on the authorization's usage: nothing here recomputes a dose or a unit.
"""

from reports import sql
from reports.registry import Chart, Column, Report, Table, register
from reports.rows import SESSIONS, jsonb_rows, tables

DEFINITION = (
    "Infusions that ended (an end time charted), counted on the local day their booking starts at its "
    "site; with a product, only that product's. Ordered: the day's dose as the plan computed it at "
    "check-in, before rounding (the order's dose for the dosing weight, divided over the cycle's split "
    "days; a session charted before the ordered dose was kept counts its planned grams). Planned: that "
    "dose rounded to whole vials when within the clinic's tolerance, what the pump "
    "was programmed for. Vial-rounding difference: planned - ordered (negative when rounded down). "
    "Dispensed: the vials recorded on the session's lots, in vials and in grams (vials x vial size); "
    "infusions with no lot recorded are counted apart. Given: the grams given when the nurse ended the "
    "infusion (volume given x concentration). Not given: dispensed - given. Billing units per payer: "
    "the units each infusion reported as used against the payer's authorization when it ended (whole "
    "HCPCS units, rounded up from the grams given); infusions billed to no authorization (self-pay, a "
    "payer that needs none, a manager's override) are the row without a payer, with their grams and no "
    "units."
)

_ENDED = (
    SESSIONS
    + """,
ended AS MATERIALIZED (
    SELECT se.id, se.booking_id, se.product_id,
           coalesce(se.ordered_grams, se.planned_grams) AS ordered_g,
           se.planned_grams AS planned_g, se.grams_given AS given_g,
           lots.vials, lots.grams AS dispensed_g
    FROM sessions se
    LEFT JOIN LATERAL (
        SELECT sum(l.vials) AS vials, sum(l.vials * l.vial_size_g) AS grams
        FROM infusions_lotrecord l WHERE l.session_id = se.id
    ) lots ON true
    WHERE se.ended_at IS NOT NULL
)"""
)

_STATEMENT = (
    _ENDED
    + f""",
by_product AS (
    SELECT ended.product_id, p.brand AS product, grouping(ended.product_id) = 1 AS total,
           count(*) AS infusions,
           coalesce(sum(ordered_g), 0) AS grams_ordered,
           coalesce(sum(planned_g), 0) AS grams_planned,
           coalesce(sum(planned_g - ordered_g), 0) AS vial_rounding_g,
           coalesce(sum(vials), 0) AS vials_dispensed,
           coalesce(sum(dispensed_g), 0) AS grams_dispensed,
           coalesce(sum(given_g), 0) AS grams_given,
           coalesce(sum(dispensed_g - given_g), 0) AS grams_not_given,
           count(*) FILTER (WHERE vials IS NULL) AS infusions_without_lots
    FROM ended JOIN infusions_product p ON p.id = ended.product_id
    GROUP BY GROUPING SETS ((), (ended.product_id, p.brand))
),
by_payer AS (
    SELECT py.id AS payer_id, py.name AS payer, grouping(py.id) = 1 AS total,
           count(*) AS infusions,
           coalesce(sum(given_g), 0) AS grams_given,
           coalesce(sum(u.units), 0) AS billing_units
    FROM ended
    LEFT JOIN insurance_authorizationusage u ON u.booking_id = ended.booking_id AND u.status = 'used'
    LEFT JOIN insurance_priorauthorization a ON a.id = u.authorization_id
    LEFT JOIN insurance_payer py ON py.id = a.payer_id
    GROUP BY GROUPING SETS ((), (py.id, py.name))
)
SELECT {jsonb_rows("by_product", "x.total DESC, x.product")},
       {jsonb_rows("by_payer", "x.total DESC, x.payer NULLS LAST")}
"""
)

NO_PAYER = "No authorization"

_GRAMS = (
    Column("infusions", "Infusions", "int"),
    Column("grams_ordered", "Ordered (g)", "number"),
    Column("grams_planned", "Planned, whole vials (g)", "number"),
    Column("vial_rounding_g", "Vial rounding (g)", "number"),
    Column("vials_dispensed", "Vials dispensed", "int"),
    Column("grams_dispensed", "Dispensed (g)", "number"),
    Column("grams_given", "Given (g)", "number"),
    Column("grams_not_given", "Dispensed, not given (g)", "number"),
    Column("infusions_without_lots", "Infusions without lots", "int"),
)


def drug_rows(params) -> dict[str, list[dict]]:
    """The Drug report's tables (one statement): by product, by payer, and the total."""
    found = tables(_STATEMENT, sql.base_params(params))
    products, payers = found["by_product"], found["by_payer"]
    return {
        "by_product": [row for row in products if not row["total"]],
        "by_payer": [row | {"payer": row["payer"] or NO_PAYER} for row in payers if not row["total"]],
        "total": [row | {"product": "All products"} for row in products if row["total"]],
    }


register(
    Report(
        slug="drug",
        title="Drug",
        definition=DEFINITION,
        tables=(
            Table(
                key="by_product",
                title="Grams ordered, dispensed and given by product",
                columns=(Column("product", "Product", "text"), *_GRAMS),
                chart=Chart(
                    "bar", x="product", y=("grams_ordered", "grams_dispensed", "grams_given"), unit=" g"
                ),
            ),
            Table(
                key="by_payer",
                title="Billing units by payer",
                columns=(
                    Column("payer", "Payer", "text"),
                    Column("infusions", "Infusions", "int"),
                    Column("grams_given", "Given (g)", "number"),
                    Column("billing_units", "Billing units", "int"),
                ),
                chart=Chart("bar", x="payer", y=("billing_units",)),
            ),
            Table(key="total", title="All products", columns=(Column("product", "", "text"), *_GRAMS)),
        ),
        compute=drug_rows,
        uses_product=True,
    )
)
