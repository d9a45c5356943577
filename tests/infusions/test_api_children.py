"""Children through the real API and admin: the issue's boy of 3 years, 14 kg, 95 cm with Kawasaki
disease (M30.3), Gammagard Liquid 2 g/kg; and the dose checks against actual weight for everyone.

"Now" is Monday 1 March 2027, 06:00 New York (the `calendar_now` fixture). Hand computations above
each case (10% products: 1 g = 10 mL).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D

import pytest

from infusions import services
from infusions.models import InfusionPolicy, LabelRate, TitrationProtocol, TreatmentOrder
from scheduling.models import Booking, NurseShift
from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, SiteFactory, WeightFactory
from tests.infusions.calendar import NEW_YORK
from tests.infusions.factories import ProductFactory, ProtocolFactory
from tests.infusions.test_admin import _order_form
from tests.scheduling.factories import ChairFactory, OpeningHoursFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_now")]

BOY_BORN = date(2023, 6, 14)  # 3 years old on 1 March 2027
KAWASAKI_STEPS = [("0.5", 30), ("1", 30), ("4", None)]


def person(kg, cm, *, born=date(1970, 5, 17), sex="female", code="G61.81"):
    patient = PatientFactory(date_of_birth=born, sex=sex)
    WeightFactory(patient=patient, value=D(kg))
    WeightFactory(patient=patient, kind="height", value=D(cm))
    EgfrFactory(patient=patient)
    return patient, DiagnosisFactory(patient=patient, code=code, description="")


def the_boy():
    return person("14", "95", born=BOY_BORN, sex="male", code="M30.3")


def body(patient, indication, product=None, protocol=None, **changes):
    return {
        "patient": patient.pk,
        "indication": indication.pk,
        "product": (product or ProductFactory()).pk,
        "protocol": (protocol or ProtocolFactory()).pk,
        "dose_grams_per_kg": "2",
        "weight_policy": "actual",
        "prescriber": "Dr. Amara Velasquez",
        "start_date": "2027-03-01",
    } | changes


def preview(api, user, payload):
    return api.as_user(user).post("/api/v1/orders/preview/", payload)


@pytest.mark.parametrize("policy", ["actual", "auto"])
def test_the_boy_gets_28_g_by_his_actual_weight_and_the_plan_says_why(api, scheduler, policy):
    # 2 g/kg x 14 kg = 28 g = 280 mL; no check (28 g / 14 kg = 2 g/kg, 20 mL/kg).
    patient, kawasaki = the_boy()

    response = preview(api, scheduler, body(patient, kawasaki, weight_policy=policy))

    assert response.status_code == 200, response.json()
    plan = response.json()["plan"]
    assert [D(plan[k]) for k in ("dosing_weight_kg", "actual_weight_kg", "dose_grams", "volume_ml")] == [
        D("14"),
        D("14"),
        D("28"),
        D("280"),
    ]
    assert plan["dosing_weight_basis"] == "actual"
    assert plan["checks"] == []
    assert plan["notes"][0].startswith("child: actual body weight 14 kg is used (age 3 y)")
    assert plan["age_band"] == {
        "band": "preschool",
        "age": "3 y",
        "child_rules": True,
        "rule": "age",
        "reason": "age 3 y",
    }
    assert [p["text"] for p in plan["premedication"]] == [
        "Acetaminophen 210 mg PO (15 mg/kg x 14 kg)",
        "Diphenhydramine 14 mg PO (1 mg/kg x 14 kg)",
    ]


@pytest.mark.parametrize("policy", ["ideal", "adjusted"])
def test_ideal_and_adjusted_weight_are_refused_for_the_boy_in_preview_and_create(api, manager, policy):
    # Devine's base weight would make him 50 kg (100 g, 1,000 mL) or 35.6 kg (71.2 g).
    patient, kawasaki = the_boy()
    payload = body(patient, kawasaki, weight_policy=policy)

    previewed = preview(api, manager, payload)
    created = api.as_user(manager).post("/api/v1/orders/", payload)

    for response in (previewed, created):
        assert response.status_code == 400
        assert response.json()["code"] == "weight_policy_child"
        assert "weight_policy" in response.json()["fields"]
    assert not TreatmentOrder.objects.exists()


def test_the_paediatric_method_lets_ideal_weight_through_and_the_actual_weight_check_still_runs(
    api, scheduler
):
    # Traub & Kichen: 1.65 x 95^2 / 1000 = 14.9 kg; 2 g/kg = 29.8 g, which is 2.13 g/kg of his 14 kg.
    InfusionPolicy.objects.filter(pk=InfusionPolicy.current().pk).update(paediatric_ideal_weight=True)
    patient, kawasaki = the_boy()

    plan = preview(api, scheduler, body(patient, kawasaki, weight_policy="ideal")).json()["plan"]

    assert (D(plan["dosing_weight_kg"]), plan["dosing_weight_basis"]) == (D("14.9"), "ideal")
    assert [(c["code"], c["severity"]) for c in plan["checks"]] == [("dose_over_max", "block")]


def test_an_adult_given_2_g_per_kg_of_ideal_weight_that_is_2_4_of_her_actual_is_blocked(
    api, manager, scheduler
):
    # Female 165 cm: Devine 56.9 kg; she weighs 47.4 kg. 2 x 56.9 = 113.8 g = 2.40 g/kg of 47.4 kg > 2.
    # The bag, 114 g rounded to vials = 1,140 mL, is 24.1 mL/kg: under the 25 mL/kg limit.
    patient, cidp = person("47.4", "165")
    payload = body(patient, cidp, weight_policy="ideal")

    plan = preview(api, scheduler, payload).json()["plan"]
    refused = api.as_user(manager).post("/api/v1/orders/", payload)
    given = api.as_user(manager).post(
        "/api/v1/orders/", payload | {"overrides": {"dose_over_max": "Prescriber confirmed the loading dose"}}
    )

    [check] = plan["checks"]
    assert (check["code"], check["severity"]) == ("dose_over_max", "block")
    assert "113.8 g per cycle is 2.4 g/kg of the patient's actual weight (47.4 kg)" in check["message"]
    assert (refused.status_code, refused.json()["code"]) == (409, "order_blocked")
    assert [c["code"] for c in refused.json()["checks"]] == ["dose_over_max"]
    assert given.status_code == 201, given.json()
    [overridden] = given.json()["plan"]["checks"]
    assert (overridden["overridden_by"], overridden["override_reason"]) == (
        manager.username,
        "Prescriber confirmed the loading dose",
    )


def test_a_scheduler_cannot_override_the_dose_block(api, scheduler):
    patient, cidp = person("70", "170")

    response = api.as_user(scheduler).post(
        "/api/v1/orders/", body(patient, cidp, dose_grams_per_kg="3", overrides={"dose_over_max": "x"})
    )

    assert response.status_code == 403
    assert not TreatmentOrder.objects.exists()


def test_a_bag_over_the_clinics_ml_per_kg_blocks_and_splitting_the_dose_clears_it(api, scheduler):
    # A 5% product: 2 g/kg x 70 kg = 140 g = 2,800 mL in one day = 40 mL/kg > 25; over 2 days 20 mL/kg.
    patient, gbs = person("70", "170", code="G61.0")
    dilute = ProductFactory(brand="Dilute 5%", concentration_percent=D("5"), hcpcs_code="J1599")

    one_day = preview(api, scheduler, body(patient, gbs, dilute)).json()["plan"]
    two_days = preview(api, scheduler, body(patient, gbs, dilute, split_days=2)).json()["plan"]

    assert [c["code"] for c in one_day["checks"]] == ["volume_over_max"]
    assert (
        "40 mL/kg of the patient's actual weight (70 kg), over the clinic's 25 mL/kg"
        in (one_day["checks"][0]["message"])
    )
    assert two_days["checks"] == []


def test_a_label_maximum_per_indication_replaces_the_clinics(api, scheduler):
    # Primary immunodeficiency (D80): the label row says 0.8 g/kg; 1 g/kg is over it, 0.6 is not.
    patient, pi = person("70", "170", code="D80.0")
    product = ProductFactory()
    LabelRate.objects.create(
        product=product, indication_prefix="D80", max_rate=D("5"), unit="ml_kg_h", max_dose_g_per_kg=D("0.8")
    )

    over = preview(api, scheduler, body(patient, pi, product, dose_grams_per_kg="1")).json()["plan"]
    under = preview(api, scheduler, body(patient, pi, product, dose_grams_per_kg="0.6")).json()["plan"]

    assert [c["code"] for c in over["checks"]] == ["dose_over_max"]
    assert (
        "over the 0.8 g/kg maximum for D80.0 (Gammagard Liquid's label data, the D80 row)"
        in (over["checks"][0]["message"])
    )
    assert under["checks"] == []


def test_the_admin_form_refuses_ideal_weight_for_the_boy_and_his_order_page_shows_the_child_rule(
    client, manager
):
    patient, _ = the_boy()
    form = _order_form(
        patient,
        indication_code="M30.3",
        start_date="2027-03-01",
        dose_grams_per_kg="2",
        weight_policy="ideal",
    )
    client.force_login(manager)

    refused = client.post("/admin/infusions/treatmentorder/add/", form)
    given = client.post("/admin/infusions/treatmentorder/add/", form | {"weight_policy": "auto"})

    errors = refused.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["weight_policy"]] == ["weight_policy_child"]
    assert given.status_code == 302
    order = TreatmentOrder.objects.get(patient=patient)
    page = client.get(f"/admin/infusions/treatmentorder/{order.pk}/change/").content.decode()
    assert "child: actual body weight 14 kg is used (age 3 y)" in page
    assert "preschool (3-5 y), 3 y; child rules (age 3 y)" in page
    assert "Acetaminophen 210 mg PO (15 mg/kg x 14 kg)" in page


@pytest.fixture
def long_day():
    """A site open 07:00-20:00 on weekdays with two nurses 06:30-20:30 on Tuesday 2 March 2027."""
    site = SiteFactory(name="Long Day Center", time_zone="America/New_York")
    for weekday in range(5):
        OpeningHoursFactory(site=site, weekday=weekday, opens=time(7, 0), closes=time(20, 0))
    start = datetime(2027, 3, 2, 6, 30, tzinfo=NEW_YORK)
    for name in ("Nell", "Omar"):
        NurseShift.objects.create(site=site, name=name, start=start, end=start + timedelta(hours=14))
    return ChairFactory(site=site, name="R1")


def test_a_kawasaki_order_books_one_eleven_hour_session(api, manager, scheduler, long_day):
    # The boy: 280 mL over 10-12 h (0.5 then 1 mL/kg/h for 30 min each, then 30 mL/h): 599 min of
    # infusion, 660 chair minutes: 07:00-18:00.
    patient, kawasaki = the_boy()
    protocol = ProtocolFactory(name="Kawasaki over 10-12 h", steps=KAWASAKI_STEPS)
    protocol.over_hours_min, protocol.over_hours_max = D("10"), D("12")
    protocol.save()
    inputs = {
        "patient": patient,
        "indication": kawasaki,
        "product": ProductFactory(),
        "protocol": protocol,
        "dose_grams_per_kg": D("2"),
        "weight_policy": "auto",
        "prescriber": "Dr. Test",
        "start_date": date(2027, 3, 1),
    }
    order = services.order_create(created_by=manager, **inputs)

    response = api.as_user(scheduler).post(
        f"/api/v1/orders/{order.pk}/book/",
        {"chair": long_day.pk, "start": datetime(2027, 3, 2, 7, 0, tzinfo=NEW_YORK).isoformat()},
    )

    assert response.status_code == 201, response.json()
    [booking] = response.json()["bookings"]
    assert (booking["local_start"], booking["local_end"]) == (
        "2027-03-02T07:00:00-05:00",
        "2027-03-02T18:00:00-05:00",
    )
    assert booking["duration_minutes"] == 660
    plan = api.as_user(scheduler).get(f"/api/v1/orders/{order.pk}/").json()["plan"]
    assert [D(s["rate_ml_per_hour"]) for s in plan["steps"]] == [D("7.0"), D("14.0"), D("30.0")]


def test_the_calendar_takes_sessions_up_to_the_longest_protocol_and_no_longer(api, scheduler, long_day):
    # Longest protocol 12 h + 30 + 30 min = 13 h: 07:00-20:00 is accepted, 13 h 15 min is not.
    ProtocolFactory(name="Kawasaki over 10-12 h", steps=KAWASAKI_STEPS)
    TitrationProtocol.objects.filter(name="Kawasaki over 10-12 h").update(
        over_hours_min=D("10"), over_hours_max=D("12")
    )
    start = datetime(2027, 3, 2, 6, 45, tzinfo=NEW_YORK)

    def book(minutes, at=start):
        payload = {"chair": long_day.pk, "patient": PatientFactory().pk, "start": at.isoformat()}
        return api.as_user(scheduler).post("/api/v1/bookings/", payload | {"duration_minutes": minutes})

    too_long = book(13 * 60 + 15)
    thirteen = book(13 * 60, start + timedelta(minutes=15))

    assert (too_long.status_code, too_long.json()["code"]) == (400, "too_long")
    assert "longer than 13 hours" in too_long.json()["detail"]
    assert thirteen.status_code == 201, thirteen.json()
    assert Booking.objects.count() == 1
