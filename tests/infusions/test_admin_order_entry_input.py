"""Order entry in the admin answers a missing field with the form's error, never a 500."""

import pytest

from infusions.models import TreatmentOrder
from tests.factories import DiagnosisFactory, WeightFactory
from tests.infusions.test_admin import _order_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("missing", ["protocol", "product"])
def test_an_order_without_a_protocol_or_product_shows_the_field_error(client, manager, missing):
    patient = DiagnosisFactory(code="G61.81").patient
    WeightFactory(patient=patient)
    client.force_login(manager)

    response = client.post("/admin/infusions/treatmentorder/add/", _order_form(patient, **{missing: ""}))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors[missing] == ["This field is required."]
    assert not TreatmentOrder.objects.exists()
