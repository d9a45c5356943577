"""A vial's GS1 barcode read into product, lot and expiry (`charting.vial_barcode`, with biip), and a
vial of another product than the order's refused, at the scan and when the lot is recorded."""

from datetime import date

import pytest

from charting.models import LotRecord, ProductBarcode
from charting.vial_barcode import BarcodeError, vial_from_barcode
from tests.charting.conftest import post, ready_to_start
from tests.infusions.factories import privigen

GAMMAGARD = "07612345678900"  # a GTIN-13 with its check digit, padded to 14
PRIVIGEN = "07612345678917"


def test_a_datamatrix_as_the_camera_reads_it_gives_gtin_lot_and_expiry():
    vial = vial_from_barcode(f"]d201{GAMMAGARD}17281231" + "10lb4471\x1d21SER9")
    assert (vial.gtin, vial.lot_number, vial.expiry) == (GAMMAGARD, "LB4471", date(2028, 12, 31))


def test_the_printed_form_reads_the_same_and_day_00_is_the_end_of_the_month():
    vial = vial_from_barcode(f"(01){GAMMAGARD}(17)280200(10)LB4471")
    assert vial.expiry == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("LB4471", "not a GS1 barcode"),
        ("0107612345678904", "no valid product number"),  # wrong check digit
        (f"(01){GAMMAGARD}(10)LB4471", "no expiry date"),
        (f"(01){GAMMAGARD}(17)281231", "no lot number"),
    ],
)
def test_a_barcode_missing_a_part_says_which(code, says):
    with pytest.raises(BarcodeError, match=says):
        vial_from_barcode(code)


@pytest.fixture
def barcodes(chair):
    ProductBarcode.objects.create(product=chair.order.product, gtin=GAMMAGARD)
    ProductBarcode.objects.create(product=privigen(), gtin=PRIVIGEN)


@pytest.mark.django_db
def test_the_scan_endpoint_fills_the_lot_and_refuses_another_product(nurse_api, chair, clock, barcodes):
    session = ready_to_start(nurse_api, chair, clock)
    url = f"/api/v1/sessions/{session}/lots/scan/"
    response = nurse_api.post(url, {"code": f"01{GAMMAGARD}17281231" + "10LB4471"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"gtin": GAMMAGARD, "lot_number": "LB4471", "expiry": "2028-12-31"}
    response = nurse_api.post(url, {"code": f"01{PRIVIGEN}17281231" + "10P1"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_product"
    assert "This vial is Privigen, not Gammagard Liquid as ordered" in response.json()["detail"]
    response = nurse_api.post(url, {"code": "hello"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "barcode_invalid")
    assert not LotRecord.objects.exists()  # a scan stores nothing


@pytest.mark.django_db
def test_recording_a_lot_of_another_product_is_refused_by_the_service_too(nurse_api, chair, clock, barcodes):
    session = ready_to_start(nurse_api, chair, clock)
    url = f"/api/v1/sessions/{session}/lots/"
    lot = {"lot_number": "P1", "vial_size_g": "10", "expiry": "2028-12-31"}
    response = post(nurse_api, url, **lot, gtin=PRIVIGEN)
    assert (response.status_code, response.json()["code"]) == (400, "wrong_product")
    response = post(nurse_api, url, **lot, gtin="00000000000000")
    assert (response.status_code, response.json()["code"]) == (400, "gtin_unknown")
    assert post(nurse_api, url, **lot, gtin=GAMMAGARD).status_code == 201
    assert post(nurse_api, url, **lot).status_code == 201  # typed, without a barcode: as before
    assert list(LotRecord.objects.values_list("gtin", flat=True).order_by("pk")) == [GAMMAGARD, ""]
