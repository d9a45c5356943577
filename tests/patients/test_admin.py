from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, RiskFlagFactory, WeightFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, scheduler):
    client.force_login(scheduler)
    return client


def _rows(response):
    return [row.pk for row in response.context["cl"].result_list]


def test_it_finds_a_patient_by_mrn_name_or_date_of_birth(staff):
    target = PatientFactory(mrn="MRN-777", family_name="Ferreira", date_of_birth="1958-03-14")
    PatientFactory(family_name="Lindgren", date_of_birth="1990-07-01")

    for term in ("MRN-777", "ferreira", "1958-03-14"):
        assert _rows(staff.get("/admin/patients/patient/", {"q": term})) == [target.pk], term


def test_the_list_shows_the_latest_weight_egfr_and_flags(staff):
    patient = PatientFactory()
    WeightFactory(patient=patient, value="81.3", measured_at=timezone.now() - timedelta(days=2))
    WeightFactory(patient=patient, value="79.0", measured_at=timezone.now() - timedelta(days=90))
    EgfrFactory(patient=patient, value="47")
    RiskFlagFactory(patient=patient, kind="iga_deficiency_antibodies")

    page = staff.get("/admin/patients/patient/").content.decode()

    assert "81.30 kg" in page
    assert "79.00 kg" not in page
    assert ">47 (" in page
    assert "⛔ IgA deficiency with anti-IgA antibodies" in page


def test_the_change_page_has_the_clinical_inlines_and_offers_the_indications(staff):
    patient = DiagnosisFactory(code="G61.81").patient

    page = staff.get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()

    for heading in (
        "Diagnoses",
        "Allergies",
        "Contraindications and risk flags",
        "Measurements",
        "Lab results",
    ):
        assert heading in page
    assert '<datalist id="icd10-indications">' in page
    assert 'value="D69.3"' in page


def _change_form(patient, **inlines):
    form = {
        "mrn": patient.mrn,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": "1970-05-17",
        "sex": "female",
        "phone": patient.phone,
        "email": patient.email,
        "reminder_channel": "sms",
        "preferred_language": "en",
    }
    for prefix in ("diagnoses", "allergies", "risk_flags", "measurements", "lab_results"):
        rows = inlines.get(prefix, [])
        initial = sum(1 for row in rows if "id" in row)
        form |= {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
        for n, row in enumerate(rows):
            form |= {f"{prefix}-{n}-{name}": value for name, value in row.items()}
    return form


def test_a_bad_weight_entered_in_the_admin_is_refused_with_the_reason(staff):
    patient = PatientFactory()
    weight = {"kind": "weight", "value": "450", "measured_at_0": "2026-01-05", "measured_at_1": "10:00"}
    form = _change_form(patient, measurements=[weight])

    response = staff.post(f"/admin/patients/patient/{patient.pk}/change/", form)

    assert response.status_code == 200
    assert "A weight must be more than 0 and at most 400 kg." in response.content.decode()
    assert not patient.measurements.exists()


def test_the_admin_is_branded(staff):
    assert "Infusion Clinic" in staff.get("/admin/").content.decode()


def test_a_weight_added_in_the_admin_says_who_recorded_it_and_an_allergy_is_kept_trimmed(staff, scheduler):
    patient = PatientFactory()
    weight = {"kind": "weight", "value": "71.5", "measured_at_0": "2026-01-05", "measured_at_1": "10:00"}
    allergy = {"substance": "  penicillin ", "reaction": "rash", "severity": "mild", "noted_on": "2025-11-02"}

    response = staff.post(
        f"/admin/patients/patient/{patient.pk}/change/",
        _change_form(patient, measurements=[weight], allergies=[allergy]),
    )

    assert response.status_code == 302
    assert [(m.value, m.recorded_by) for m in patient.measurements.all()] == [(71.5, scheduler)]
    assert [(a.substance, str(a.noted_on)) for a in patient.allergies.all()] == [("penicillin", "2025-11-02")]


def test_a_diagnosis_corrected_and_a_flag_removed_in_the_admin_leave_the_record_as_staff_left_it(
    client, manager
):
    client.force_login(manager)  # removing needs the delete permission a manager has
    patient = PatientFactory()
    diagnosis = DiagnosisFactory(patient=patient, code="G61.81")
    flag = RiskFlagFactory(patient=patient)
    corrected = {"id": diagnosis.pk, "patient": patient.pk, "code": "G63.0", "is_primary": "on"}
    removed = {"id": flag.pk, "patient": patient.pk, "kind": flag.kind, "note": flag.note, "DELETE": "on"}
    removed["noted_on"] = str(flag.noted_on)

    response = client.post(
        f"/admin/patients/patient/{patient.pk}/change/",
        _change_form(patient, diagnoses=[corrected], risk_flags=[removed]),
    )

    assert response.status_code == 302
    assert list(patient.diagnoses.values_list("code", flat=True)) == ["G63.0"]
    assert not patient.risk_flags.exists()


def test_a_patient_added_in_the_admin_keeps_the_quiet_hours_given(staff):
    form = _change_form(PatientFactory.build(mrn="MRN-ADMIN-1"))
    form |= {"quiet_hours_start": "21:00", "quiet_hours_end": "08:00"}

    response = staff.post("/admin/patients/patient/add/", form)

    assert response.status_code == 302
    from patients.models import Patient

    added = Patient.objects.get(mrn="MRN-ADMIN-1")
    assert (str(added.quiet_hours_start), str(added.quiet_hours_end)) == ("21:00:00", "08:00:00")
