"""How long one chair session may be: what scheduling asks of the app above it, without importing it.

Scheduling knows sites, hours and chairs, not infusion protocols. A session is at most `DEFAULT_LONGEST`
(10 hours), or, when the clinic has a longer protocol, that protocol's longest time with preparation and
observation (Kawasaki disease is given over 10-12 hours: 13 hours with 30 minutes on either side), and
never over `scheduling.models.MAX_SESSION`, the ceiling the overlap queries rely on. Infusions registers
the provider in its `AppConfig.ready()` (`infusions.selectors.longest_session`), as it does for
insurance (`insurance.providers`).
"""

from collections.abc import Callable
from datetime import timedelta

from scheduling.models import MAX_SESSION

DEFAULT_LONGEST = timedelta(hours=10)

LongestSession = Callable[[], timedelta | None]
_providers: dict[str, LongestSession] = {}


def register_longest_session(provider: LongestSession) -> None:
    """Infusions calls this once: `provider()` -> the longest protocol's session, or None for none."""
    _providers["longest_session"] = provider


def longest_session() -> timedelta:
    """The longest session the calendar accepts. Asks the provider (a query or two): call it only for a
    session longer than `DEFAULT_LONGEST`."""
    provider = _providers.get("longest_session")
    longest = provider() if provider else None
    return min(max(longest or DEFAULT_LONGEST, DEFAULT_LONGEST), MAX_SESSION)
