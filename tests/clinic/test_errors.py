import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No such endpoint or record.", "fields": {}}


def test_a_missing_record_is_a_json_404_with_a_code(api, manager):
    response = api.as_user(manager).get("/api/v1/patients/999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_malformed_json_is_a_400_with_a_code(api, manager):
    response = api.as_user(manager).post("/api/v1/patients/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"]


def test_a_page_size_above_the_maximum_is_capped(api, manager):
    response = api.as_user(manager).get("/api/v1/patients/", {"page_size": 5000})

    assert response.status_code == 200
    assert set(response.json()) == {"count", "next", "previous", "results"}


def test_a_service_conflict_becomes_a_409_with_its_code_and_context(rf):
    from clinic.errors import Conflict, exception_handler

    response = exception_handler(
        Conflict("chair_conflict", "Chair 3 is booked 10:00-14:00.", booking=7), {"request": rf.get("/")}
    )

    assert response.status_code == 409
    assert response.data == {
        "code": "chair_conflict",
        "detail": "Chair 3 is booked 10:00-14:00.",
        "fields": {},
        "booking": 7,
    }


def test_a_coded_permission_denied_keeps_its_code_and_sentence(rf):
    from django.core.exceptions import PermissionDenied

    from clinic.errors import exception_handler

    denied = PermissionDenied("Only a clinic manager may override a block.")
    denied.code = "override_not_allowed"
    response = exception_handler(denied, {"request": rf.get("/")})

    assert response.status_code == 403
    assert response.data["code"] == "override_not_allowed"
    assert response.data["detail"] == "Only a clinic manager may override a block."
