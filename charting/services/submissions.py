"""The one write path of the chairside record (`chairside_write`), and what its writes share: the
tablet's `client_id`, the session's lock, the states a session can be charted in, time checks, and saving
a submission once.

Every write takes the tablet's `client_id` and returns `(row, replayed)`: a submission seen before
(same client id, same session) is not stored again and gets the row first stored, whatever happened
since, so a tablet that lost the answer can safely send again. The session row is locked for each write,
so two nurses' taps are taken one after the other.
"""

import functools
import inspect
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from charting.models import InfusionSession, SessionEvent, SessionStatus
from clinic.db import validated_save
from clinic.errors import Conflict

FUTURE_GRACE = timedelta(minutes=1)  # tablets whose clocks run slightly ahead

CHARTING = {
    "checklist": (SessionStatus.CHECKED_IN,),
    "premedication": (SessionStatus.CHECKED_IN, SessionStatus.RUNNING),
    "vitals": (SessionStatus.CHECKED_IN, SessionStatus.RUNNING, SessionStatus.OBSERVATION),
    "start": (SessionStatus.CHECKED_IN,),
    "rate change": (SessionStatus.RUNNING,),
    "reaction": (SessionStatus.RUNNING, SessionStatus.OBSERVATION),
    "lot": (SessionStatus.CHECKED_IN, SessionStatus.RUNNING, SessionStatus.OBSERVATION),
    "end": (SessionStatus.RUNNING,),
    "discharge": (SessionStatus.OBSERVATION,),
}

P = ParamSpec("P")
R = TypeVar("R")


def chairside_write(
    action: str,
    *,
    replays: type[models.Model] | str,
    time: str | None = None,
    same: tuple[str, ...] = (),
) -> Callable[[Callable[P, tuple[R, bool]]], Callable[P, tuple[R, bool]]]:
    """Make a service `f(*, session, by, client_id, ...)` a chairside write. Its signature stays as it is;
    before its body runs, in one transaction:

    1. `client_id` becomes a UUID (400 `client_id_invalid`);
    2. the session row is locked, so two nurses' taps are taken one after the other;
    3. a submission seen before answers `(row first stored, True)` without running the body: `replays`
       is the model whose rows carry the client id, or a `SessionEventKind` for a step of the session's
       life (answered with the session). The id used on another session or for another step is a 409
       `client_id_reused`, and so is a replay whose arguments named in `same` differ from the stored
       row's (the insurer API answers a reused Idempotency-Key so);
    4. the session must be in a state where `action` is charted (`CHARTING`; 409 `session_not_in_progress`);
    5. when `time` names an argument, that time (now when not given) must carry its zone, not be in the
       future nor before the check-in (400 `time_invalid`, `time_in_future`, `time_before_check_in`).

    The body gets the locked session, the UUID and the checked time, and returns `(row, False)`,
    usually through `save_once`.
    """

    def decorate(service: Callable[P, tuple[R, bool]]) -> Callable[P, tuple[R, bool]]:
        signature = inspect.signature(service)

        @functools.wraps(service)
        def write(*args: P.args, **kwargs: P.kwargs) -> tuple[R, bool]:
            bound = signature.bind(*args, **kwargs)  # a missing or unknown argument fails as before
            bound.apply_defaults()
            arguments: dict[str, Any] = bound.arguments
            client_id = client_uuid(arguments["client_id"])
            with transaction.atomic():
                session = locked(arguments["session"])
                sent = {
                    name: value.strip() if isinstance(value, str) else value
                    for name in same
                    if (value := arguments[name]) is not None or name != time
                }
                existing = _replay_of(replays, client_id, session, sent)
                if existing is not None:
                    return existing, True
                require_status(session, action)
                if time is not None:
                    arguments[time] = checked_time(arguments[time], time, now=timezone.now(), session=session)
                arguments.update(session=session, client_id=client_id)
                return service(**arguments)  # type: ignore[call-arg]

        return write

    return decorate


def time_checked(at: datetime | None) -> datetime:
    """The time `chairside_write` checked. It fills a service's time argument in (now when none was
    sent) before the body runs, so the body never sees None."""
    if at is None:
        raise TypeError("a chairside write's time is filled in by chairside_write")
    return at


def _replay_of(
    replays: type[models.Model] | str, client_id: uuid.UUID, session: InfusionSession, sent: dict
) -> Any:
    if isinstance(replays, str):
        return session if event_replay(client_id, replays, session_id=session.pk) else None
    return replay(replays, client_id, session.pk, same=sent)


def invalid(field: str, code: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def client_uuid(client_id) -> uuid.UUID:
    try:
        return client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except (TypeError, ValueError, AttributeError):
        raise invalid(
            "client_id", "client_id_invalid", "client_id must be a UUID the tablet makes."
        ) from None


def locked(session: InfusionSession) -> InfusionSession:
    return (
        InfusionSession.objects.select_for_update(of=("self",))
        .select_related("order__product", "booking__site", "patient")
        .get(pk=session.pk)
    )


def require_status(session: InfusionSession, action: str) -> None:
    if session.status not in CHARTING[action]:
        raise Conflict(
            "session_not_in_progress",
            f"A {action} cannot be charted: this session is {session.get_status_display().lower()}.",
            field="status",
            session={"id": session.pk, "status": session.status},
        )


def checked_time(
    at: datetime | None, field: str, *, now: datetime, session: InfusionSession | None = None
) -> datetime:
    at = at or now
    if timezone.is_naive(at):
        raise invalid(field, "time_invalid", "Give the time with its time zone.")
    if at > now + FUTURE_GRACE:
        raise invalid(field, "time_in_future", "This time is in the future.")
    if session is not None and at < session.checked_in_at - FUTURE_GRACE:
        raise invalid(field, "time_before_check_in", "This time is before the patient checked in.")
    return at


def replay(model, client_id: uuid.UUID, session_id: int | None, *, same: dict | None = None):
    """The row already stored for this client id, or None. A client id used on another session, or
    (when `same` names the submitted values) with other values, is a 409 `client_id_reused`: the tablet
    reused an id, and answering with another reading than the one sent would be wrong."""
    existing = model.objects.filter(client_id=client_id).first()
    if existing is None:
        return None
    if session_id is not None and existing.session_id != session_id:
        raise Conflict(
            "client_id_reused", "This submission id was already used on another session.", field="client_id"
        )
    changed = sorted(name for name, value in (same or {}).items() if getattr(existing, name) != value)
    if changed:
        raise Conflict(
            "client_id_reused",
            f"This submission id was already used with other values ({', '.join(changed)}); "
            "send a new reading with a new id.",
            field="client_id",
            changed=changed,
        )
    return existing


def event_replay(
    client_id: uuid.UUID, kind: str, *, session_id: int | None = None, booking_id: int | None = None
) -> SessionEvent | None:
    """The step of a session's life (check-in, start, end, discharge) already stored for this client id,
    or None. The id used for another step, session or booking is a 409."""
    event = SessionEvent.objects.filter(client_id=client_id).select_related("session").first()
    if event is None:
        return None
    if (
        event.kind != kind
        or (session_id is not None and event.session_id != session_id)
        or (booking_id is not None and event.session.booking_id != booking_id)
    ):
        raise Conflict("client_id_reused", "This submission id was already used.", field="client_id")
    return event


def save_once(instance, *, after: Callable | None = None):
    """Save a new row (and run `after` in the same transaction); when another request stored the same
    client id first (a double tap racing itself), answer with that one. Returns (row, replayed)."""
    try:
        with transaction.atomic():
            validated_save(instance)
            if after is not None:
                after(instance)
    except ValidationError as exc:
        codes = [e.code for e in getattr(exc, "error_dict", {}).get("client_id", [])]
        if "client_id_reused" not in codes:
            raise
        return replay(type(instance), instance.client_id, instance.session_id), True
    return instance, False
