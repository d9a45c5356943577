"""Drug: grams ordered, rounded to vials, dispensed and given; billing units per payer.

Definitions (README, Reports, "Drug"), over the infusions that **ended** (`ended_at` set) on a local
day of the range at the report's sites, by the booking's day as everywhere:

- **ordered**: the day's ordered dose as the plan computed it at check-in (`Plan.dose_grams`: the
  order's dose for the dosing weight, divided over the cycle's split days), before rounding;
- **planned**: that dose rounded to whole vials when within the clinic's tolerance
  (`Plan.rounded_dose_grams`, the grams the pump was programmed for);
- **vial-rounding difference**: planned - ordered (negative when the dose was rounded down);
- **dispensed**: the vials recorded on the session's lots, in vials and in grams (vials x vial size);
  infusions with no lot recorded are counted apart;
- **given**: grams given as the nurse ended the infusion (volume given x concentration);
- **not given**: dispensed - given, over infusions with lots;
- **billing units per payer**: the units infusions reported as used against each payer's
  authorization when the infusion ended (`infusions.authorizations.infusion_usage_report`, whole units
  rounded up from the grams given); infusions without an authorization (self-pay, a payer that needs
  none, a manager's override) are the row without a payer, with their grams and no units.

Two statements, whatever the range. The arithmetic is the plan's (`infusions.plan`), stored as it ran:
nothing here recomputes a dose or a unit.
"""

from typing import Any

from reports.rows import Scope, fetch, sessions_in_scope

_LOTS = """
    LEFT JOIN LATERAL (
        SELECT sum(l.vials) AS vials, sum(l.vials * l.vial_size_g) AS grams
        FROM infusions_lotrecord l WHERE l.session_id = se.id
    ) lots ON true"""

_ENDED = f"""
    SELECT se.id, se.booking_id, o.product_id,
           coalesce(se.ordered_grams, se.planned_grams) AS ordered_g,
           se.planned_grams AS planned_g, se.grams_given AS given_g,
           lots.vials, lots.grams AS dispensed_g
    {sessions_in_scope(joins=_LOTS)}
      AND se.ended_at IS NOT NULL
"""

_BY_PRODUCT = f"""
WITH ended AS ({_ENDED})
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
ORDER BY total DESC, product
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters

_BY_PAYER = f"""
WITH ended AS ({_ENDED})
SELECT py.id AS payer_id, py.name AS payer, grouping(py.id) = 1 AS total,
       count(*) AS infusions,
       coalesce(sum(given_g), 0) AS grams_given,
       coalesce(sum(u.units), 0) AS billing_units
FROM ended
LEFT JOIN insurance_authorizationusage u ON u.booking_id = ended.booking_id AND u.status = 'used'
LEFT JOIN insurance_priorauthorization a ON a.id = u.authorization_id
LEFT JOIN insurance_payer py ON py.id = a.payer_id
GROUP BY GROUPING SETS ((), (py.id, py.name))
ORDER BY total DESC, payer NULLS LAST
"""  # noqa: S608 - only constant fragments are interpolated; values are parameters


def drug_report(scope: Scope) -> dict[str, Any]:
    """Return the Drug report's figures for the scope (two statements): `totals` and `by_product`
    (infusions, grams ordered, planned, the vial-rounding difference, vials and grams dispensed,
    grams given and not given, infusions without lots), and `by_payer` (infusions, grams given,
    billing units; the row with payer None is the infusions billed to no authorization)."""
    params = scope.params()
    products = fetch(_BY_PRODUCT, params)
    payers = fetch(_BY_PAYER, params)
    return {
        "totals": next(row for row in products if row["total"]),
        "by_product": [row for row in products if not row["total"]],
        "by_payer": [row for row in payers if not row["total"]],
    }
