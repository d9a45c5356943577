"""Orders planned from the catalogue's label rows (the demo's, with the labels' real figures): the plan
starts at the label's starting rate, climbs no faster than its steps, stops at its maximum, and says so.

Hand computations are in the comment above each case (10% products: 1 mg/kg/min = 0.6 mL/kg/h).
"""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from demo.infusions import _products
from infusions.models import LabelRate
from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, WeightFactory
from tests.infusions.factories import ProtocolFactory

pytestmark = pytest.mark.django_db


def preview(api, user, product, code, kg="70"):
    patient = PatientFactory(sex="male")
    WeightFactory(patient=patient, value=D(kg))
    EgfrFactory(patient=patient)
    body = {
        "patient": patient.pk,
        "indication": DiagnosisFactory(patient=patient, code=code).pk,
        "product": product.pk,
        "protocol": ProtocolFactory().pk,  # the DOMAIN worked protocol: 0.5-1-2-4 then 5.4 mL/kg/h
        "dose_grams_per_kg": "1",
        "weight_policy": "actual",
        "split_days": 1,
        "interval_days": 21,
        "prescriber": "Dr. Amara Velasquez",
        "start_date": "2026-12-01",
    }
    response = api.as_user(user).post("/api/v1/orders/preview/", body)
    assert response.status_code == 200, response.json()
    return response.json()["plan"]


def rates(plan):
    return [D(s["rate_ml_per_hour"]) for s in plan["steps"]]


def test_privigen_for_cidp_starts_at_0_3_ml_per_kg_per_hour_as_its_label_says(api, scheduler):
    # Privigen's label: 0.5 mg/kg/min at first = 0.3 mL/kg/h at 10%: 21 mL/h for 70 kg (the protocol's
    # 0.5 mL/kg/h would be 35). Then 70, 140, 280; 5.4 is over the 8 mg/kg/min maximum (4.8): 336 mL/h.
    plan = preview(api, scheduler, _products()["Privigen"], "G61.81")

    assert rates(plan) == [D("21"), D("70"), D("140"), D("280"), D("336")]
    assert D(plan["steps"][0]["rate_ml_per_kg_h"]) == D("0.3")
    assert any(
        n.startswith("Step 1 (minute 0): the protocol's 0.5 mL/kg/h is lowered to 0.3 mL/kg/h (21 mL/h)")
        and "starting rate 0.5 mg/kg/min at 10%" in n
        for n in plan["notes"]
    )
    assert "Privigen's label starts G61.81 at 0.5 mg/kg/min for the first step" in " ".join(plan["notes"])


def test_privigen_for_itp_starts_slow_and_stops_at_its_4_mg_per_kg_per_minute(api, scheduler):
    # ITP: the same start (21 mL/h), then 70, 140; 4 and 5.4 mL/kg/h are over 4 mg/kg/min = 2.4 mL/kg/h:
    # 168 mL/h.
    plan = preview(api, scheduler, _products()["Privigen"], "D69.3")

    assert rates(plan) == [D("21"), D("70"), D("140"), D("168"), D("168")]
    assert [s["capped"] for s in plan["steps"]] == [False, False, False, True, True]


def test_gamunex_for_cidp_allows_the_protocols_start_below_its_2_mg_per_kg_per_minute(api, scheduler):
    # Gamunex-C starts CIDP at 2 mg/kg/min = 1.2 mL/kg/h: the protocol's 0.5 is under it, so 35 mL/h as
    # the protocol says; 5.4 is over the 8 mg/kg/min maximum (4.8): 336 mL/h.
    plan = preview(api, scheduler, _products()["Gamunex-C"], "G61.81")

    assert rates(plan) == [D("35"), D("70"), D("140"), D("280"), D("336")]
    assert not [n for n in plan["notes"] if "is lowered" in n]


def test_the_products_api_shows_each_labels_start_steps_and_maximum(api, scheduler):
    _products()

    response = api.as_user(scheduler).get("/api/v1/products/?search=Octagam")

    (octagam,) = response.json()["results"]
    general = next(r for r in octagam["label_rates"] if r["indication_prefix"] == "")
    assert (general["unit"], general["start_rate"], general["start_minutes"]) == ("mg_kg_min", "1.00", 30)
    assert (general["start_ml_per_kg_h"], general["step_rates"], general["step_minutes"]) == (
        "0.6",
        ["2.00", "4.00", "8.00"],
        30,
    )
    assert (general["max_rate"], general["max_ml_per_kg_h"]) == ("12.00", "7.2")


def test_a_label_row_whose_rates_do_not_rise_is_refused_with_a_clear_message():
    product = _products()["Privigen"]
    rate = LabelRate(product=product, indication_prefix="G61.0", unit="mg_kg_min", max_rate=D("8"))
    rate.start_rate, rate.step_rates = D("2"), [D("4"), D("1")]

    with pytest.raises(ValidationError) as raised:
        rate.full_clean()

    assert raised.value.error_dict["step_rates"][0].code == "label_schedule_invalid"
    rate.step_rates, rate.start_rate = [], D("9")  # a start over the maximum: the database says no too
    with pytest.raises(IntegrityError), transaction.atomic():
        rate.save()
