"""The OpenAPI schema says what the API answers: shapes, nullability, formats, and every error."""

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        return yaml.safe_load(Client().get("/api/schema/").content)


def _body(schema, path, method, status):
    return schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


def _component(schema, ref):
    ref = ref["allOf"][0] if "allOf" in ref else ref  # a read-only reference is wrapped
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


@pytest.mark.parametrize("path", ["/api/v1/availability/", "/api/v1/orders/{id}/availability/"])
def test_availability_is_one_object_with_count_and_results(schema, path):
    body = _component(schema, _body(schema, path, "get", "200"))

    # The order's finder also says why nothing fits (closed, no nurse shifts, authorization, interval).
    extra = {"reasons"} if "{id}" in path else set()
    assert set(body["properties"]) == {"count", "results"} | extra
    assert body["properties"]["results"]["type"] == "array"


@pytest.mark.parametrize("rows", ["vitals", "rate-changes", "reactions", "lots"])
def test_a_sessions_rows_are_a_plain_list_without_page_parameters(schema, rows):
    operation = schema["paths"][f"/api/v1/sessions/{{session_pk}}/{rows}/"]["get"]

    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert not {p["name"] for p in operation.get("parameters", [])} & {"page", "page_size", "search"}


def test_replaced_by_may_be_null(schema):
    assert schema["components"]["schemas"]["Order"]["properties"]["replaced_by"]["nullable"] is True


@pytest.mark.parametrize(
    ("component", "field"), [("OpeningHours", "opens"), ("Patient", "quiet_hours_start")]
)
def test_wall_clock_times_are_not_claimed_as_rfc3339_times(schema, component, field):
    prop = schema["components"]["schemas"][component]["properties"][field]

    assert "format" not in prop
    assert prop["pattern"].startswith("^")


def test_the_orders_plan_is_typed_with_its_fields(schema):
    plan = _component(schema, schema["components"]["schemas"]["Order"]["properties"]["plan"])

    assert {"dose_grams", "vials", "volume_ml", "billing_units", "steps", "chair_minutes", "error"} <= set(
        plan["properties"]
    )
    step = _component(schema, plan["properties"]["steps"]["items"])
    assert {"rate_ml_per_hour", "minutes", "capped"} <= set(step["properties"])


def test_every_operation_documents_its_errors_in_the_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "detail", "fields"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"401", "403"} <= set(responses), (method, path)
            if method == "post":
                assert "409" in responses, (method, path)
            if method == "post" and "requestBody" in operation:
                assert "400" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            for status in ("400", "401", "403", "404", "409"):
                if status in responses:
                    content = responses[status]["content"]["application/json"]
                    assert content["schema"] == {"$ref": "#/components/schemas/Error"}
                    assert content["examples"], (method, path, status)


def test_requests_and_responses_carry_examples(schema):
    booking = schema["paths"]["/api/v1/bookings/"]["post"]
    patient = schema["paths"]["/api/v1/patients/"]["post"]

    assert booking["requestBody"]["content"]["application/json"]["examples"]
    assert booking["responses"]["201"]["content"]["application/json"]["examples"]
    assert patient["requestBody"]["content"]["application/json"]["examples"]


def test_request_bodies_are_documented_as_json_only(schema):
    for item in schema["paths"].values():
        for operation in item.values():
            if "requestBody" in operation:
                assert set(operation["requestBody"]["content"]) == {"application/json"}
