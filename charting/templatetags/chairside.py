"""Template filters of the tablet pages."""

from decimal import Decimal

from django import template

from charting import flag_text as flags

register = template.Library()


@register.filter
def flag_text(flag: dict) -> str:
    """A stored flag's message in the page's language (charting/flag_text.py)."""
    return flags.flag_text(flag)


@register.filter
def plain(value) -> str:
    """A number as a form sends it and the API reads it, in every language: "17.5", "10" (never "17,5",
    nor the "1E+1" of a normalized Decimal)."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return "" if value is None else str(value)
