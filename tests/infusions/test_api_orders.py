"""The orders API: every order and every preview carries its plan, computed from the patient's latest weight.

Hand computations are in the comment above each case (10% products: 1 g = 10 mL).
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from infusions.models import TreatmentOrder
from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, RiskFlagFactory, WeightFactory
from tests.infusions.factories import (
    OrderFactory,
    ProductFactory,
    ProtocolFactory,
    capped_policy,
    hizentra,
    privigen,
)

pytestmark = pytest.mark.django_db


def patient_with(kg="70", cm=None, sex="female", code="G61.81", born=None):
    patient = PatientFactory(sex=sex, **({"date_of_birth": born} if born else {}))
    WeightFactory(patient=patient, value=D(kg))
    if cm:
        WeightFactory(patient=patient, kind="height", value=D(cm))
    EgfrFactory(patient=patient)
    return patient, DiagnosisFactory(patient=patient, code=code)


def order_input(patient, indication, product=None, **changes):
    return {
        "patient": patient.pk,
        "indication": indication.pk,
        "product": (product or ProductFactory()).pk,
        "protocol": ProtocolFactory().pk,
        "dose_grams_per_kg": "1",
        "weight_policy": "actual",
        "split_days": 1,
        "interval_days": 21,
        "prescriber": "Dr. Amara Velasquez",
        "start_date": "2026-12-01",
    } | changes


def preview(api, user, body):
    response = api.as_user(user).post("/api/v1/orders/preview/", body)
    assert response.status_code == 200, response.json()
    return response.json()["plan"]


def figures(plan, *names):
    return [D(plan[name]) for name in names]


def test_the_worked_example_comes_back_from_the_api_with_its_plan(api, manager):
    # 70 kg x 1 g/kg = 70 g = 2 x 30 + 1 x 10 g vials (exact); 700 mL; 70 / 0.5 = 140 units.
    # Rates x 70 kg: 35, 70, 140, 280, 378 mL/h; 30 min each gives 17.5 + 35 + 70 + 140 = 262.5 mL;
    # 437.5 mL at 378 mL/h = 69.44 -> 69.4 min; infusion 189.4 min; chair 30 + 189.4 + 30 = 249.4 -> 255.
    patient, cidp = patient_with()

    response = api.as_user(manager).post("/api/v1/orders/", order_input(patient, cidp))

    assert response.status_code == 201, response.json()
    plan = response.json()["plan"]
    assert figures(plan, "dosing_weight_kg", "dose_grams", "rounded_dose_grams", "volume_ml") == [
        D("70"),
        D("70"),
        D("70"),
        D("700"),
    ]
    assert plan["vials"] == [{"size_grams": "30.00", "count": 2}, {"size_grams": "10.00", "count": 1}]
    assert plan["billing_units"] == 140
    assert [D(s["rate_ml_per_hour"]) for s in plan["steps"]] == [
        D(r) for r in ("35", "70", "140", "280", "378")
    ]
    assert [D(s["start_minute"]) for s in plan["steps"]] == [D(m) for m in ("0", "30", "60", "90", "120")]
    assert [D(s["minutes"]) for s in plan["steps"]] == [D(m) for m in ("30", "30", "30", "30", "69.4")]
    assert D(plan["infusion_minutes"]) == D("189.4")
    assert plan["chair_minutes"] == 255
    assert plan["checks"] == []
    # The same plan on a later read, and in the list.
    order_id = response.json()["id"]
    assert api.get(f"/api/v1/orders/{order_id}/").json()["plan"] == plan
    assert api.get("/api/v1/orders/").json()["results"][0]["plan"] == plan


def test_a_heavy_woman_is_dosed_by_adjusted_weight_rounded_to_vials_and_capped_by_the_label(api, scheduler):
    # Female 165 cm 100 kg: IBW 56.9 kg; 100 > 1.2 x 56.9, so adjusted 56.9 + 0.4 x 43.1 = 74.1 kg.
    # 1 g/kg = 74.1 g; Privigen vials 5/10/20/40: 75 g is 0.9 g (1.2%) away -> 40 + 20 + 10 + 5;
    # 750 mL; 150 units.
    # Privigen's general maximum 8 mg/kg/min x 0.6 = 4.8 mL/kg/h caps the 5.4 step.
    # Rates x 74.1 (rounded down to 0.1): 37.0, 74.1, 148.2, 296.4, 355.6 mL/h.
    # 30 min each: 18.5 + 37.0 (37.05 down) + 74.1 + 148.2 = 277.8 mL; 472.2 mL at 355.6 = 79.67 -> 79.7 min.
    # Infusion 199.7 min; chair 259.7 -> 270 min.
    patient, cidp = patient_with(kg="100", cm="165")

    plan = preview(api, scheduler, order_input(patient, cidp, privigen(), weight_policy="auto"))

    assert (D(plan["dosing_weight_kg"]), plan["dosing_weight_basis"]) == (D("74.1"), "adjusted")
    assert figures(plan, "dose_grams", "rounded_dose_grams", "volume_ml") == [D("74.1"), D("75"), D("750")]
    assert [(D(v["size_grams"]), v["count"]) for v in plan["vials"]] == [
        (D(40), 1),
        (D(20), 1),
        (D(10), 1),
        (D(5), 1),
    ]
    assert plan["billing_units"] == 150
    assert D(plan["cap_ml_per_kg_h"]) == D("4.8")
    rates = [D(s["rate_ml_per_hour"]) for s in plan["steps"]]
    assert rates == [D("37.0"), D("74.1"), D("148.2"), D("296.4"), D("355.6")]
    assert [s["capped"] for s in plan["steps"]] == [False, False, False, False, True]
    assert D(plan["steps"][-1]["minutes"]) == D("79.7")
    assert D(plan["infusion_minutes"]) == D("199.7")
    assert plan["chair_minutes"] == 270
    assert any("1.2% away" in note for note in plan["notes"])


def test_a_label_cap_in_mg_per_kg_per_minute_slows_an_itp_infusion(api, scheduler):
    # Privigen for ITP: 4 mg/kg/min x 0.6 = 2.4 mL/kg/h = 168 mL/h at 70 kg; the 4 and 5.4 steps run at 168.
    # 17.5 + 35 + 70 = 122.5 mL in 90 min; then 84 mL in 30 min at 168 -> 206.5 mL.
    # 493.5 mL at 168 mL/h = 176.25 -> 176.3 min; infusion 296.3 min; chair 356.3 -> 360 min (6 h).
    # 70 g = 40 + 20 + 10.
    patient, itp = patient_with(code="D69.3")

    plan = preview(api, scheduler, order_input(patient, itp, privigen()))

    assert D(plan["cap_ml_per_kg_h"]) == D("2.4")
    assert [D(s["rate_ml_per_hour"]) for s in plan["steps"]] == [
        D(r) for r in ("35", "70", "140", "168", "168")
    ]
    assert [D(s["volume_ml"]) for s in plan["steps"]] == [D(v) for v in ("17.5", "35", "70", "84", "493.5")]
    assert D(plan["infusion_minutes"]) == D("296.3")
    assert plan["chair_minutes"] == 360
    assert [(D(v["size_grams"]), v["count"]) for v in plan["vials"]] == [(D(40), 1), (D(20), 1), (D(10), 1)]
    assert any(
        "label maximum for D69.3 is 4 mg/kg/min = 2.4 mL/kg/h at 10%" in note for note in plan["notes"]
    )


def test_a_loading_dose_split_over_five_days_plans_one_day(api, scheduler):
    # 2 g/kg x 70 kg = 140 g over 5 days = 28 g a day = 20 + 5 + 3 x 1 g vials (exact); 280 mL; 56 units.
    # 17.5 + 35 + 70 = 122.5 mL; the 4 mL/kg/h step (280 mL/h) gives 140 mL in 30 min -> 262.5 mL;
    # 17.5 mL at 378 mL/h = 2.78 -> 2.8 min. Infusion 122.8 min; chair 182.8 -> 195 min.
    patient, cidp = patient_with()

    plan = preview(api, scheduler, order_input(patient, cidp, dose_grams_per_kg="2", split_days=5))

    assert plan["days"] == 5
    assert figures(plan, "total_grams", "dose_grams", "rounded_dose_grams", "volume_ml") == [
        D("140"),
        D("28"),
        D("28"),
        D("280"),
    ]
    assert [(D(v["size_grams"]), v["count"]) for v in plan["vials"]] == [(D(20), 1), (D(5), 1), (D(1), 3)]
    assert plan["billing_units"] == 56
    assert D(plan["steps"][-1]["minutes"]) == D("2.8")
    assert D(plan["infusion_minutes"]) == D("122.8")
    assert plan["chair_minutes"] == 195
    assert plan["checks"] == []  # 2 g/kg a cycle is inside 0.2-2.5


def test_an_at_risk_patient_gets_the_capped_protocol_with_the_reason(api, scheduler):
    # Capped protocol 0.5 -> 1 -> 2 mL/kg/h: 35, 70, then 140 mL/h until empty.
    # 17.5 + 35 = 52.5 mL in 60 min; 647.5 mL at 140 mL/h = 277.5 min; infusion 337.5; chair 397.5 -> 405.
    capped_policy()
    patient, cidp = patient_with()
    RiskFlagFactory(patient=patient, kind="diabetes")

    plan = preview(api, scheduler, order_input(patient, cidp))

    assert plan["protocol"] == "At-risk capped"
    assert [D(s["rate_ml_per_hour"]) for s in plan["steps"]] == [D("35"), D("70"), D("140")]
    assert D(plan["infusion_minutes"]) == D("337.5")
    assert plan["chair_minutes"] == 405
    [check] = plan["checks"]
    assert check["code"] == "at_risk_capped"
    assert check["message"].startswith("Capped protocol: Diabetes mellitus")
    assert any("At-risk capped is used instead of" in note for note in plan["notes"])


def test_a_small_fixed_dose_far_from_whole_vials_is_not_rounded_and_warns_about_the_dose(api, scheduler):
    # Fixed 12 g with Privigen 5/10/20/40 g: nearest 10 g is 16.7% away (> 10%): keep 12 g, dispense 10 + 5.
    # 120 mL; 24 units. 17.5 + 35 = 52.5 mL; 67.5 mL at 140 mL/h = 28.93 -> 28.9 min;
    # infusion 88.9 min; chair 30 + 88.9 + 30 = 148.9 -> 150 min.
    # 12 g / 70 kg = 0.17 g/kg, under 0.2.
    patient, cidp = patient_with()

    plan = preview(
        api, scheduler, order_input(patient, cidp, privigen(), dose_grams_per_kg=None, fixed_grams="12")
    )

    assert figures(plan, "rounded_dose_grams", "volume_ml", "infusion_minutes") == [
        D("12"),
        D("120"),
        D("88.9"),
    ]
    assert [(D(v["size_grams"]), v["count"]) for v in plan["vials"]] == [(D(10), 1), (D(5), 1)]
    assert (plan["billing_units"], plan["chair_minutes"]) == (24, 150)
    assert [c["code"] for c in plan["checks"]] == ["dose_out_of_range"]
    assert "0.17 g/kg per cycle is outside the usual 0.2-2.5 g/kg" in plan["checks"][0]["message"]


def test_the_preview_takes_a_fixed_number_of_queries_and_reads_the_latest_facts(
    api, scheduler, django_assert_num_queries
):
    patient, cidp = patient_with(kg="80", cm="165")
    WeightFactory(patient=patient, value=D("70"))  # today's weight, after the 80 kg one
    body = order_input(patient, cidp)
    client = api.as_user(scheduler)
    client.post("/api/v1/orders/preview/", body)  # warm the session, content-type and catalogue caches

    # session, user, the indication with its patient (+ risk flags), latest weight/height/eGFR in one
    # query, the audit insert; product, protocol and policy come from the process's catalogue
    with django_assert_num_queries(6):
        plan = client.post("/api/v1/orders/preview/", body).json()["plan"]

    assert (plan["dosing_weight_kg"], plan["dose_grams"]) == ("70.0", "70.00")
    assert "egfr_missing" not in {c["code"] for c in plan["checks"]}


def test_the_preview_saves_nothing_and_is_open_to_schedulers_and_nurses(api, scheduler, nurse):
    patient, cidp = patient_with()

    for user in (scheduler, nurse):
        assert (
            api.as_user(user).post("/api/v1/orders/preview/", order_input(patient, cidp)).status_code == 200
        )

    assert not TreatmentOrder.objects.exists()
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert (entry.object_pk, entry.actor, entry.additional_data["detail"]) == (
        str(patient.pk),
        nurse,
        "treatment order preview",
    )


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"dose_grams_per_kg": "-1"}, "dose_grams_per_kg", "dose_invalid"),
        ({"split_days": 0}, "split_days", "split_days_invalid"),
        ({"split_days": 6}, "split_days", "split_days_invalid"),
        ({"fixed_grams": "10"}, "dose_grams_per_kg", "dose_required"),
        ({"weight_policy": "ideal"}, "weight_policy", "height_required"),
    ],
)
def test_bad_doses_are_refused_with_a_stable_code_on_the_field_and_nothing_is_saved(
    api, manager, changes, field, code
):
    patient, cidp = patient_with()

    for path in ("/api/v1/orders/", "/api/v1/orders/preview/"):
        response = api.as_user(manager).post(path, order_input(patient, cidp, **changes))

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == code
        assert [e["code"] for e in body["fields"][field]] == [code]
    assert not TreatmentOrder.objects.exists()


def test_a_subcutaneous_product_is_refused_in_an_iv_order(api, manager):
    patient, cidp = patient_with()

    response = api.as_user(manager).post("/api/v1/orders/", order_input(patient, cidp, hizentra()))

    assert response.status_code == 400
    assert response.json()["code"] == "product_not_iv"
    assert "product" in response.json()["fields"]
    assert not TreatmentOrder.objects.exists()


def test_an_indication_the_patient_does_not_have_is_refused(api, manager):
    patient, _ = patient_with()
    _, someone_elses = patient_with()

    response = api.as_user(manager).post("/api/v1/orders/", order_input(patient, someone_elses))

    assert response.status_code == 400
    assert response.json()["code"] == "indication_not_patients"
    assert "indication" in response.json()["fields"]
    assert not TreatmentOrder.objects.exists()


def test_a_weight_based_dose_with_no_weight_on_file_is_refused(api, manager):
    patient = PatientFactory()
    cidp = DiagnosisFactory(patient=patient)

    response = api.as_user(manager).post("/api/v1/orders/", order_input(patient, cidp))

    assert response.status_code == 400
    assert response.json()["code"] == "weight_required"
    assert "dose_grams_per_kg" in response.json()["fields"]
    assert not TreatmentOrder.objects.exists()


def test_a_contraindicated_patient_is_blocked_until_a_manager_overrides_with_a_reason(api, manager):
    patient, cidp = patient_with()
    RiskFlagFactory(patient=patient, kind="prior_severe_ig_reaction")
    client = api.as_user(manager)

    blocked = client.post("/api/v1/orders/", order_input(patient, cidp))
    overridden = client.post(
        "/api/v1/orders/",
        order_input(
            patient, cidp, overrides={"contraindicated_prior_reaction": "Premedicated, ICU on standby"}
        ),
    )

    assert blocked.status_code == 409
    assert blocked.json()["code"] == "order_blocked"
    assert [c["code"] for c in blocked.json()["checks"]] == ["contraindicated_prior_reaction"]
    assert overridden.status_code == 201, overridden.json()
    [check] = overridden.json()["plan"]["checks"]
    assert check["severity"] == "block"
    assert (check["overridden_by"], check["override_reason"]) == (
        manager.username,
        "Premedicated, ICU on standby",
    )
    assert TreatmentOrder.objects.count() == 1


def test_an_override_needs_a_reason(api, manager):
    patient, cidp = patient_with()
    RiskFlagFactory(patient=patient, kind="iga_deficiency_antibodies")

    response = api.as_user(manager).post(
        "/api/v1/orders/", order_input(patient, cidp, overrides={"contraindicated_iga_antibodies": " "})
    )

    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert not TreatmentOrder.objects.exists()


def test_a_not_recommended_indication_is_blocked_and_only_a_manager_may_override_it(api, manager, nurse):
    _, aiha = patient_with(code="D59.1")
    order = OrderFactory(indication=aiha)

    as_nurse = api.as_user(nurse).post(
        f"/api/v1/orders/{order.pk}/override/",
        {"code": "indication_not_recommended", "reason": "Life-threatening"},
    )
    as_manager = api.as_user(manager).post(
        f"/api/v1/orders/{order.pk}/override/",
        {"code": "indication_not_recommended", "reason": "Life-threatening"},
    )

    assert as_nurse.status_code == 403
    assert as_nurse.json()["code"] == "override_not_allowed"
    assert as_manager.status_code == 201, as_manager.json()
    [check] = as_manager.json()["plan"]["checks"]
    assert (check["code"], check["overridden_by"]) == ("indication_not_recommended", manager.username)


def test_missing_or_old_egfr_and_old_weight_and_an_unusual_dose_are_warnings(api, scheduler):
    patient = PatientFactory()
    cidp = DiagnosisFactory(patient=patient)
    WeightFactory(patient=patient, measured_at=timezone.now() - timedelta(days=45))

    fresh = preview(api, scheduler, order_input(patient, cidp, dose_grams_per_kg="0.15"))
    EgfrFactory(patient=patient, collected_at=timezone.now() - timedelta(days=40))
    stale = preview(api, scheduler, order_input(patient, cidp))

    assert [c["code"] for c in fresh["checks"]] == ["egfr_missing", "weight_stale", "dose_out_of_range"]
    assert all(c["severity"] == "warn" for c in fresh["checks"])
    assert [c["code"] for c in stale["checks"]] == ["egfr_stale", "weight_stale"]
    assert "40 days old (over 30)" in stale["checks"][0]["message"]


def test_insurers_get_nothing_and_schedulers_cannot_create_orders(api, insurer_user, scheduler):
    patient, cidp = patient_with()

    assert api.as_user(insurer_user).get("/api/v1/orders/").status_code == 403
    assert (
        api.as_user(insurer_user).post("/api/v1/orders/preview/", order_input(patient, cidp)).status_code
        == 403
    )
    assert api.as_user(insurer_user).get("/api/v1/products/").status_code == 403
    assert api.as_user(scheduler).post("/api/v1/orders/", order_input(patient, cidp)).status_code == 403


def test_reading_orders_is_recorded_against_the_patient(api, nurse):
    order = OrderFactory()
    WeightFactory(patient=order.patient)

    api.as_user(nurse).get(f"/api/v1/orders/{order.pk}/")

    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert (entry.object_pk, entry.actor) == (str(order.patient.pk), nurse)


def test_an_order_whose_patient_lost_their_weight_shows_why_there_is_no_plan(api, nurse):
    order = OrderFactory()

    plan = api.as_user(nurse).get(f"/api/v1/orders/{order.pk}/").json()["plan"]

    assert plan["error"]["code"] == "weight_required"


def test_products_list_their_label_maxima_converted_to_ml_per_kg_per_hour(api, nurse):
    privigen()

    [product] = api.as_user(nurse).get("/api/v1/products/").json()["results"]

    assert product["hcpcs_code"] == "J1459"
    assert {r["indication_prefix"]: D(r["max_ml_per_kg_h"]) for r in product["label_rates"]} == {
        "": D("4.8"),
        "D69.3": D("2.4"),
    }


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_query_count_is_fixed(api, nurse, django_assert_num_queries, rows):
    capped_policy()
    for n in range(rows):
        patient, cidp = patient_with()
        if n % 2 == 0:  # the first is at risk, so both pages read the capped protocol's steps
            RiskFlagFactory(patient=patient, kind="diabetes")
        OrderFactory(indication=cidp)
    client = api.as_user(nurse)
    client.get("/api/v1/orders/")  # warm the session and content-type caches

    # Session, user (permissions are cached), count, orders (with patient facts), then one each for risk
    # flags, label rates, protocol steps, overrides, responses; the audit insert; policy, capped steps.
    with django_assert_num_queries(12):
        response = client.get("/api/v1/orders/")

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


def test_a_change_is_a_replacement_that_keeps_the_old_order_in_history(api, manager):
    # The new dose 0.4 g/kg x 70 kg = 28 g (20 + 5 + 3 x 1 g vials), 280 mL.
    patient, cidp = patient_with()
    client = api.as_user(manager)
    old = client.post("/api/v1/orders/", order_input(patient, cidp)).json()

    new = client.post(
        f"/api/v1/orders/{old['id']}/replace/", {"reason": "Maintenance dose", "dose_grams_per_kg": "0.4"}
    )

    assert new.status_code == 201, new.json()
    assert (new.json()["replaces"], D(new.json()["plan"]["volume_ml"])) == (old["id"], D("280"))
    before = client.get(f"/api/v1/orders/{old['id']}/").json()
    assert (before["status"], before["discontinued_reason"]) == ("discontinued", "Maintenance dose")
    assert before["replaced_by"] == new.json()["id"]
    again = client.post(f"/api/v1/orders/{old['id']}/discontinue/", {"reason": "Again"})
    assert (again.status_code, again.json()["code"]) == (409, "order_discontinued")


def test_schedulers_and_nurses_cannot_discontinue_an_order(api, scheduler, nurse):
    order = OrderFactory()

    for user in (scheduler, nurse):
        response = api.as_user(user).post(f"/api/v1/orders/{order.pk}/discontinue/", {"reason": "x"})
        assert response.status_code == 403


def test_a_nurse_records_a_response_at_the_chair_but_a_scheduler_cannot(api, scheduler, nurse):
    order = OrderFactory()
    WeightFactory(patient=order.patient)
    measure = {"cycle": 1, "measure": "ck", "value": 1}

    refused = api.as_user(scheduler).post(f"/api/v1/orders/{order.pk}/responses/", measure)
    recorded = api.as_user(nurse).post(f"/api/v1/orders/{order.pk}/responses/", measure)

    assert refused.status_code == 403
    assert recorded.status_code == 201, recorded.json()


def test_responses_recorded_through_the_api_flag_the_order_for_review(api, manager):
    # MRC sum score rises when better: 40 at baseline, 38 after cycle 2 -> flagged.
    order = OrderFactory()
    WeightFactory(patient=order.patient)
    client = api.as_user(manager)

    client.post(f"/api/v1/orders/{order.pk}/responses/", {"cycle": 0, "measure": "mrc_sum", "value": "40"})
    body = client.post(
        f"/api/v1/orders/{order.pk}/responses/", {"cycle": 2, "measure": "mrc_sum", "value": "38"}
    ).json()

    assert body["needs_review"] is True
    assert "MRC sum score (0-60) 40 at cycle 0, 38 at cycle 2" in body["review_reason"]
    assert [r["value"] for r in body["responses"]] == ["40.00", "38.00"]
    assert client.get("/api/v1/orders/", {"needs_review": "true"}).json()["count"] == 1


def test_an_order_is_put_on_hold_and_made_active_again(api, manager):
    order = OrderFactory()
    client = api.as_user(manager)

    held = client.post(f"/api/v1/orders/{order.pk}/status/", {"status": "on_hold"})
    active = client.post(f"/api/v1/orders/{order.pk}/status/", {"status": "active"})

    assert (held.json()["status"], active.json()["status"]) == ("on_hold", "active")
