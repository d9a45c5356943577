"""The admin shows each order's plan and checks; managers edit products, protocols and the policy."""

from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry

from infusions import services
from tests.factories import RiskFlagFactory, WeightFactory
from tests.infusions.factories import OrderFactory, ProductFactory, ProtocolFactory

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
