from datetime import timedelta

import pytest
from django.utils import timezone

from patients.models import Diagnosis, LabResult, Measurement, Patient
from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, RiskFlagFactory, WeightFactory

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "mrn": "mrn-2001",
    "given_name": "Lena",
    "family_name": "Okonkwo",
    "date_of_birth": "1968-02-29",
    "sex": "female",
    "phone": "+15555550199",
}


def test_a_scheduler_creates_a_patient_and_reads_it_back(api, scheduler):
    response = api.as_user(scheduler).post("/api/v1/patients/", NEW_PATIENT)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["mrn"] == "MRN-2001"  # normalised to upper case
    assert body["reminder_channel"] == "sms"
    assert api.get(f"/api/v1/patients/{body['id']}/").json()["family_name"] == "Okonkwo"


def test_a_new_patients_quiet_hours_are_kept_and_half_of_them_is_a_400(api, scheduler):
    client = api.as_user(scheduler)

    created = client.post(
        "/api/v1/patients/", {**NEW_PATIENT, "quiet_hours_start": "21:00", "quiet_hours_end": "08:00"}
    )
    half = client.post("/api/v1/patients/", {**NEW_PATIENT, "mrn": "mrn-2002", "quiet_hours_start": "21:00"})

    assert created.status_code == 201, created.json()
    assert (created.json()["quiet_hours_start"], created.json()["quiet_hours_end"]) == (
        "21:00:00",
        "08:00:00",
    )
    assert half.status_code == 400
    assert [e["code"] for e in half.json()["fields"]["quiet_hours_end"]] == ["quiet_hours_incomplete"]


def test_the_list_searches_by_mrn_and_name_and_filters_by_date_of_birth(api, nurse):
    target = PatientFactory(family_name="Abernathy", given_name="Quinn", date_of_birth="1955-01-02")
    PatientFactory(family_name="Zeller")
    client = api.as_user(nurse)

    by_name = client.get("/api/v1/patients/", {"search": "aberna"}).json()
    by_mrn = client.get("/api/v1/patients/", {"search": target.mrn}).json()
    by_dob = client.get("/api/v1/patients/", {"date_of_birth": "1955-01-02"}).json()

    assert [p["id"] for p in by_name["results"]] == [target.pk]
    assert [p["id"] for p in by_mrn["results"]] == [target.pk]
    assert [p["id"] for p in by_dob["results"]] == [target.pk]


def test_the_list_filters_by_diagnosis_prefix_and_risk_flag(api, nurse):
    cidp = DiagnosisFactory(code="G61.81").patient
    DiagnosisFactory(code="D69.3")
    flagged = RiskFlagFactory(kind="heart_failure").patient
    client = api.as_user(nurse)

    assert [p["id"] for p in client.get("/api/v1/patients/", {"diagnosis": "G61"}).json()["results"]] == [
        cidp.pk
    ]
    assert [
        p["id"] for p in client.get("/api/v1/patients/", {"risk_flag": "heart_failure"}).json()["results"]
    ] == [flagged.pk]


def test_the_detail_shows_the_latest_weight_and_egfr(api, nurse):
    patient = PatientFactory()
    WeightFactory(patient=patient, value="71.5", measured_at=timezone.now() - timedelta(days=40))
    WeightFactory(patient=patient, value="69.2", measured_at=timezone.now() - timedelta(days=3))
    EgfrFactory(patient=patient, value="58", collected_at=timezone.now() - timedelta(days=5))

    body = api.as_user(nurse).get(f"/api/v1/patients/{patient.pk}/").json()

    assert body["latest_weight_kg"] == "69.20"
    assert body["latest_egfr"] == "58.000"


def test_at_risk_reasons_include_flags_and_age_over_65(api, nurse):
    patient = PatientFactory(date_of_birth="1940-01-01")
    RiskFlagFactory(patient=patient, kind="diabetes")
    RiskFlagFactory(patient=patient, kind="prior_severe_ig_reaction")

    body = api.as_user(nurse).get(f"/api/v1/patients/{patient.pk}/").json()

    assert body["at_risk_reasons"] == ["Diabetes mellitus", "Age over 65"]
    assert {f["kind"]: f["is_contraindication"] for f in body["risk_flags"]} == {
        "diabetes": False,
        "prior_severe_ig_reaction": True,
    }


def test_a_scheduler_updates_contact_details(api, scheduler):
    patient = PatientFactory()

    response = api.as_user(scheduler).patch(f"/api/v1/patients/{patient.pk}/", {"email": "new@example.org"})

    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.email == "new@example.org"


def test_a_nurse_records_weight_and_labs_under_the_patient(api, nurse):
    patient = PatientFactory()
    client = api.as_user(nurse)

    weight = client.post(f"/api/v1/patients/{patient.pk}/measurements/", {"kind": "weight", "value": "72.4"})
    lab = client.post(
        f"/api/v1/patients/{patient.pk}/labs/",
        {
            "test": "egfr",
            "value": "64",
            "unit": "mL/min/{1.73_m2}",
            "collected_at": timezone.now().isoformat(),
        },
    )

    assert weight.status_code == 201, weight.json()
    assert weight.json()["unit"] == "kg"
    assert lab.status_code == 201, lab.json()
    assert Measurement.objects.get(patient=patient).recorded_by == nurse
    listed = client.get(f"/api/v1/patients/{patient.pk}/labs/").json()
    assert [row["test"] for row in listed["results"]] == ["egfr"]


def test_a_diagnosis_code_is_normalised_and_described(api, scheduler):
    patient = PatientFactory()

    response = api.as_user(scheduler).post(f"/api/v1/patients/{patient.pk}/diagnoses/", {"code": "g6181"})

    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "G61.81"
    assert "CIDP" in response.json()["description"]


# --- bad input: a 400 with a stable code, the field named, and nothing saved --------------------------------


def _assert_rejected(response, code, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert [error["code"] for error in body["fields"][field]] == [code]
    assert body["detail"].startswith(f"{field}: ")


def test_a_duplicate_mrn_is_rejected(api, scheduler):
    PatientFactory(mrn="MRN-2001")

    response = api.as_user(scheduler).post("/api/v1/patients/", NEW_PATIENT)

    _assert_rejected(response, "mrn_taken", "mrn")
    assert Patient.objects.count() == 1


def test_a_future_date_of_birth_is_rejected(api, scheduler):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = api.as_user(scheduler).post("/api/v1/patients/", {**NEW_PATIENT, "date_of_birth": tomorrow})

    _assert_rejected(response, "date_in_future", "date_of_birth")
    assert not Patient.objects.exists()


@pytest.mark.parametrize("value", ["0", "-3", "400.01", "950"])
def test_an_impossible_weight_is_rejected(api, nurse, value):
    patient = PatientFactory()

    response = api.as_user(nurse).post(
        f"/api/v1/patients/{patient.pk}/measurements/", {"kind": "weight", "value": value}
    )

    _assert_rejected(response, "weight_out_of_range", "value")
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("code", ["G6", "61.81", "U07.1", "G61.81234", "G61-81"])
def test_a_malformed_icd10_code_is_rejected(api, scheduler, code):
    patient = PatientFactory()

    response = api.as_user(scheduler).post(f"/api/v1/patients/{patient.pk}/diagnoses/", {"code": code})

    _assert_rejected(response, "icd10_invalid", "code")
    assert not Diagnosis.objects.exists()


def test_a_lab_without_a_unit_is_rejected(api, nurse):
    patient = PatientFactory()
    lab = {"test": "creatinine", "value": "1.1", "collected_at": timezone.now().isoformat()}

    missing = api.as_user(nurse).post(f"/api/v1/patients/{patient.pk}/labs/", lab)
    wrong = api.post(f"/api/v1/patients/{patient.pk}/labs/", {**lab, "unit": "kg"})

    _assert_rejected(missing, "unit_required", "unit")
    _assert_rejected(wrong, "unit_invalid", "unit")
    assert not LabResult.objects.exists()


def test_sms_reminders_without_a_phone_are_rejected(api, scheduler):
    response = api.as_user(scheduler).post(
        "/api/v1/patients/", {**NEW_PATIENT, "phone": "", "reminder_channel": "sms"}
    )

    _assert_rejected(response, "phone_required", "phone")


def test_a_missing_field_names_the_field(api, scheduler):
    response = api.as_user(scheduler).post("/api/v1/patients/", {"mrn": "X-1"})

    assert response.status_code == 400
    assert {"given_name", "family_name", "date_of_birth", "sex"} <= set(response.json()["fields"])
    assert response.json()["code"] == "required"


# --- who may ask ------------------------------------------------------------------------------------------


def test_insurers_and_anonymous_callers_get_nothing(api, insurer_user):
    patient = PatientFactory()

    anonymous = api.get(f"/api/v1/patients/{patient.pk}/")
    insurer = api.as_user(insurer_user).get("/api/v1/patients/")
    insurer_child = api.get(f"/api/v1/patients/{patient.pk}/labs/")

    assert anonymous.status_code == 403 and anonymous.json()["code"] == "not_authenticated"
    assert insurer.status_code == 403 and insurer.json()["code"] == "permission_denied"
    assert insurer_child.status_code == 403


def test_a_nurse_reads_but_cannot_create_or_change_patients(api, nurse):
    patient = PatientFactory()
    client = api.as_user(nurse)

    assert client.get("/api/v1/patients/").status_code == 200
    assert client.post("/api/v1/patients/", NEW_PATIENT).status_code == 403
    assert client.patch(f"/api/v1/patients/{patient.pk}/", {"email": "x@example.org"}).status_code == 403


def test_nobody_deletes_a_patient_through_the_api(api, manager):
    patient = PatientFactory()

    response = api.as_user(manager).delete(f"/api/v1/patients/{patient.pk}/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert Patient.objects.filter(pk=patient.pk).exists()


# --- query counts do not grow with rows -------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_query_count_is_fixed(api, nurse, django_assert_num_queries, rows):
    for _ in range(rows):
        patient = DiagnosisFactory().patient
        WeightFactory(patient=patient)
        RiskFlagFactory(patient=patient)
    client = api.as_user(nurse)
    client.get("/api/v1/patients/")  # warm the session and content-type caches

    # session, user (permissions come from the cache), count, page, 3 prefetches, audit insert
    with django_assert_num_queries(8):
        response = client.get("/api/v1/patients/")

    assert response.json()["count"] == rows
