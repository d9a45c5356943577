"""What every piece of the plan arithmetic shares: its error, and checked, rounded Decimals.

Standard library only. Floats are refused (``TypeError``): a pump rate or a billed unit must not depend
on binary rounding.
"""

from decimal import ROUND_HALF_UP, Decimal


class PlanError(Exception):
    """An order that cannot be planned. ``code`` is stable for API clients; ``field`` names the input."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code, self.field, self.message = code, field, message


def q(value: Decimal, places: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Return ``value`` rounded to ``places`` decimal places (ROUND_HALF_UP unless told otherwise)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def dec(value: object, field: str, code: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{field} must be a Decimal, not {type(value).__name__}")
    if not Decimal(value).is_finite():
        raise PlanError(code, field, f"{field} must be a finite number.")
    return Decimal(value)


def positive(value: object, field: str, code: str) -> Decimal:
    number = dec(value, field, code)
    if number <= 0:
        raise PlanError(code, field, f"{field} must be greater than zero.")
    return number
