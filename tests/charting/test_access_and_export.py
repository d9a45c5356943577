"""Who may chart and see what, the audit trail, the FHIR export and query counts."""

import pytest
from auditlog.models import LogEntry

from tests.charting.conftest import VITALS_OK, local, move_to, post, ready_to_start
from tests.scheduling.factories import SiteMembershipFactory

pytestmark = pytest.mark.django_db


def test_a_nurse_of_another_site_neither_sees_nor_charts_the_session(
    api, chair, clock, nurse, django_user_model
):
    session = ready_to_start(api.as_user(nurse), chair, clock)
    from django.contrib.auth.models import Group

    from clinic.roles import Role

    other = django_user_model.objects.create_user(username="olga_nurse", password="x")
    other.groups.add(Group.objects.get(name=Role.NURSE.value))
    SiteMembershipFactory(site__name="Another Center", user=other)
    api.force_login(other)
    assert api.get(f"/api/v1/sessions/{session}/").status_code == 404
    assert api.get("/api/v1/sessions/").json()["count"] == 0
    response = post(api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("08:50"), **VITALS_OK)
    assert response.status_code == 404
    assert post(api, "/api/v1/sessions/", booking=chair.booking.pk).status_code == 404


def test_a_scheduler_reads_sessions_but_cannot_chart(api, chair, clock, nurse, scheduler):
    session = ready_to_start(api.as_user(nurse), chair, clock)
    api.force_login(scheduler)
    assert api.get(f"/api/v1/sessions/{session}/").status_code == 200
    response = post(api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("08:50"), **VITALS_OK)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_every_read_of_a_session_is_in_the_audit_trail(nurse_api, chair, clock, nurse):
    session = ready_to_start(nurse_api, chair, clock)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    nurse_api.get(f"/api/v1/sessions/{session}/")
    nurse_api.get(f"/api/v1/sessions/{session}/vitals/")
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk")[before:]
    assert [(r.actor, r.object_pk) for r in reads] == [(nurse, str(chair.patient.pk))] * 2
    writes = LogEntry.objects.filter(content_type__model="vitalsreading", action=LogEntry.Action.CREATE)
    assert writes.get().actor == nurse


def test_a_vitals_reading_exports_as_a_fhir_r4_observation(nurse_api, chair, clock):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    reading = post(
        nurse_api,
        f"/api/v1/sessions/{session}/vitals/",
        taken_at=local("09:00"),
        **(VITALS_OK | {"spo2": 90}),
    ).json()
    response = nurse_api.get(f"/api/v1/sessions/{session}/vitals/{reading['id']}/fhir/", follow=True)
    # The mapping moved to the FHIR interface (fhir/): the old URL redirects there.
    assert response.redirect_chain == [(f"/fhir/R4/Observation/vitals-{reading['id']}", 301)]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    observation = response.json()
    assert observation["resourceType"] == "Observation"
    assert observation["category"][0]["coding"][0]["code"] == "vital-signs"
    assert observation["code"]["coding"][0]["code"] == "85353-1"
    assert observation["subject"] == {"reference": f"Patient/{chair.patient.pk}"}
    assert observation["effectiveDateTime"] == "2027-03-02T14:00:00+00:00"
    by_code = {c["code"]["coding"][0]["code"]: c for c in observation["component"]}
    assert by_code["8480-6"]["valueQuantity"] == {
        "value": 124.0,
        "unit": "mmHg",
        "system": "http://unitsofmeasure.org",
        "code": "mm[Hg]",
    }
    assert by_code["8867-4"]["valueQuantity"]["code"] == "/min"
    assert by_code["8310-5"]["valueQuantity"]["code"] == "Cel"
    assert [c["code"] for c in by_code["2708-6"]["code"]["coding"]] == ["2708-6", "59408-5"]
    assert by_code["2708-6"]["interpretation"][0]["coding"][0]["code"] == "L"


def test_a_vitals_submission_runs_a_fixed_number_of_queries(
    nurse_api, chair, clock, django_assert_num_queries
):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    for n in range(3):
        reading = VITALS_OK | {"heart_rate": 80 + n}  # three sets of their own, not one typed again
        post(nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("09:00"), **reading)
    # 18: the clinic's vitals limits (InfusionPolicy) are read once per submission, as they stand now,
    # and the sets charted within 5 minutes are read once (a set typed twice is questioned).
    with django_assert_num_queries(18):
        response = post(
            nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("09:00"), **VITALS_OK
        )
    assert response.status_code == 201


def test_the_session_list_does_not_grow_its_queries_with_its_rows(
    nurse_api, chair, clock, django_assert_max_num_queries
):
    session = ready_to_start(nurse_api, chair, clock)
    for n in range(4):
        reading = VITALS_OK | {"heart_rate": 80 + n}
        post(nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("08:50"), **reading)
    with django_assert_max_num_queries(20):
        assert nurse_api.get("/api/v1/sessions/").status_code == 200
