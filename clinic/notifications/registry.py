"""What other apps plug into notification delivery: kinds (how a due row becomes a message), staff-digest
sections, and planners (periodic jobs that put rows in the outbox).

A renderer gets the row at send time and returns one of:
- `Message`: send this now;
- `Skip`: nothing to send any more (booking cancelled or past, patient opted out); the row is cancelled;
- `Defer`: not now (quiet hours); the row waits until the given time;
- `Reroute`: the patient now prefers another channel; the row is cancelled and one for that channel made.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils.module_loading import import_module

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: list[str]
    body: str
    subject: str = ""


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class Defer:
    until: datetime
    reason: str = "quiet_hours"


@dataclass(frozen=True)
class Reroute:
    channel: str


Outcome = Message | Skip | Defer | Reroute


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    render: Callable[..., Outcome]
    # Reads the records of many rows at once: `load(record_ids) -> {record_id: record}`. The dispatcher
    # calls it once per batch and sets each row's `preloaded_record` (None: deleted) before `render`.
    load: Callable[[list[int]], dict] | None = None


@dataclass
class Registry:
    kinds: dict[str, Kind] = field(default_factory=dict)
    planners: dict[str, Callable[[datetime], int]] = field(default_factory=dict)
    before_send: list[Callable[[], None]] = field(default_factory=list)
    loaded: bool = False


REGISTRY = Registry()


def register_kind(
    name: str, *, label: str, render: Callable[..., Outcome], load: Callable[[list[int]], dict] | None = None
) -> None:
    """Say how a row of kind `name` is rendered at send time (`render(notification, now)`), and
    optionally how the records of a batch of such rows are read in one query (`load`, see Kind)."""
    REGISTRY.kinds[name] = Kind(name, label, render, load)


def preloaded(row, read: Callable):
    """The row's record as the dispatcher preloaded it, or `read(row)` when it did not."""
    if hasattr(row, "preloaded_record"):
        return row.preloaded_record
    return read(row)


def register_planner(name: str, plan: Callable[[datetime], int]) -> None:
    """Add a periodic job (`plan(now)` returns how many rows it scheduled); run every few minutes."""
    REGISTRY.planners[name] = plan


def register_before_send(fn: Callable[[], None]) -> None:
    """Run `fn()` after a batch (or a row) is rendered and before the provider is called: a renderer
    that made rows the message depends on (the links a reminder carries) writes them there, in one
    query per batch, committed before the message can reach anyone."""
    if fn not in REGISTRY.before_send:
        REGISTRY.before_send.append(fn)


def before_send() -> None:
    for fn in REGISTRY.before_send:
        fn()


def get_kind(name: str) -> Kind:
    load_modules()
    return REGISTRY.kinds[name]


def kind_choices() -> list[tuple[str, str]]:
    load_modules()
    return sorted((k.name, k.label) for k in REGISTRY.kinds.values())


def load_modules() -> None:
    """Import the modules named in settings.NOTIFICATION_MODULES; each registers what it provides."""
    if REGISTRY.loaded:
        return
    for path in settings.NOTIFICATION_MODULES:
        import_module(path)
    REGISTRY.loaded = True
