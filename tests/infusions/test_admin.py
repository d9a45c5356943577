"""The admin shows each order's plan and checks; managers edit products, protocols and the policy."""

from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry

from infusions import services
from infusions.models import TreatmentOrder
from tests.factories import DiagnosisFactory, RiskFlagFactory, WeightFactory
from tests.infusions.factories import OrderFactory, ProductFactory, ProtocolFactory, capped_policy

pytestmark = pytest.mark.django_db


def test_the_order_page_shows_the_plan_and_the_checks(client, manager):
    order = OrderFactory()
    WeightFactory(patient=order.patient)
    client.force_login(manager)

    page = client.get(f"/admin/infusions/treatmentorder/{order.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "255 min (4 h 15 min)" in html  # the worked example's chair time
    assert "<td>378.0</td>" in html  # the last step's pump rate
    assert "egfr_missing" in html and "No eGFR is on file" in html
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.additional_data["via"] == "admin"


def test_the_order_header_names_the_capped_protocol_the_plan_uses(client, manager):
    capped_policy()
    order = OrderFactory(protocol=ProtocolFactory(name="Standard fast"))
    WeightFactory(patient=order.patient)
    RiskFlagFactory(patient=order.patient, kind="diabetes")
    client.force_login(manager)

    html = client.get(f"/admin/infusions/treatmentorder/{order.pk}/change/").content.decode()

    used = "At-risk capped, instead of Standard fast (Diabetes mellitus)"
    header = html.split('class="form-row field-protocol_used"')[1].split("field-prescriber")[0]
    assert used in header and "Ordered:" in header
    assert f"<th>Protocol used</th><td>{used}</td>" in html  # the plan says the same


def test_the_order_list_shows_the_review_flag(client, scheduler, manager):
    order = OrderFactory()
    WeightFactory(patient=order.patient)
    services.response_record(order=order, cycle=0, measure="grip_strength", value=D("22"))
    services.response_record(order=order, cycle=2, measure="grip_strength", value=D("21"))
    client.force_login(scheduler)

    page = client.get("/admin/infusions/treatmentorder/")

    assert page.status_code == 200
    assert "⚑ Review" in page.content.decode()


def test_a_blocked_order_page_shows_the_block(client, manager):
    order = OrderFactory()
    WeightFactory(patient=order.patient)
    RiskFlagFactory(patient=order.patient, kind="iga_deficiency_antibodies")
    client.force_login(manager)

    html = client.get(f"/admin/infusions/treatmentorder/{order.pk}/change/").content.decode()

    assert "contraindicated_iga_antibodies" in html


def test_managers_edit_products_and_protocols_and_schedulers_only_read_them(client, manager, scheduler):
    product, protocol = ProductFactory(), ProtocolFactory()

    client.force_login(manager)
    assert client.get(f"/admin/infusions/product/{product.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/infusions/titrationprotocol/{protocol.pk}/change/",
        {
            "name": "Renamed",
            "description": "",
            "steps-TOTAL_FORMS": "0",
            "steps-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    protocol.refresh_from_db()
    assert protocol.name == "Renamed"
    assert client.get("/admin/infusions/infusionpolicy/").status_code == 200

    client.force_login(scheduler)
    assert client.post(f"/admin/infusions/product/{product.pk}/change/", {"brand": "X"}).status_code == 403


# --- entering a new order ---------------------------------------------------------------------------------


def _order_form(patient, **changes):
    product, protocol = ProductFactory(), ProtocolFactory()
    form = {
        "patient": patient.pk,
        "indication_code": "g61.81",
        "product": product.pk,
        "protocol": protocol.pk,
        "prescriber": "Dr. Okafor",
        "start_date": "2026-12-01",
        "dose_grams_per_kg": "1",
        "weight_policy": "actual",
        "split_days": "1",
        "interval_days": "21",
        "premedication": "Acetaminophen 650 mg PO",
    }
    form.update(changes)
    return form


def test_a_manager_enters_an_order_and_sees_its_plan(client, manager):
    patient = DiagnosisFactory(code="G61.81").patient
    WeightFactory(patient=patient)
    client.force_login(manager)
    assert client.get("/admin/infusions/treatmentorder/add/").status_code == 200

    response = client.post("/admin/infusions/treatmentorder/add/", _order_form(patient))

    assert response.status_code == 302, response.context["adminform"].form.errors
    order = TreatmentOrder.objects.get(patient=patient)
    assert (order.indication.code, order.created_by, order.status) == ("G61.81", manager, "active")
    page = client.get(f"/admin/infusions/treatmentorder/{order.pk}/change/").content.decode()
    assert "255 min (4 h 15 min)" in page


def test_an_indication_the_patient_does_not_have_is_refused_and_nothing_is_saved(client, manager):
    patient = DiagnosisFactory(code="G61.81").patient
    WeightFactory(patient=patient)
    client.force_login(manager)

    response = client.post(
        "/admin/infusions/treatmentorder/add/", _order_form(patient, indication_code="D69.3")
    )

    assert response.status_code == 200
    assert "has no diagnosis D69.3 on file" in response.content.decode()
    assert not TreatmentOrder.objects.exists()


def test_a_weight_based_dose_without_a_weight_is_refused_with_the_reason(client, manager):
    patient = DiagnosisFactory(code="G61.81").patient
    client.force_login(manager)

    response = client.post("/admin/infusions/treatmentorder/add/", _order_form(patient))

    errors = response.context["adminform"].form.errors.as_data()
    assert {e.code for field in errors.values() for e in field} & {"weight_required"}
    assert not TreatmentOrder.objects.exists()


def test_a_blocked_order_needs_a_managers_reason_which_is_recorded(client, manager):
    patient = DiagnosisFactory(code="G61.81").patient
    WeightFactory(patient=patient)
    RiskFlagFactory(patient=patient, kind="iga_deficiency_antibodies")
    client.force_login(manager)

    refused = client.post("/admin/infusions/treatmentorder/add/", _order_form(patient))

    assert "contraindicated_iga_antibodies" in refused.content.decode()
    assert not TreatmentOrder.objects.exists()

    reason = "IgA-depleted product; immunologist approved"
    given = client.post("/admin/infusions/treatmentorder/add/", _order_form(patient, override_reason=reason))

    assert given.status_code == 302
    override = TreatmentOrder.objects.get(patient=patient).overrides.get()
    assert (override.code, override.reason, override.overridden_by) == (
        "contraindicated_iga_antibodies",
        reason,
        manager,
    )


def test_schedulers_cannot_enter_orders(client, scheduler):
    client.force_login(scheduler)

    assert client.get("/admin/infusions/treatmentorder/add/").status_code == 403


def test_only_who_may_change_orders_gets_the_status_pages(client, manager, scheduler):
    order = OrderFactory()
    WeightFactory(patient=order.patient)
    url = f"/admin/infusions/treatmentorder/{order.pk}/"

    client.force_login(scheduler)
    page = client.get(f"{url}change/").content.decode()
    assert "order-status-action" not in page
    assert client.get(f"{url}discontinue/").status_code == 403
    assert client.post(f"{url}discontinue/", {"reason": "No"}).status_code == 403
    assert client.get(f"/admin/infusions/treatmentorder/add/?replaces={order.pk}").status_code == 403

    client.force_login(manager)
    page = client.get(f"{url}change/").content.decode()
    assert f'href="{url}hold/"' in page and f'href="{url}discontinue/"' in page
    assert client.post(f"{url}hold/", {"reason": "Febrile"}).status_code == 302
    assert "on hold because: Febrile" in client.get(f"{url}change/").content.decode()
    assert client.post(f"{url}discontinue/", {"reason": "Stopped"}).status_code == 302
    order.refresh_from_db()
    assert (order.status, order.discontinued_reason) == ("discontinued", "Stopped")
    # A discontinued order has no status page left to offer; asking again says why.
    assert "order-status-action" not in client.get(f"{url}change/").content.decode()
    again = client.post(f"{url}discontinue/", {"reason": "Twice"})
    assert again.status_code == 200 and "already discontinued" in again.content.decode()
