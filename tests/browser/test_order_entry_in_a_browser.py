"""A clinic manager enters a treatment order in the admin, picking the patient by typing their name."""

import pytest

from infusions.models import TreatmentOrder
from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, WeightFactory
from tests.infusions.factories import ProductFactory, ProtocolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_enters_an_order_and_lands_on_its_plan(live_server, page, screenshot, manager):
    patient = PatientFactory(family_name="Whitfield", given_name="Ada")
    DiagnosisFactory(patient=patient, code="G61.81", description="CIDP")
    WeightFactory(patient=patient, value="70")
    EgfrFactory(patient=patient)
    product, protocol = ProductFactory(), ProtocolFactory()

    page.goto(f"{live_server.url}/admin/login/?next=/admin/infusions/treatmentorder/add/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("input[type=submit]")

    page.click(".field-patient .select2-selection")  # the patient picker searches as you type
    page.keyboard.type("Whitf")
    page.locator(".select2-results__option", has_text="Whitfield").click()
    page.fill("#id_indication_code", "G61.81")
    page.select_option("#id_product", str(product.pk))
    page.select_option("#id_protocol", str(protocol.pk))
    page.fill("#id_prescriber", "Dr. Okafor")
    page.fill("#id_start_date", "2026-12-01")
    page.fill("#id_dose_grams_per_kg", "1")
    page.select_option("#id_weight_policy", "actual")
    page.fill("#id_interval_days", "21")
    screenshot("admin-order-entry")
    with page.expect_navigation():
        page.click("input[name=_save]")

    order = TreatmentOrder.objects.get(patient=patient)
    page.goto(f"{live_server.url}/admin/infusions/treatmentorder/{order.pk}/change/")
    assert "255 min (4 h 15 min)" in page.content()
    screenshot("admin-order-plan")
