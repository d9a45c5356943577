"""A vial's barcode string, typed or as the camera reads it, fills the lot form with lot and expiry; a
vial of another product than the order's is refused on the tablet (Chromium, both orientations)."""

import pytest
from playwright.sync_api import expect

from charting.models import LotRecord, ProductBarcode
from tests.browser import test_chairside_session as chairside
from tests.infusions.factories import privigen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

clocks, booked = chairside.clocks, chairside.booked
checked_in, running = chairside.checked_in, chairside.running
SIZES = {"landscape": {"width": 1180, "height": 820}, "portrait": {"width": 820, "height": 1180}}
GAMMAGARD, PRIVIGEN = "07612345678900", "07612345678917"


@pytest.mark.parametrize("size", list(SIZES))
def test_a_barcode_string_is_parsed_into_lot_and_expiry(live_server, page, screenshot, nurse, running, size):
    ProductBarcode.objects.create(product=running.order.product, gtin=GAMMAGARD)
    ProductBarcode.objects.create(product=privigen(), gtin=PRIVIGEN)
    page.set_viewport_size(SIZES[size])
    chairside.log_in(page, live_server, nurse)
    page.goto(f"{live_server.url}/chairside/bookings/{running.booking_id}/")
    card = page.locator("#lot-card")
    card.locator("#barcode").fill(f"(01){PRIVIGEN}(17)281231(10)P-99")
    card.locator("#read-barcode").click()
    expect(card.locator("#scan-status")).to_contain_text(
        "Refused: This vial is Privigen, not Gammagard Liquid"
    )
    assert card.locator('[name="lot_number"]').input_value() == ""

    # As a DataMatrix reads: no parentheses, FNC1 as the GS character after the variable-length lot.
    card.locator("#barcode").fill(f"01{GAMMAGARD}17281231" + "10LB4471")
    card.locator("#barcode").press("Enter")
    expect(card.locator("#scan-status")).to_contain_text("Read: lot LB4471, expires 2028-12-31")
    assert card.locator('[name="lot_number"]').input_value() == "LB4471"
    assert card.locator('[name="expiry"]').input_value() == "2028-12-31"
    screenshot(f"tablet-scan-lot-{size}")
    assert "Lot saved" in chairside.submit(page, "Lot", {"vial_size_g": "10", "vials": "2"})
    lot = LotRecord.objects.get(session=running)
    assert (lot.lot_number, lot.gtin, lot.vials, str(lot.expiry)) == ("LB4471", GAMMAGARD, 2, "2028-12-31")
