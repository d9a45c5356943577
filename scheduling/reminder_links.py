"""What an app above scheduling adds to a patient's appointment messages: the link to their visit page.

Scheduling renders the reminders (`scheduling.reminders`) but cannot import the app that serves the
patient's page (selfservice). That app registers, in its `AppConfig.ready()`, a provider
`fn(booking, now) -> url` that mints a link for the booking when a message is rendered, i.e. just before
it is sent: the outbox keeps no message body, and the link's token is stored only hashed, so the plain
token exists only in the message handed to the provider. No provider: the messages carry no link.
"""

from collections.abc import Callable
from datetime import datetime

_providers: list[Callable] = []


def register_link_provider(fn: Callable) -> None:
    _providers[:] = [fn]


def available() -> bool:
    return bool(_providers)


def visit_link(booking, now: datetime) -> str:
    """A fresh link to the booking's visit page, or "" when no app provides one."""
    return _providers[0](booking, now) if _providers else ""
