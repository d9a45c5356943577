"""What apps above selfservice add to the visit page, without selfservice importing them.

`register_visit_panel(name, panel)`: `panel(request, link, token) -> str` (safe HTML, or "" for
nothing) is shown on the visit page under its buttons, in registration order. The waitlist registers
"Tell me if an earlier time frees up" (waitlist/visit_panel.py); its form posts to the panel's own app,
which checks the same link (`selfservice.access.link_view`).
"""

from collections.abc import Callable

from django.utils.safestring import SafeString

Panel = Callable[..., SafeString | str]

_panels: list[tuple[str, Panel]] = []


def register_visit_panel(name: str, panel: Panel) -> None:
    """Add (or replace, by `name`) a panel of the visit page."""
    _panels[:] = [(n, p) for n, p in _panels if n != name]
    _panels.append((name, panel))


def visit_panels(request, link, token: str) -> list[str]:
    return [html for _, panel in _panels if (html := panel(request, link, token))]
