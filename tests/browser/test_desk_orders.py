"""Order entry in Debian's Chromium at 1366x768: the plan appears as the manager types, and a second
active order of the same product for the same indication needs a confirmation."""

from decimal import Decimal as D

import pytest

from infusions import services
from infusions.models import TreatmentOrder
from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, WeightFactory
from tests.infusions.factories import ProductFactory, ProtocolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_plan_appears_live_and_a_duplicate_order_asks_first(live_server, page, screenshot, manager):
    page.set_viewport_size({"width": 1366, "height": 768})
    patient = PatientFactory(family_name="Whitfield", given_name="Ada")
    indication = DiagnosisFactory(patient=patient, code="G61.81", description="CIDP")
    WeightFactory(patient=patient, value="70")
    EgfrFactory(patient=patient)
    product, protocol = ProductFactory(), ProtocolFactory()
    services.order_create(
        created_by=manager,
        patient=patient,
        indication=indication,
        product=product,
        protocol=protocol,
        dose_grams_per_kg=D("1"),
        weight_policy="actual",
        prescriber="Dr. Okafor",
    )

    page.goto(f"{live_server.url}/admin/login/?next=/admin/infusions/treatmentorder/add/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.click(".field-patient .select2-selection")
    page.keyboard.type("Whitf")
    page.locator(".select2-results__option", has_text="Whitfield").click()
    page.fill("#id_indication_code", "G61.81")
    page.select_option("#id_product", str(product.pk))
    page.select_option("#id_protocol", str(protocol.pk))
    page.fill("#id_prescriber", "Dr. Okafor")
    page.fill("#id_start_date", "2026-12-01")
    page.fill("#id_dose_grams_per_kg", "1")
    page.select_option("#id_weight_policy", "actual")

    live = page.locator("#live-plan")
    live.get_by_text("255 min (4 h 15 min)").wait_for()
    assert TreatmentOrder.objects.count() == 1  # the plan is shown, nothing is saved
    page.fill("#id_dose_grams_per_kg", "2")
    live.get_by_text("140 g").first.wait_for()  # the plan follows the dose as it is typed
    screenshot("desk-order-live-plan")

    with page.expect_navigation():
        page.click("input[name=_save]")
    assert "already has an active order of this product for G61.81" in page.content()
    assert TreatmentOrder.objects.count() == 1
    screenshot("desk-order-duplicate-warning")

    page.check("#id_confirm_duplicate")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert TreatmentOrder.objects.count() == 2
