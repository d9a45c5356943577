"""The /fhir/R4/ frame: metadata from the registry, errors as OperationOutcomes, access, paging."""

import json

import pytest
from auditlog.models import LogEntry
from rest_framework.test import APIClient

from clinic.audit import reads_of
from fhir.registry import REGISTRY
from patients.models import Patient
from tests.factories import PatientFactory
from tests.fhir.conftest import validate
from tests.insurance.factories import CoverageFactory

pytestmark = pytest.mark.django_db


def issue(response) -> dict:
    body = json.loads(response.content)
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


def test_an_insurers_token_reaches_nothing_outside_what_is_open_to_insurers(db):
    from tests.insurance.factories import CoverageFactory, PayerFactory, make_client, make_token

    payer = PayerFactory(code="acme-health")
    coverage = CoverageFactory(payer=payer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(make_client(payer))}")
    for path in ("Patient", f"Patient/{coverage.patient_id}", "Coverage", f"Coverage/{coverage.pk}", "Slot"):
        response = client.get(f"/fhir/R4/{path}")
        assert response.status_code == 403, path
        assert issue(response)["details"]["coding"][0]["code"] == "insurer_not_allowed"
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = bad.get("/fhir/R4/Patient")
    assert response.status_code == 401
    assert issue(response)["details"]["coding"][0]["code"] == "invalid_token"


def test_a_user_without_the_role_is_refused_with_a_403(api, insurer_user):
    api.as_user(insurer_user)
    response = api.get("/fhir/R4/Patient")
    assert response.status_code == 403
    assert issue(response)["code"] == "forbidden"


def test_a_search_page_is_one_audit_row_naming_the_records_and_their_patients(api, manager):
    from tests.insurance.factories import CoverageFactory

    coverages = [CoverageFactory() for _ in range(3)]
    api.as_user(manager)
    api.get("/fhir/R4/Coverage", {"_count": 2})
    row = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert row.actor == manager
    assert row.additional_data["via"] == "fhir"
    assert row.additional_data["detail"] == "Coverage search"
    assert row.additional_data["read"] == {
        "insurance.coverage": [c.pk for c in coverages[:2]],
        "patients.patient": sorted(c.patient_id for c in coverages[:2]),
    }
    assert list(reads_of(Patient, coverages[0].patient_id)) == [row]
    api.get(f"/fhir/R4/Patient/{coverages[2].patient_id}")
    assert reads_of(Patient, coverages[2].patient_id).get().additional_data["detail"] == "Patient read"


def test_pages_link_next_and_previous_and_keep_the_query(api, manager):
    patients = [PatientFactory(family_name=f"Page{n}") for n in range(5)]
    api.as_user(manager)
    seen, url, pages = [], "/fhir/R4/Patient?name=page&_count=2", []
    while url:
        bundle = api.get(url).json()
        validate(bundle)
        pages.append(bundle)
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        links = {link["relation"]: link["url"] for link in bundle["link"]}
        url = links.get("next")
        if url:
            assert "name=page" in url and "_count=2" in url
    assert seen == [str(p.pk) for p in patients]
    assert [len(p["entry"]) for p in pages] == [2, 2, 1]
    assert "total" not in pages[0]
    previous = {link["relation"]: link["url"] for link in pages[2]["link"]}["previous"]
    back = api.get(previous).json()
    assert [e["resource"]["id"] for e in back["entry"]] == [str(p.pk) for p in patients[2:4]]
    assert (
        api.get("/fhir/R4/Patient", {"name": "page", "_total": "accurate", "_count": 2}).json()["total"] == 5
    )
    # More than 200 asked: 200 served, and the next link carries on.
    assert api.get("/fhir/R4/Patient", {"_count": 5000}).status_code == 200


def test_a_search_page_of_50_costs_the_same_queries_as_a_page_of_1(api, manager, django_assert_num_queries):
    for _ in range(50):
        CoverageFactory()
    api.as_user(manager)
    api.get("/fhir/R4/Coverage", {"_count": 1})  # warm the content-type cache
    # the session, the user (with its permissions cached on the session), the page, the audit row
    with django_assert_num_queries(4):
        bundle = api.get("/fhir/R4/Coverage", {"_count": 50}).json()
    assert len(bundle["entry"]) == 50
    with django_assert_num_queries(4):
        api.get("/fhir/R4/Coverage", {"_count": 1})


def test_a_django_error_under_fhir_is_an_operation_outcome_too(api, manager):
    api.as_user(manager)
    response = api.delete("/fhir/R4/Patient/1")
    assert response.status_code == 405
    assert issue(response)["code"] == "not-supported"
    response = api.get("/fhir/R4/")
    assert response.status_code == 404
    assert issue(response)["details"]["coding"][0]["code"] == "not_found"
    response = api.get("/fhir/R4/Patient", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert issue(response)["code"] == "not-supported"


@pytest.mark.parametrize(
    "path",
    [
        "Observation/12",
        "Observation/vitals-0",
        "Slot/3",
        "Slot/3-abc",
        "Patient/99999999999999999999999",
        "Patient/1.5",
        "Patient?_count=1e3",
        "Patient?_count=-1",
        "Patient?_count=1&_count=2",
        "Patient?birthdate=0000-01-01",
        "Patient?birthdate=9999-12-31T23:59:59-14:00",
        "Appointment?status=done",
        "Appointment?actor=Location/x",
        "Appointment?date=2026-12-04,2026-12-05",
        "Slot?start=ge2027-01-01&start=lt2027-06-01",
        "Slot?schedule=Patient/3",
        "Coverage?in-force=maybe",
        "AdverseEvent?grade=7",
        "Patient?_total=all",
        "Patient?_format=xml",
        "Patient?_cursor=WyJhZnRlciIsWyJ4Il1d",
    ],
)
def test_bad_input_is_a_4xx_operation_outcome_never_a_500(api, manager, path):
    api.as_user(manager)
    response = api.get(f"/fhir/R4/{path}")
    assert 400 <= response.status_code < 500, (path, response.content[:300])
    issue(response)


def test_the_middleware_turns_any_error_page_under_fhir_into_an_operation_outcome(rf):
    from django.http import HttpResponseServerError, JsonResponse

    from clinic.middleware import ApiJsonErrorsMiddleware

    html = ApiJsonErrorsMiddleware(lambda request: HttpResponseServerError("<h1>Server Error</h1>"))
    response = html(rf.get("/fhir/R4/Patient"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/fhir+json"
    assert issue(response)["severity"] == "fatal"
    api_error = ApiJsonErrorsMiddleware(
        lambda request: JsonResponse(
            {"code": "too_many_requests", "detail": "Wait.", "fields": {}}, status=429
        )
    )
    response = api_error(rf.get("/fhir/R4/Patient"))
    assert issue(response)["details"]["coding"][0]["code"] == "too_many_requests"
    assert issue(response)["code"] == "throttled"
    # Outside /fhir/ the API's own JSON stays as it is.
    assert api_error(rf.get("/api/v1/patients/")).status_code == 429
    assert "resourceType" not in json.loads(api_error(rf.get("/api/v1/patients/")).content)


def test_a_type_or_operation_opened_to_insurers_is_reached_with_the_right_scope_only(db, monkeypatch):
    """The hook part B builds on: a registration with insurers=True (and its scope)."""
    from rest_framework.response import Response

    from fhir.registry import Found, Operation, ResourceType
    from tests.insurance.factories import PayerFactory, make_client, make_token

    seen = []

    def read(request, resource_id):
        seen.append(request.payer.code)
        return Found({"resourceType": "Basic", "id": resource_id, "code": {"text": "test"}}, None)

    def submit(request, resource_type, resource_id):
        return Response({"resourceType": "Basic", "code": {"text": request.payer.code}})

    monkeypatch.setitem(
        REGISTRY,
        "Basic",
        ResourceType(
            name="Basic",
            permission="insurance.view_priorauthorization",
            params={},
            read=read,
            search=None,
            insurers=True,
            insurer_scope="authorizations:read",
            operations={
                "submit": Operation(
                    "submit", submit, insurers=True, insurer_scope="authorizations:decide", instance=False
                )
            },
        ),
    )
    payer = PayerFactory(code="acme-health")
    app = make_client(payer)
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(app, scope='authorizations:read')}")
    assert reader.get("/fhir/R4/Basic/7").json()["id"] == "7"
    assert seen == ["acme-health"]
    response = reader.post("/fhir/R4/Basic/$submit", {}, format="json")
    assert response.status_code == 403
    assert issue(response)["details"]["coding"][0]["code"] == "insufficient_scope"
    assert reader.get("/fhir/R4/Basic").status_code == 405
    decider = APIClient()
    decider.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(app)}")
    response = decider.post("/fhir/R4/Basic/$submit", {}, format="json")
    assert response.status_code == 200
    assert response.json()["code"] == {"text": "acme-health"}
    assert decider.post("/fhir/R4/Basic/$frobnicate", {}, format="json").status_code == 404
    statement = APIClient().get("/fhir/R4/metadata").json()
    basic = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Basic")
    assert [i["code"] for i in basic["interaction"]] == ["read"]
    assert [o["name"] for o in basic["operation"]] == ["submit"]
