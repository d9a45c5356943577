"""Template filters of the tablet pages."""

from django import template

from charting import flag_text as flags

register = template.Library()


@register.filter
def flag_text(flag: dict) -> str:
    """A stored flag's message in the page's language (charting/flag_text.py)."""
    return flags.flag_text(flag)
