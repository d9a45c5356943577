"""Today's board for a site: each chair with its patient, the session's status, what is due next and
the patient's flags."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from charting import running
from charting.models import (
    FLAG_GRADE,
    ChairAssignment,
    HandoverNote,
    InfusionSession,
    RateChange,
    Reaction,
    SessionStatus,
    VitalsReading,
)
from charting.selectors.due import DueItem, _local, next_due, session_progress
from infusions.models import InfusionPolicy
from scheduling.access import access_bookings, access_sites
from scheduling.models import INACTIVE_STATUSES, Booking, Chair, Site
from scheduling.selectors import day_bounds


@dataclass
class BoardCard:
    chair: Chair
    booking: Booking | None = None
    session: InfusionSession | None = None
    flags: list[tuple[str, str]] = field(default_factory=list)  # (css class, text)
    due: list[DueItem] = field(default_factory=list)
    nurse: object | None = None  # who looks after the chair today (`ChairAssignment`)
    progress: running.Progress | None = None  # while infusing: the pump's rate and the expected end

    @property
    def status_label(self) -> str:
        if self.session is not None:
            return self.session.get_status_display()
        if self.booking is not None:
            expected = _("Expected at %(at)s") % {"at": _local(self.booking.start, self.booking.site)}
            # The patient confirmed from their reminder link (selfservice), through the booking's field.
            confirmed = _("confirmed") if self.booking.confirmed_at else _("not confirmed")
            return f"{expected} · {confirmed}"
        return _("Free")


def board_sites(user) -> QuerySet[Site]:
    return access_sites(user).order_by("name")


def patient_flags(patient, on: date | None = None) -> list[tuple[str, str]]:
    """A child's age band on `on` (the booking's day), allergies, contraindications, at-risk reasons and
    prior reactions (prefetched)."""
    flags = []
    band = patient.age_band_on(on) if on is not None else None
    if band is not None and band.band != "adult":
        flags.append(("child", _("Child: %(band)s, %(age)s") % {"band": band.label, "age": band.age_text}))
    flags += [("allergy", _("Allergy: %(what)s") % {"what": a.substance}) for a in patient.allergies.all()]
    flags += [
        ("contraindication", _("Contraindicated: %(what)s") % {"what": f.get_kind_display()})
        for f in patient.contraindications()
    ]
    flags += [("risk", _("At risk: %(why)s") % {"why": reason}) for reason in patient.at_risk_reasons()]
    grade = getattr(patient, "worst_reaction_grade", None)
    if grade:
        flags.append(("reaction", _("Prior grade %(grade)s reaction") % {"grade": grade}))
    return flags


def board(user, site: Site, day: date | None = None, *, now: datetime | None = None) -> list[BoardCard]:
    """Each chair of the site with today's patient in it (the one in the chair, else the next due),
    the session status, what is due next and the patient's flags. A fixed number of queries."""
    now = now or timezone.now()
    day = day or now.astimezone(site.zone).date()
    start, end = day_bounds(site, day)
    worst = Reaction.objects.filter(session__patient=OuterRef("patient_id"), grade__gte=FLAG_GRADE).order_by(
        "-grade"
    )
    bookings = list(
        access_bookings(user, Booking.objects.filter(site=site, start__gte=start, start__lt=end))
        .exclude(status__in=INACTIVE_STATUSES)
        .select_related("site", "chair", "patient", "infusion_session")
        .annotate(worst_reaction_grade=Subquery(worst.values("grade")[:1]))
        .prefetch_related(
            "patient__allergies",
            "patient__risk_flags",
            Prefetch("infusion_session__vitals", VitalsReading.objects.order_by("taken_at", "pk")),
            Prefetch("infusion_session__rate_changes", RateChange.objects.order_by("at", "pk")),
            "infusion_session__checklist",
        )
        .order_by("start", "pk")
    )
    policy = InfusionPolicy.current()
    cards = {
        chair.pk: BoardCard(chair) for chair in site.chairs.filter(is_active=True).order_by("name", "pk")
    }
    by_chair: dict[int, list] = {}  # the annotated bookings (with worst_reaction_grade)
    for booking in bookings:
        by_chair.setdefault(booking.chair_id, []).append(booking)
    for chair_id, rows in by_chair.items():
        card = cards.get(chair_id)
        if card is None:
            continue
        # The patient in the chair, else the next one expected, else the last one discharged.
        in_chair = [b for b in rows if (s := _session(b)) is not None and s.is_open]
        expected = [b for b in rows if _session(b) is None]
        done = [b for b in rows if (s := _session(b)) is not None and not s.is_open]
        shown = (in_chair or expected or done[-1:])[0]
        card.booking, card.session = shown, _session(shown)
        shown.patient.worst_reaction_grade = shown.worst_reaction_grade
        card.flags = patient_flags(shown.patient, day)
        card.due = next_due(card.session, policy=policy, now=now) if card.session else []
        if card.session is not None and card.session.status == SessionStatus.RUNNING:
            card.progress = session_progress(card.session, now=now)
    for assignment in ChairAssignment.objects.filter(chair__site=site, day=day).select_related("nurse"):
        if assignment.chair_id in cards:
            cards[assignment.chair_id].nurse = assignment.nurse
    return list(cards.values())


def handover_notes(site: Site, day: date) -> list[HandoverNote]:
    """The day's handover notes at a site, for the shift and per session, oldest first: one query."""
    return list(
        HandoverNote.objects.filter(site=site, day=day).select_related(
            "written_by", "session__booking__chair", "session__patient"
        )
    )


def _session(booking: Booking) -> InfusionSession | None:
    return getattr(booking, "infusion_session", None)
