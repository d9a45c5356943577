"""What charting changes elsewhere: the dose on today's weight, the next plan after a reaction."""

from decimal import Decimal

import pytest

from charting.models import InfusionSession
from tests.charting.conftest import local, move_to, post, ready_to_start
from tests.infusions.factories import capped_policy

pytestmark = pytest.mark.django_db


def test_a_weight_over_5_percent_from_the_orders_recomputes_the_dose(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock, weight="77")
    body = nurse_api.get(f"/api/v1/sessions/{session}/").json()
    assert body["order_weight_kg"] == "70.00"
    assert body["dose_recomputed"] is True
    assert body["planned_grams"] == "77.00"
    assert body["planned_volume_ml"] == "770.0"
    assert body["schedule"][0]["rate_ml_per_hour"] == "38.5"


def test_a_weight_within_5_percent_keeps_the_ordered_dose(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock, weight="73")
    saved = InfusionSession.objects.get(pk=session)
    assert saved.dose_recomputed is False
    assert saved.planned_grams == Decimal("70.00")
    assert saved.weight_kg == Decimal("73.00")


def test_a_grade_2_reaction_makes_the_next_plan_suggest_a_slower_protocol_and_premedication(
    nurse_api, chair, clock, api, manager
):
    capped_policy()
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    move_to(clock, "09:20")
    post(
        nurse_api,
        f"/api/v1/sessions/{session}/reactions/",
        kind="chills",
        grade=2,
        action="paused",
        outcome="resolved",
        noted_at=local("09:20"),
        medication="",
    )
    order = api.as_user(manager).get(f"/api/v1/orders/{chair.order.pk}/").json()
    checks = {c["code"]: c for c in order["plan"]["checks"]}
    assert checks["prior_reaction"]["severity"] == "warn"
    assert checks["prior_reaction"]["message"] == (
        "Grade 2 infusion reaction on 2027-03-02: use the slower At-risk capped protocol and premedicate "
        "(acetaminophen and an antihistamine; consider a corticosteroid)."
    )
    # The patient is flagged too (their record and the patients API show it), without making them
    # "at risk" in the boxed-warning sense: that would silently cap every later plan.
    patient = api.get(f"/api/v1/patients/{chair.order.patient_id}/").json()
    assert [(f["kind"], f["note"]) for f in patient["risk_flags"]] == [
        ("infusion_reaction", f"Grade 2 chills / rigors on session #{session}")
    ]
    assert "at_risk_capped" not in checks


def test_a_grade_1_reaction_changes_nothing_for_the_next_cycle(nurse_api, chair, clock, api, manager):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    post(
        nurse_api,
        f"/api/v1/sessions/{session}/reactions/",
        kind="headache",
        grade=1,
        action="none",
        outcome="resolved",
        noted_at=local("09:00"),
    )
    order = api.as_user(manager).get(f"/api/v1/orders/{chair.order.pk}/").json()
    assert "prior_reaction" not in {c["code"] for c in order["plan"]["checks"]}


def test_an_orders_reactions_are_listed_for_its_clinical_summary(nurse_api, chair, clock):
    from charting.selectors import order_reactions

    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    post(
        nurse_api,
        f"/api/v1/sessions/{session}/reactions/",
        kind="urticaria",
        grade=2,
        action="medication",
        medication="Diphenhydramine 25 mg IV",
        outcome="resolved",
        noted_at=local("09:00"),
    )
    assert order_reactions(chair.order.pk) == [
        {
            "kind": "urticaria",
            "grade": 2,
            "onset": "during",
            "action": "medication",
            "outcome": "resolved",
            "noted_on": "2027-03-02",
        }
    ]
