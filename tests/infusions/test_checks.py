"""The safety checks as plain functions: blocks, warnings, overrides, and their sentences."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from infusions.checks import BLOCK, WARN, ActualWeightDose, Override, order_checks, unresolved_blocks

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


def actual(**changes):
    # The boy: 14 kg; "ideal" (Devine base 50 kg) made 100 g in a 1,000 mL bag.
    facts = {
        "actual_kg": D("14"),
        "grams_per_cycle": D("100"),
        "bag_ml": D("1000"),
        "max_g_per_kg": D("2"),
        "max_source": "the clinic's maximum",
        "max_ml_per_kg": D("25"),
        "indication_code": "M30.3",
    }
    return ActualWeightDose(**(facts | changes))


def test_a_dose_and_a_bag_too_big_for_the_actual_weight_block_until_a_manager_overrides():
    # 100 g / 14 kg = 7.14 g/kg > 2; 1,000 mL / 14 kg = 71.4 mL/kg > 25.
    found = checks(actual=actual())

    assert [(c.code, c.severity) for c in found] == [("dose_over_max", BLOCK), ("volume_over_max", BLOCK)]
    assert found[0].message.startswith("100 g per cycle is 7.14 g/kg of the patient's actual weight (14 kg)")
    assert "over the 2 g/kg maximum for M30.3 (the clinic's maximum)" in found[0].message
    assert "71.4 mL/kg" in found[1].message
    overridden = checks(actual=actual(), overrides={"dose_over_max": Override("dose_over_max", "mona", "Ok")})
    assert [c.code for c in unresolved_blocks(overridden)] == ["volume_over_max"]


def test_exactly_the_maximum_is_allowed():
    # 28 g / 14 kg = 2 g/kg; 280 mL / 14 kg = 20 mL/kg.
    assert checks(actual=actual(grams_per_cycle=D("28"), bag_ml=D("280"))) == []
