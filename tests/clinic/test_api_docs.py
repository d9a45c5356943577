import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_lists_the_patient_endpoints(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/patients/" in schema["paths"]
    assert "/api/v1/patients/{patient_id}/labs/" in schema["paths"]


def test_the_docs_page_serves_swagger_from_our_own_static_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"cdn.jsdelivr" not in response.content


def test_the_api_root_lists_its_resources(api, manager):
    response = api.as_user(manager).get("/api/v1/")

    assert response.status_code == 200
    assert "patients" in response.json()
