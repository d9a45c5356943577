"""The /fhir/R4/ frame: metadata from the registry, errors as OperationOutcomes, access, paging."""

import pytest

from fhir.registry import REGISTRY
from tests.factories import PatientFactory
from tests.fhir.conftest import validate

pytestmark = pytest.mark.django_db


def issue(response) -> dict:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome", body
    validate(body)
    return body["issue"][0]


def test_metadata_lists_exactly_the_registered_types_with_their_search_parameters(api):
    response = api.get("/fhir/R4/metadata")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    statement = response.json()
    validate(statement)
    resources = {entry["type"]: entry for entry in statement["rest"][0]["resource"]}
    assert set(resources) == set(REGISTRY)
    for name, entry in resources.items():
        params = {param["name"] for param in entry.get("searchParam", [])}
        searchable = REGISTRY[name].search is not None
        assert params == (set(REGISTRY[name].params) | {"_count", "_total"} if searchable else set())


def test_a_staff_member_reads_and_searches_patients(api, manager):
    patient = PatientFactory(family_name="Okafor", given_name="Ada", mrn="MRN-7")
    PatientFactory(family_name="Berg")
    api.as_user(manager)
    response = api.get(f"/fhir/R4/Patient/{patient.pk}")
    assert response.status_code == 200, response.json()
    assert response.json()["identifier"][0]["value"] == "MRN-7"
    bundle = api.get("/fhir/R4/Patient", {"family": "oka"}).json()
    validate(bundle)
    assert bundle["total"] == 1
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(patient.pk)]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("Frobnicate", 404, "resource_type_unknown"),
        ("Patient/abc", 400, "id_invalid"),
        ("Patient/99999999", 404, "not_found"),
        ("Patient?colour=red", 400, "search_param_unknown"),
        ("Patient?family:exact=x", 400, "search_param_unknown"),
        ("Patient?_count=0", 400, "count_invalid"),
        ("Patient?_count=ten", 400, "count_invalid"),
        ("Patient?birthdate=1970-13-01", 400, "date_invalid"),
        ("Patient?birthdate=ab1970", 400, "date_invalid"),
        ("Patient?birthdate=sa1970", 400, "date_prefix_not_supported"),
        ("Observation?date=2026-12-04T09:30:00", 400, "datetime_naive"),
        ("Observation?patient=Device/3", 400, "reference_invalid"),
        ("Patient?_cursor=nonsense", 400, "cursor_invalid"),
        ("Patient/1/extra/bits", 404, "not_found"),
    ],
)
def test_every_bad_request_is_an_operation_outcome_with_a_4xx(api, manager, path, status, code):
    api.as_user(manager)
    response = api.get(f"/fhir/R4/{path}")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/fhir+json")
    assert issue(response)["details"]["coding"][0]["code"] == code


def test_without_credentials_it_is_a_401_operation_outcome(api):
    response = api.get("/fhir/R4/Patient")
    assert response.status_code == 401
    assert issue(response)["code"] == "login"
    assert response["WWW-Authenticate"]
