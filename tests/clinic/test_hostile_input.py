"""Hostile or careless input gets a 400 with a stable code, and every error under /api/ is JSON."""

import pytest

from patients.models import Measurement, Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

PATIENT = {
    "mrn": "MRN-DEEP-1",
    "given_name": "Ada",
    "family_name": "Whitfield",
    "date_of_birth": "1970-05-04",
    "sex": "female",
    "phone": "+15555550100",
}


@pytest.mark.parametrize("depth", [100_000, 40])
def test_deeply_nested_json_is_a_400_json_too_deep(api, manager, depth):
    body = '{"mrn": ' + "[" * depth + "]" * depth + "}"

    response = api.as_user(manager).post("/api/v1/patients/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"
    assert "deeper" in response.json()["detail"]
    assert not Patient.objects.exists()


def test_json_nested_a_few_levels_is_read_as_usual(api, manager):
    response = api.as_user(manager).post("/api/v1/patients/", PATIENT, format="json")

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("size", ["ten", "0", "-3", "2.5", ""])
def test_a_page_size_that_is_not_a_positive_whole_number_is_a_400(api, manager, size):
    response = api.as_user(manager).get("/api/v1/patients/", {"page_size": size})

    assert response.status_code == 400
    assert response.json()["code"] == "page_size_invalid"
    assert response.json()["fields"]["page_size"][0]["detail"]


def test_a_measurement_at_a_naive_time_is_refused(api, manager):
    patient = PatientFactory()

    response = api.as_user(manager).post(
        f"/api/v1/patients/{patient.pk}/measurements/",
        {"kind": "weight", "value": "70.0", "measured_at": "2026-12-01T09:00:00"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"]["measured_at"][0]["code"] == "naive_datetime"
    assert not Measurement.objects.filter(patient=patient).exists()


def test_a_lab_collected_at_a_naive_time_is_refused_through_the_model_serializer(api, manager):
    patient = PatientFactory()

    response = api.as_user(manager).post(
        f"/api/v1/patients/{patient.pk}/labs/",
        {"test": "egfr", "value": "80", "collected_at": "2026-12-01T09:00:00"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"]["collected_at"][0]["code"] == "naive_datetime"


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/v1/bookings/abc/reschedule/", 404), ("/api/v1/no-such-thing/", 404), ("/api/nothing", 404)],
)
def test_an_unknown_api_url_is_json_whatever_debug_says(client, manager, settings, debug, path, status):
    settings.DEBUG = debug
    client.force_login(manager)

    response = client.get(path)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "No such endpoint or record.", "fields": {}}


def test_a_method_an_endpoint_does_not_take_is_a_json_405(api, manager, settings):
    settings.DEBUG = True

    response = api.as_user(manager).delete("/api/v1/patients/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_pages_outside_the_api_keep_djangos_html_404(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_html_error_of_another_status_keeps_its_status_and_gets_a_fitting_code(rf):
    from django.http import HttpResponse

    from clinic.middleware import ApiJsonErrorsMiddleware

    def too_many(request):
        return HttpResponse("<h1>Slow down</h1>", status=429)

    response = ApiJsonErrorsMiddleware(too_many)(rf.get("/api/v1/patients/"))

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert b'"too_many_requests"' in response.content
