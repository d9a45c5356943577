"""What a vial's GS1 barcode says: the product (GTIN), the lot and the expiry.

No Django: the GS1 element strings are read by `biip` (a well-kept GS1 parser). A DataMatrix scanned by
the camera comes as the raw string (with or without its "]d2" symbology prefix, FNC1 as the GS
character); a barcode typed from the label comes in its human-readable form, "(01)...(17)...(10)...".
Expiry dates with day "00" mean the end of that month (GS1 General Specifications, 7.12), as biip reads.
"""

from dataclasses import dataclass
from datetime import date

from biip import ParseError
from biip import parse as biip_parse
from biip.gs1_messages import GS1Message


class BarcodeError(ValueError):
    """The string is not a GS1 barcode with a product, a lot and an expiry."""


@dataclass(frozen=True)
class Vial:
    gtin: str  # 14 digits
    lot_number: str
    expiry: date


def _message(code: str) -> GS1Message | None:
    code = (code or "").strip()
    if code.startswith("("):
        try:
            return GS1Message.parse_hri(code)
        except ParseError:
            return None
    result = biip_parse(code)
    return result.gs1_message


def vial_from_barcode(code: str) -> Vial:
    """The vial a GS1 barcode describes; raises BarcodeError saying what is missing."""
    message = _message(code)
    if message is None:
        raise BarcodeError("This is not a GS1 barcode of a vial: scan the DataMatrix, or type the lot.")
    found = {e.ai.ai: e for e in message.element_strings}
    gtin, lot, expiry = found.get("01"), found.get("10"), found.get("17")
    if gtin is None or gtin.gtin is None:
        error = gtin.gtin_error if gtin is not None else "no product number (GTIN, AI 01)"
        raise BarcodeError(f"The barcode has no valid product number: {error.rstrip('.')}.")
    if lot is None:
        raise BarcodeError("The barcode has no lot number (AI 10): type it from the label.")
    if expiry is None or expiry.date is None:
        raise BarcodeError("The barcode has no expiry date (AI 17): type it from the label.")
    return Vial(gtin=gtin.gtin.value.zfill(14), lot_number=lot.value.strip().upper(), expiry=expiry.date)
