"""What the apps above patients add to the patient's admin page, without patients importing them.

The patient page opens with a summary: the orders and their next cycles (infusions), authorizations
(insurance), and so on. Patients cannot import those apps, so each registers a panel here from its own
`admin.py`: `panel(request, patient) -> str` (safe HTML, or "" for nothing), shown in registration order.
A panel reads through its own app's selectors and checks its own permissions.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString

Panel = Callable[..., SafeString | str]

_panels: list[tuple[str, Panel]] = []


def register_patient_panel(name: str, panel: Panel) -> None:
    """Add (or replace, by `name`) a panel of the patient page's summary."""
    _panels[:] = [(n, p) for n, p in _panels if n != name]
    _panels.append((name, panel))


def patient_panels() -> list[tuple[str, Panel]]:
    return list(_panels)
