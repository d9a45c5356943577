"""The safety checks as plain functions: blocks, warnings, overrides, and their sentences."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from infusions.checks import BLOCK, WARN, Override, order_checks, unresolved_blocks

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def checks(**changes):
    facts = {
        "contraindications": [],
        "indication_code": "G61.81",
        "indication_label": "CIDP",
        "indication_not_recommended": False,
        "at_risk_reasons": [],
        "capped_with": None,
        "weight_at": NOW - timedelta(days=1),
        "egfr_at": NOW - timedelta(days=2),
        "dose_g_per_kg": D("1"),
        "window_days": 30,
        "dose_min": D("0.2"),
        "dose_max": D("2.5"),
        "now": NOW,
    }
    return order_checks(**(facts | changes))


def test_a_fit_patient_with_recent_figures_has_no_checks():
    assert checks() == []


def test_contraindications_and_a_not_recommended_indication_block():
    found = checks(
        contraindications=[("iga_deficiency_antibodies", "IgA deficiency with anti-IgA antibodies")],
        indication_code="D59.1",
        indication_label="Autoimmune hemolytic anemia",
        indication_not_recommended=True,
    )

    assert [(c.code, c.severity) for c in found] == [
        ("contraindicated_iga_antibodies", BLOCK),
        ("indication_not_recommended", BLOCK),
    ]
    assert found[1].message == (
        "Immunoglobulin is not recommended for D59.1 Autoimmune hemolytic anemia; a clinic manager must "
        "approve it with a reason."
    )
    assert len(unresolved_blocks(found)) == 2


def test_an_override_names_who_and_why_and_unblocks():
    found = checks(
        contraindications=[("prior_severe_ig_reaction", "Prior severe allergic reaction to immunoglobulin")],
        overrides={
            "contraindicated_prior_reaction": Override("contraindicated_prior_reaction", "mona", "ICU")
        },
    )

    assert (found[0].overridden_by, found[0].override_reason) == ("mona", "ICU")
    assert unresolved_blocks(found) == []


def test_the_window_is_inclusive_of_its_last_day():
    # 30 days old is inside a 30-day window; 31 is not.
    assert checks(egfr_at=NOW - timedelta(days=30), weight_at=NOW - timedelta(days=30)) == []
    found = checks(egfr_at=NOW - timedelta(days=31), weight_at=NOW - timedelta(days=31))
    assert [(c.code, c.severity) for c in found] == [("egfr_stale", WARN), ("weight_stale", WARN)]


def test_the_dose_window_edges_are_allowed():
    assert checks(dose_g_per_kg=D("0.2")) == checks(dose_g_per_kg=D("2.5")) == []
    assert [c.code for c in checks(dose_g_per_kg=D("2.6"))] == ["dose_out_of_range"]


def test_at_risk_reasons_are_named_in_the_warning():
    [found] = checks(at_risk_reasons=["Diabetes mellitus", "Age over 65"], capped_with="At-risk capped")

    assert found.message == (
        "Capped protocol: Diabetes mellitus, Age over 65 (thrombosis and kidney risk); the At-risk capped "
        "protocol is used."
    )
