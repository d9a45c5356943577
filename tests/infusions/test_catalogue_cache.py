"""The product catalogue and the infusion policy each web process keeps: a manager's edit is seen on the
next request, in this process and in every other one; bad ids get the same errors as before."""

from decimal import Decimal as D

import pytest
from django.core.cache import cache

from infusions import catalogue
from infusions.models import InfusionPolicy, LabelRate, Product, ProtocolStep
from tests.factories import DiagnosisFactory
from tests.infusions.test_api_orders import order_input, patient_with

pytestmark = pytest.mark.django_db

PREVIEW = "/api/v1/orders/preview/"


@pytest.fixture
def body():
    patient, cidp = patient_with(kg="70")
    return order_input(patient, cidp)


def plan(client, body) -> dict:
    response = client.post(PREVIEW, body)
    assert response.status_code == 200, response.content
    return response.json()["plan"]


def test_a_managers_product_edit_is_seen_on_the_next_preview(api, scheduler, body):
    client = api.as_user(scheduler)
    assert plan(client, body)["volume_ml"] == "700.0"

    product = Product.objects.get(pk=body["product"])
    product.concentration_percent = D("5")
    product.save()

    assert plan(client, body)["volume_ml"] == "1400.0"


def test_a_label_rate_and_a_protocol_step_edit_are_seen_on_the_next_preview(api, scheduler, body):
    client = api.as_user(scheduler)
    before = plan(client, body)

    LabelRate.objects.filter(product_id=body["product"]).delete()
    LabelRate.objects.create(
        product_id=body["product"], indication_prefix="", max_rate=D("2"), unit="ml_kg_h"
    )
    first = ProtocolStep.objects.filter(protocol_id=body["protocol"]).order_by("position").first()
    first.minutes += 15
    first.save()

    after = plan(client, body)
    assert D(after["cap_ml_per_kg_h"]) == D("2") != D(before["cap_ml_per_kg_h"])
    assert D(after["steps"][0]["minutes"]) == D(before["steps"][0]["minutes"]) + 15


def test_a_policy_edit_is_seen_on_the_next_preview(api, scheduler, body):
    client = api.as_user(scheduler)
    before = plan(client, body)["chair_minutes"]

    policy = InfusionPolicy.current()
    policy.prep_minutes += 60
    policy.save()

    assert plan(client, body)["chair_minutes"] >= before + 60


def test_an_edit_made_by_another_process_is_seen_once_it_sets_a_new_version(api, scheduler, body):
    client = api.as_user(scheduler)
    assert plan(client, body)["volume_ml"] == "700.0"

    # Another web process saved the product: the row changed and the shared version moved on.
    Product.objects.filter(pk=body["product"]).update(concentration_percent=D("20"))
    assert plan(client, body)["volume_ml"] == "700.0"  # this process's copy, until the version moves
    cache.set(catalogue.VERSION_KEY, "set-by-another-process", timeout=None)

    assert plan(client, body)["volume_ml"] == "350.0"


def test_a_product_added_a_moment_ago_is_found(api, scheduler, body):
    client = api.as_user(scheduler)
    plan(client, body)
    newer = Product.objects.create(
        brand="Octagam 10%",
        manufacturer="Octapharma",
        route="iv",
        concentration_percent=D("10"),
        vial_sizes_g=[D("2"), D("5"), D("10")],
        hcpcs_code="J1568",
    )
    catalogue._memo["version"] = cache.get(catalogue.VERSION_KEY)  # as if no signal had reached it

    assert client.post(PREVIEW, body | {"product": newer.pk}).status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"product": 999_999}, "product", "does_not_exist"),
        ({"protocol": "seven"}, "protocol", "incorrect_type"),
        ({"product": True}, "product", "incorrect_type"),
        ({"patient": 999_999}, "patient", "does_not_exist"),
        ({"indication": 999_999}, "indication", "does_not_exist"),
        ({"patient": "x"}, "patient", "incorrect_type"),
    ],
)
def test_a_bad_id_is_a_400_naming_the_field(api, scheduler, body, change, field, code):
    response = api.as_user(scheduler).post(PREVIEW, body | change)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert list(response.json()["fields"]) == [field]


def test_another_patients_diagnosis_is_still_refused(api, scheduler, body):
    theirs = DiagnosisFactory()

    response = api.as_user(scheduler).post(PREVIEW, body | {"indication": theirs.pk})

    assert response.status_code == 400 and response.json()["code"] == "indication_not_patients"
