"""Order entry at the manager's desk: the plan and checks shown live before saving, and a duplicate
active order (same patient, product and indication) entered only on confirmation."""

import pytest

from infusions.models import TreatmentOrder
from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, WeightFactory
from tests.infusions.factories import ProductFactory, ProtocolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db):
    patient = PatientFactory(family_name="Whitfield")
    DiagnosisFactory(patient=patient, code="G61.81", description="CIDP")
    WeightFactory(patient=patient, value="70")
    EgfrFactory(patient=patient)
    product, protocol = ProductFactory(), ProtocolFactory()
    return {
        "patient": patient.pk,
        "indication_code": "G61.81",
        "product": product.pk,
        "protocol": protocol.pk,
        "prescriber": "Dr. Okafor",
        "start_date": "2026-12-01",
        "dose_grams_per_kg": "1",
        "weight_policy": "actual",
        "split_days": "1",
        "interval_days": "21",
    }


def test_the_live_plan_shows_the_plan_and_checks_of_the_form_as_typed_and_saves_nothing(
    client, manager, entry
):
    client.force_login(manager)

    shown = client.post("/admin/infusions/treatmentorder/preview/", entry).content.decode()
    incomplete = client.post(
        "/admin/infusions/treatmentorder/preview/", {**entry, "indication_code": "D69.3"}
    )

    assert "255 min (4 h 15 min)" in shown
    assert "<td>378.0</td>" in shown  # the last step's pump rate
    assert "has no diagnosis D69.3 on file" in incomplete.content.decode()
    assert TreatmentOrder.objects.count() == 0


def test_a_duplicate_active_order_needs_confirmation(client, manager, entry):
    client.force_login(manager)
    assert client.post("/admin/infusions/treatmentorder/add/", entry).status_code == 302

    refused = client.post("/admin/infusions/treatmentorder/add/", entry)
    confirmed = client.post("/admin/infusions/treatmentorder/add/", {**entry, "confirm_duplicate": "on"})

    assert "already has an active order of this product for G61.81" in refused.content.decode()
    assert confirmed.status_code == 302
    assert TreatmentOrder.objects.count() == 2


def test_schedulers_cannot_use_the_live_plan(client, scheduler, entry):
    client.force_login(scheduler)

    assert client.post("/admin/infusions/treatmentorder/preview/", entry).status_code == 403
