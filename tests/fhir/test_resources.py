"""Every resource type as the FHIR interface serves it: valid R4 (fhir.resources), shaped like the
official example of its type, with the codes that matter (LOINC, UCUM, HCPCS, ICD-10-CM, CTCAE).

One charted infusion (the DOMAIN worked example, 2 March 2027 from 09:00 New York, clock pinned):
35 mL/h from 09:00, a step up to 70 at 09:30, a hold at 09:45, a step up to 140 at 10:00, a grade 2
headache at 09:40, one lot, the end at 12:00.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.charting.conftest import VITALS_OK, local, move_to, post, ready_to_start
from tests.fhir.conftest import conforms, example, validate
from tests.insurance.factories import CoverageFactory, PayerFactory
from tests.scheduling.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def charted(nurse_api, nurse, chair, clock):
    def move(text):
        # The staff session ends after 15 idle minutes (clinic/session_limits.py): log in again.
        move_to(clock, text)
        nurse_api.force_login(nurse)

    session = ready_to_start(nurse_api, chair, clock)
    move("09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    move("09:30")
    post(nurse_api, f"/api/v1/sessions/{session}/rate-changes/", kind="step_up", at=local("09:30"))
    reading = post(
        nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("09:30"), **VITALS_OK
    ).json()
    move("09:45")
    post(
        nurse_api,
        f"/api/v1/sessions/{session}/rate-changes/",
        kind="hold",
        at=local("09:45"),
        reason="Headache",
    )
    reaction = post(
        nurse_api,
        f"/api/v1/sessions/{session}/reactions/",
        kind="headache",
        grade=2,
        action="medication",
        medication="Paracetamol 1 g PO",
        outcome="resolved",
        noted_at=local("09:40"),
    )
    assert reaction.status_code == 201, reaction.json()
    move("10:00")
    post(nurse_api, f"/api/v1/sessions/{session}/rate-changes/", kind="step_up", at=local("10:00"))
    lot = post(
        nurse_api,
        f"/api/v1/sessions/{session}/lots/",
        lot_number="LB1234",
        vial_size_g="30",
        vials=2,
        expiry="2028-01-31",
    )
    assert lot.status_code == 201, lot.json()
    move("12:00")
    post(nurse_api, f"/api/v1/sessions/{session}/end/", volume_given_ml="700")
    return {"session": session, "reading": reading["id"], "reaction": reaction.json()["id"]}


def read(api, path: str) -> dict:
    response = api.get(f"/fhir/R4/{path}")
    assert response.status_code == 200, response.json()
    assert response["Content-Type"] == "application/fhir+json"
    resource = response.json()
    validate(resource)
    return resource


def search(api, path: str, **params) -> list[dict]:
    response = api.get(f"/fhir/R4/{path}", params)
    assert response.status_code == 200, response.json()
    bundle = response.json()
    validate(bundle)
    assert bundle["type"] == "searchset"
    return [entry["resource"] for entry in bundle["entry"]]


def test_the_vitals_observation_is_the_panel_with_components_like_the_blood_pressure_example(
    nurse_api, charted, chair
):
    observation = read(nurse_api, f"Observation/vitals-{charted['reading']}")
    pressure = example("Observation-blood-pressure")
    assert conforms(observation, pressure) == []
    assert conforms(observation, example("Observation-vitals-panel")) == []
    ours = {c["code"]["coding"][0]["code"]: c for c in observation["component"]}
    # The example's two components (systolic, diastolic) are ours too, in the same units.
    for component in pressure["component"]:
        code = component["code"]["coding"][0]["code"]
        assert ours[code]["valueQuantity"]["system"] == "http://unitsofmeasure.org"
        assert ours[code]["valueQuantity"]["code"] == component["valueQuantity"]["code"] == "mm[Hg]"
    assert ours["8867-4"]["valueQuantity"]["code"] == "/min"
    assert ours["8310-5"]["valueQuantity"]["code"] == "Cel"
    assert ours["2708-6"]["valueQuantity"]["code"] == "%"
    assert observation["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "85353-1",
        "display": "Vital signs, weight, height, head circumference, oxygen saturation and BMI panel",
    }
    found = search(
        nurse_api, "Observation", patient=f"Patient/{chair.patient.pk}", date="ge2027-03-02T14:15:00Z"
    )
    assert [o["id"] for o in found] == [f"vitals-{charted['reading']}"]
    assert len(search(nurse_api, "Observation", code="http://loinc.org|8480-6", category="vital-signs")) == 2
    assert search(nurse_api, "Observation", code="85353-1", status="cancelled") == []
    wrong_system = nurse_api.get("/fhir/R4/Observation", {"code": "http://snomed.info/sct|8480-6"})
    assert wrong_system.status_code == 400


def test_each_constant_rate_period_is_one_medication_administration_with_the_lot(nurse_api, charted, chair):
    administrations = search(nurse_api, "MedicationAdministration", patient=chair.patient.pk)
    periods = [
        (
            a["effectivePeriod"]["start"],
            a["effectivePeriod"]["end"],
            a["dosage"]["rateQuantity"]["value"],
            a["dosage"]["dose"]["value"],
        )
        for a in administrations
    ]
    # The hold at 09:45 kept 70 mL/h: one period, not two.
    assert periods == [
        ("2027-03-02T14:00:00+00:00", "2027-03-02T14:30:00+00:00", 35, 17.5),
        ("2027-03-02T14:30:00+00:00", "2027-03-02T15:00:00+00:00", 70, 35),
        ("2027-03-02T15:00:00+00:00", "2027-03-02T17:00:00+00:00", 140, 280),
    ]
    first = administrations[0]
    assert first["status"] == "completed"
    assert first["dosage"]["rateQuantity"]["code"] == "mL/h"
    assert first["dosage"]["rateQuantity"]["system"] == "http://unitsofmeasure.org"
    lot = first["contained"][0]
    assert first["medicationReference"] == {"reference": f"#{lot['id']}"}
    assert lot["batch"] == {"lotNumber": "LB1234", "expirationDate": "2028-01-31"}
    assert first["request"] == {"reference": f"MedicationRequest/{chair.order.pk}"}
    assert conforms(first, example("MedicationAdministration-medadmin0301")) == []
    assert read(nurse_api, f"MedicationAdministration/{first['id']}") == first


def test_a_reaction_is_an_adverse_event_with_its_ctcae_grade(nurse_api, charted, chair):
    event = read(nurse_api, f"AdverseEvent/{charted['reaction']}")
    assert conforms(event, example("AdverseEvent-example")) == []
    grade = event["extension"][0]
    assert grade["url"] == "http://hl7.org/fhir/uv/ae-research-backport-ig/StructureDefinition/ae-grade"
    assert grade["valueCodeableConcept"]["coding"][0]["code"] == "2"
    assert event["severity"]["coding"][0]["code"] == "moderate"
    assert event["seriousness"]["coding"][0]["code"] == "non-serious"
    assert event["subject"] == {"reference": f"Patient/{chair.patient.pk}"}
    assert [e["id"] for e in search(nurse_api, "AdverseEvent", severity="moderate")] == [event["id"]]
    assert search(nurse_api, "AdverseEvent", severity="severe") == []


def test_a_treatment_order_is_a_medication_request_with_its_rate_steps(nurse_api, chair):
    request = read(nurse_api, f"MedicationRequest/{chair.order.pk}")
    assert conforms(request, example("MedicationRequest-medrx0301")) == []
    assert request["intent"] == "order"
    assert request["status"] == "active"
    assert request["medicationCodeableConcept"]["coding"][0]["system"] == (
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
    )
    assert request["reasonCode"][0]["coding"][0] == {
        "system": "http://hl7.org/fhir/sid/icd-10-cm",
        "code": "G61.81",
    }
    dosage = request["dosageInstruction"][0]
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 21, "periodUnit": "d"}
    steps = dosage["doseAndRate"]
    assert steps[0]["doseQuantity"] == {
        "value": 1,
        "unit": "g/kg",
        "system": "http://unitsofmeasure.org",
        "code": "g/kg",
    }
    # The worked example's protocol: 0.5-1-2-4, then 5.4 mL/kg/h.
    assert [s["rateQuantity"]["value"] for s in steps] == [0.5, 1, 2, 4, 5.4]
    assert {s["rateQuantity"]["code"] for s in steps} == {"mL/kg/h"}
    assert [
        r["id"] for r in search(nurse_api, "MedicationRequest", patient=chair.patient.pk, status="active")
    ] == [str(chair.order.pk)]
    assert search(nurse_api, "MedicationRequest", patient=chair.patient.pk, status="stopped") == []


def test_a_booking_is_an_appointment_with_its_patient_and_chair(nurse_api, chair):
    appointment = read(nurse_api, f"Appointment/{chair.booking.pk}")
    assert conforms(appointment, example("Appointment-example")) == []
    assert appointment["status"] == "booked"
    assert appointment["start"] == "2027-03-02T14:00:00+00:00"
    assert appointment["minutesDuration"] == 255
    actors = [p["actor"]["reference"] for p in appointment["participant"]]
    assert actors == [f"Patient/{chair.patient.pk}", f"Location/{chair.booking.chair_id}"]
    assert [
        a["id"] for a in search(nurse_api, "Appointment", actor=f"Location/{chair.booking.chair_id}")
    ] == [str(chair.booking.pk)]
    assert search(nurse_api, "Appointment", date="2027-03-03") == []
    assert len(search(nurse_api, "Appointment", date="2027-03-02", status="booked")) == 1
    read(nurse_api, f"Location/{chair.booking.chair_id}")


def test_a_patient_and_a_coverage_look_like_the_official_examples(api, manager):
    coverage = CoverageFactory(payer=PayerFactory(code="acme-health", name="Acme Health"), member_id="M-123")
    api.as_user(manager)
    patient = read(api, f"Patient/{coverage.patient_id}")
    assert conforms(patient, example("Patient-example")) == []
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MR"
    found = read(api, f"Coverage/{coverage.pk}")
    assert conforms(found, example("Coverage-9876B1")) == []
    assert found["subscriberId"] == "M-123"
    assert found["beneficiary"] == {"reference": f"Patient/{coverage.patient_id}"}
    assert found["payor"][0]["display"] == "Acme Health"
    assert [c["id"] for c in search(api, "Coverage", patient=coverage.patient_id, payor="acme-health")] == [
        str(coverage.pk)
    ]
    assert search(api, "Coverage", payor="blue-harbor") == []


def test_a_chair_is_a_schedule_whose_free_time_is_slots(nurse_api, chair, clock):
    chair_id = chair.booking.chair_id
    schedule = read(nurse_api, f"Schedule/{chair_id}")
    assert conforms(schedule, example("Schedule-example")) == []
    slots = search(
        nurse_api, "Slot", schedule=f"Schedule/{chair_id}", start=["ge2027-03-02", "lt2027-03-03"], _count=200
    )
    for slot in slots[:3]:
        validate(slot)
        assert conforms(slot, example("Slot-example")) == []
    starts = [s["start"] for s in slots]
    # Open 08:00-18:00; booked 09:00-13:15; the clock is 08:50, so the morning's free time has gone.
    assert starts[0] == "2027-03-02T18:15:00+00:00"  # 13:15 New York
    assert starts[-1] == "2027-03-02T22:45:00+00:00"  # the last 15 minutes before 18:00
    assert all(s["schedule"] == {"reference": f"Schedule/{chair_id}"} for s in slots)
    assert read(nurse_api, f"Slot/{slots[0]['id']}") == slots[0]
    # The booked time is not free.
    booked = f"{chair_id}-{int(chair.booking.start.timestamp())}"
    assert nurse_api.get(f"/fhir/R4/Slot/{booked}").status_code == 404
    assert date.fromisoformat(starts[0][:10]) == date(2027, 3, 2)


def test_every_search_costs_the_same_queries_for_one_row_as_for_a_page(nurse_api, charted, chair):
    """Each type's rows come with their joins (the selectors own them): no query per row."""
    for n in range(1, 50):
        BookingFactory(chair=chair.booking.chair, start=chair.booking.start + timedelta(days=n))
    searches = {
        "Appointment": 50,
        "Observation": 2,
        "MedicationAdministration": 3,
        "AdverseEvent": 1,
        "MedicationRequest": 1,
        "Coverage": 0,
        "Patient": 50,
        "Schedule": 3,
        "Location": 3,
    }
    for name, rows in searches.items():
        nurse_api.get(f"/fhir/R4/{name}", {"_count": 1})  # warm the content-type cache
        with CaptureQueriesContext(connection) as one:
            nurse_api.get(f"/fhir/R4/{name}", {"_count": 1})
        with CaptureQueriesContext(connection) as page:
            bundle = nurse_api.get(f"/fhir/R4/{name}", {"_count": 50}).json()
        assert len(bundle.get("entry", [])) == rows, name
        assert len(page) == len(one), f"{name}: {len(one)} queries for 1 row, {len(page)} for {rows}"


def test_a_page_of_50_appointments_is_a_fixed_number_of_queries(nurse_api, chair, django_assert_num_queries):
    for n in range(1, 50):
        BookingFactory(chair=chair.booking.chair, start=chair.booking.start + timedelta(days=n))
    nurse_api.get("/fhir/R4/Appointment", {"_count": 1})
    # The session, the user, the page (with the patient, chair and site, limited to the nurse's sites),
    # the audit row.
    with django_assert_num_queries(4):
        bundle = nurse_api.get("/fhir/R4/Appointment", {"_count": 50}).json()
    assert len(bundle["entry"]) == 50


def test_a_nurse_of_another_site_sees_none_of_its_bookings_or_charting(
    api, charted, chair, django_user_model
):
    from django.contrib.auth.models import Group

    from clinic.roles import Role

    other = django_user_model.objects.create_user("olga_nurse", password="pw-for-tests")
    other.groups.add(Group.objects.get(name=Role.NURSE.value))
    api.force_login(other)
    for name in (
        "Appointment",
        "Observation",
        "MedicationAdministration",
        "AdverseEvent",
        "Schedule",
        "Slot",
    ):
        response = api.get(f"/fhir/R4/{name}")
        assert response.status_code == 200, name
        assert response.json()["entry"] == [], name
    response = api.get(f"/fhir/R4/Appointment/{chair.booking.pk}")
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"
