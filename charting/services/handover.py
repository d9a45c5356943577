"""Who looks after which chair today, and the handover notes of a session or a shift.

They raise
- `ValidationError` (400): `text_required`, `session_invalid`;
- `Conflict` (409): `client_id_reused`.
The callers check that the nurse belongs to the chair's or session's site (`scheduling.access`).
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from charting.models import ChairAssignment, HandoverNote, InfusionSession
from charting.services.submissions import client_uuid, invalid
from clinic.db import validated_save
from clinic.errors import Conflict
from scheduling.models import Chair, Site


def chair_take(*, chair: Chair, nurse, day: date | None = None) -> ChairAssignment:
    """Make `nurse` the nurse of `chair` for the site's day (today by default), taking it over from
    whoever had it. Returns the assignment."""
    now = timezone.now()
    day = day or now.astimezone(chair.site.zone).date()
    # The unique (chair, day) row makes two nurses tapping at once end with one of them, not two rows.
    assignment, _ = ChairAssignment.objects.update_or_create(
        chair=chair, day=day, defaults={"nurse": nurse, "assigned_at": now}
    )
    return assignment


def chair_release(*, chair: Chair, nurse, day: date | None = None) -> bool:
    """Give a chair back (only the nurse who has it). Returns whether she had it."""
    day = day or timezone.now().astimezone(chair.site.zone).date()
    deleted, _ = ChairAssignment.objects.filter(chair=chair, day=day, nurse=nurse).delete()
    return bool(deleted)


def handover_note_record(
    *, site: Site, by, client_id, text: str, session: InfusionSession | None = None
) -> tuple[HandoverNote, bool]:
    """Add a handover note for the shift at `site`, or for one `session` of it, on the site's day.
    Returns (note, replayed)."""
    client_id = client_uuid(client_id)
    existing = HandoverNote.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.site_id != site.pk or existing.session_id != (session.pk if session else None):
            raise Conflict("client_id_reused", "This submission id was already used.", field="client_id")
        return existing, True
    if session is not None and session.booking.site_id != site.pk:
        raise invalid("session", "session_invalid", "This session is not at this site.")
    now = timezone.now()
    note = HandoverNote(
        site=site,
        day=now.astimezone(site.zone).date(),
        session=session,
        text=(text or "").strip(),
        written_by=by,
        written_at=now,
        client_id=client_id,
    )
    with transaction.atomic():
        validated_save(note)
    return note, False
