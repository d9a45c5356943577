"""Optimiser proposals: ask for one, solve it on the `optimiser` worker queue, apply it.

- `proposal_request` stores the request and sends the solve to the worker queue `optimiser` when the
  transaction commits; the web process never solves.
- `proposal_solve` (the task's body) reads the site's days into plain values, runs
  `scheduling.optimiser.solve` with progress, and stores the curves, figures and moves.
- `proposal_apply` moves the bookings through `scheduling.services.booking_reschedule` in one
  transaction, under the site-day locks, after checking that nothing it read has changed; each patient
  whose time moved gets a notice through the outbox (quiet hours and opt-outs apply at send time).

Sessions stay on their own day (moving a patient to another day is a conversation, not an
optimisation), keep the kind of chair they are in, and never move into the past; checked-in, running
and finished sessions, and any that has started, are fixed.
"""

import hashlib
import json
import logging
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.errors import Conflict
from clinic.notifications.services import notification_schedule
from patients.reminders import patient_due
from scheduling import services
from scheduling.locks import lock_site_days
from scheduling.models import (
    INACTIVE_STATUSES,
    Booking,
    BookingStatus,
    Chair,
    Closure,
    NurseShift,
    OpeningHours,
    Proposal,
    ProposalStatus,
    Site,
)
from scheduling.optimiser import (
    Chair as OptChair,
)
from scheduling.optimiser import (
    Day,
    Infeasible,
    NoScheduleFound,
    Problem,
    Session,
    Shift,
    curves,
    solve,
)
from scheduling.proposal_models import MAX_DAYS, MAX_TIME_LIMIT
from scheduling.proposal_notices import BOOKING_MOVED
from scheduling.rules import invalid

logger = logging.getLogger(__name__)

OPTIMISER_QUEUE = "optimiser"
OUT_OF_SERVICE = "out_of_service"  # the optimiser's chair kind for an inactive chair


@dataclass
class Snapshot:
    problem: Problem
    bookings: dict[int, Booking]
    fingerprint: str
    first_day: date
    grid: int
    zone: object

    @property
    def per_day(self) -> int:
        return self.problem.slots_per_day

    def moment(self, slot: int) -> datetime:
        day, within = divmod(slot, self.per_day)
        minutes = within * self.grid
        local = datetime.combine(
            self.first_day + timedelta(days=day), time(minutes // 60, minutes % 60), tzinfo=self.zone
        )
        return local.astimezone(UTC)

    def label(self, slot: int, days: int) -> str:
        local = self.moment(slot).astimezone(self.zone)
        return f"{local:%a %H:%M}" if days > 1 else f"{local:%H:%M}"


def _slot(moment: datetime, *, first_day: date, grid: int, zone, per_day: int, up: bool = False) -> int:
    local = moment.astimezone(zone)
    minutes = local.hour * 60 + local.minute
    slot = minutes // grid
    if up and (minutes % grid or local.second or local.microsecond):
        slot += 1
    return (local.date() - first_day).days * per_day + slot


def snapshot_read(*, site: Site, first_day: date, days: int, now: datetime) -> Snapshot:
    """The site's days as the optimiser's plain values, and a digest of everything read.

    Raises Infeasible("closed") when none of the days is open.
    """
    zone, grid = site.zone, site.grid_minutes
    per_day = 24 * 60 // grid
    last = first_day + timedelta(days=days - 1)
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    hours = {h.weekday: h for h in OpeningHours.objects.filter(site=site)}
    closures = list(Closure.objects.filter(site=site, starts_on__lte=last, ends_on__gte=first_day))
    chairs = list(Chair.objects.filter(site=site).order_by("pk"))
    shifts = list(NurseShift.objects.filter(site=site, start__lt=end, end__gt=start).order_by("pk"))
    bookings = list(
        Booking.objects.filter(site=site, start__lt=end, end__gt=start)
        .exclude(status__in=INACTIVE_STATUSES)
        .select_related("chair", "patient")
        .order_by("pk")
    )
    slot = {"first_day": first_day, "grid": grid, "zone": zone, "per_day": per_day}

    open_days = []
    for n in range(days):
        day = first_day + timedelta(days=n)
        opening = hours.get(day.weekday())
        if opening is None or any(c.starts_on <= day <= c.ends_on for c in closures):
            continue
        opens = (opening.opens.hour * 60 + opening.opens.minute) // grid
        closes = (opening.closes.hour * 60 + opening.closes.minute) // grid
        open_days.append(Day(n, opens, closes))
    if not open_days:
        raise Infeasible("closed", f"{site.name} is closed on {'that day' if days == 1 else 'those days'}.")
    now_slot = _slot(now, **slot, up=True)
    sessions = []
    for b in bookings:
        s, e = _slot(b.start, **slot), _slot(b.end, **slot, up=True)
        day_start = (s // per_day) * per_day
        in_service = b.chair.is_active
        fixed = b.status != BookingStatus.BOOKED or b.start <= now or not in_service
        sessions.append(
            Session(
                id=b.pk,
                patient=b.patient_id,
                duration=max(1, e - s),
                current_start=s,
                current_chair=b.chair_id,
                earliest=max(day_start, now_slot),
                latest=day_start + per_day - 1,
                chair_kinds=frozenset({b.chair.kind if in_service else OUT_OF_SERVICE}),
                fixed=fixed,
            )
        )
    problem = Problem(
        # Inactive chairs take no new session, but a fixed session already in one keeps it.
        # An inactive chair takes no session but those already in it (kept where they are).
        chairs=tuple(OptChair(c.pk, c.kind if c.is_active else OUT_OF_SERVICE) for c in chairs),
        days=tuple(open_days),
        shifts=tuple(
            Shift(_slot(sh.start, **slot, up=True), _slot(sh.end, **slot))
            for sh in shifts
            if sh.end > sh.start
        ),
        sessions=tuple(sessions),
        slots_per_day=per_day,
        patients_per_nurse=site.patients_per_nurse,
        starts_per_nurse=site.starts_per_nurse_per_slot,
    )
    read = {
        "site": [site.grid_minutes, site.patients_per_nurse, site.starts_per_nurse_per_slot, site.time_zone],
        "hours": sorted((w, f"{h.opens}", f"{h.closes}") for w, h in hours.items()),
        "closures": sorted((f"{c.starts_on}", f"{c.ends_on}") for c in closures),
        "chairs": [(c.pk, c.kind, c.is_active) for c in chairs],
        "shifts": [(sh.pk, sh.start.isoformat(), sh.end.isoformat()) for sh in shifts],
        "bookings": [(b.pk, b.start.isoformat(), b.end.isoformat(), b.chair_id, b.status) for b in bookings],
    }
    fingerprint = hashlib.sha256(json.dumps(read, sort_keys=True).encode()).hexdigest()
    return Snapshot(problem, {b.pk: b for b in bookings}, fingerprint, first_day, grid, zone)


def _send(proposal_id: int) -> None:
    from scheduling.tasks import proposal_solve_task  # tasks import this module

    try:
        proposal_solve_task.apply_async(args=[proposal_id], queue=OPTIMISER_QUEUE)
    except Exception as exc:  # the broker is away: say so on the proposal rather than leave it queued
        logger.warning("optimiser queue unavailable: %s", type(exc).__name__)
        Proposal.objects.filter(pk=proposal_id, status=ProposalStatus.QUEUED).update(
            status=ProposalStatus.FAILED,
            error_code="queue_unavailable",
            error_detail="The optimiser's queue cannot be reached; try again in a minute.",
        )


def proposal_request(
    *, site: Site, first_day: date, days: int = 1, by=None, time_limit_seconds: int = 20
) -> Proposal:
    """Store a request to level `days` days of `site` from `first_day` and queue its solve; return it.

    Raises ValidationError `days_invalid`, `time_limit_invalid`, `in_past` (a day before today).
    """
    if not 1 <= days <= MAX_DAYS:
        raise invalid("days", "days_invalid", "A proposal covers 1 to %(max)s days.", max=MAX_DAYS)
    if not 1 <= time_limit_seconds <= MAX_TIME_LIMIT:
        raise invalid(
            "time_limit_seconds",
            "time_limit_invalid",
            "The time limit is 1 to %(max)s seconds.",
            max=MAX_TIME_LIMIT,
        )
    today = timezone.now().astimezone(site.zone).date()
    if first_day + timedelta(days=days - 1) < today:
        raise invalid("first_day", "in_past", "Those days are over; choose today or a later day.")
    with transaction.atomic():
        proposal = Proposal.objects.create(
            site=site,
            first_day=first_day,
            days=days,
            time_limit_seconds=time_limit_seconds,
            requested_by=by,
            requested_at=timezone.now(),
        )
        transaction.on_commit(lambda: _send(proposal.pk))
    return proposal


def _fail(proposal_id: int, code: str, detail: str, **result) -> None:
    Proposal.objects.filter(pk=proposal_id).update(
        status=ProposalStatus.FAILED,
        error_code=code,
        error_detail=detail,
        result=result,
        solved_at=timezone.now(),
        progress=1.0,
        phase="",
    )


def _figures(snapshot: Snapshot, starts: dict[int, int], days: int) -> dict:
    c = curves(snapshot.problem, starts)
    return {
        "labels": [snapshot.label(t, days) for t in c.slots],
        "occupancy": list(c.occupancy),
        "load": [round(float(x), 3) for x in c.load],
        "peak_load": round(float(c.peak_load), 3),
        "peak_occupancy": c.peak_occupancy,
    }


def proposal_solve(*, proposal_id: int) -> None:
    """Solve a queued proposal and store what was found (the worker's task calls this).

    Idempotent: a proposal already solved, failed or applied is left alone; one whose worker died
    mid-solve (still `solving` when the message is redelivered) is solved again.
    """
    claimed = Proposal.objects.filter(
        pk=proposal_id, status__in=(ProposalStatus.QUEUED, ProposalStatus.SOLVING)
    ).update(status=ProposalStatus.SOLVING, phase="reading", progress=0.0)
    if not claimed:
        return
    proposal = Proposal.objects.select_related("site").get(pk=proposal_id)
    now = timezone.now()
    try:
        snapshot = snapshot_read(
            site=proposal.site, first_day=proposal.first_day, days=proposal.days, now=now
        )
    except Infeasible as exc:
        _fail(proposal_id, exc.constraint, exc.detail)
        return
    last = [0.0]

    def progress(phase: str, fraction: float) -> None:
        if clock.monotonic() - last[0] < 0.5 and phase != "done":
            return
        last[0] = clock.monotonic()
        Proposal.objects.filter(pk=proposal_id, status=ProposalStatus.SOLVING).update(
            phase=phase, progress=round(fraction, 3)
        )

    problem = snapshot.problem
    before = {s.id: s.current_start for s in problem.sessions}
    if not problem.sessions:
        _fail(proposal_id, "nothing_to_move", "There are no bookings on those days.")
        return
    try:
        schedule = solve(problem, time_limit=proposal.time_limit_seconds, on_progress=progress)
    except Infeasible as exc:
        detail = exc.detail.replace("Session ", "Booking #").replace(
            "fixed sessions", "bookings that cannot move (checked in or started)"
        )
        if exc.at is not None:
            local = snapshot.moment(exc.at).astimezone(snapshot.zone)
            detail = detail.replace(
                f"slot {exc.at}", f"{local:%H:%M} on {local:%a %d %b} ({proposal.site.time_zone})"
            )
        _fail(proposal_id, exc.constraint, detail, bookings=list(exc.sessions))
        return
    except NoScheduleFound as exc:
        _fail(proposal_id, "timeout", str(exc))
        return
    starts = {sid: p.start for sid, p in schedule.placements.items()}
    moves = []
    for sid, placed in sorted(schedule.placements.items(), key=lambda item: (item[1].start, item[0])):
        booking = snapshot.bookings[sid]
        if placed.start == before[sid] and placed.chair == booking.chair_id:
            continue
        new_start = snapshot.moment(placed.start)
        moves.append(
            {
                "booking": sid,
                "from_start": booking.start.isoformat(),
                "to_start": new_start.isoformat(),
                "to_end": (new_start + (booking.end - booking.start)).isoformat(),
                "from_chair": booking.chair_id,
                "to_chair": placed.chair,
                "minutes": int((new_start - booking.start).total_seconds() // 60),
            }
        )
    days = proposal.days
    result = {
        "before": _figures(snapshot, before, days),
        "after": _figures(snapshot, starts, days),
        "peak_load_bound": round(float(schedule.peak_load_bound), 3),
        "optimal": schedule.optimal,
        "peak_optimal": schedule.peak_optimal,
        "chairs": len(problem.chairs),
        "moves": moves,
        "seconds": round(schedule.seconds, 2),
    }
    Proposal.objects.filter(pk=proposal_id, status=ProposalStatus.SOLVING).update(
        status=ProposalStatus.READY,
        result=result,
        fingerprint=snapshot.fingerprint,
        solved_at=timezone.now(),
        progress=1.0,
        phase="done",
    )


DAY_CHANGED = (
    "The bookings of these days changed after the proposal was made (a booking was moved, added or "
    "cancelled, or another proposal was applied). Ask for a new proposal."
)


def proposal_apply(*, proposal: Proposal, by=None) -> Proposal:
    """Apply a ready proposal: every move in one transaction, then a notice to each moved patient.

    Raises Conflict `day_changed` (and marks the proposal stale) when what it read has changed,
    `proposal_not_ready` / `proposal_applied` for a proposal in another state, `apply_blocked` when a
    move is refused by the calendar (nothing is moved then), `proposal_outdated` when a move's time has
    passed.
    """
    changed = False
    with transaction.atomic():
        current = Proposal.objects.select_for_update().select_related("site").get(pk=proposal.pk)
        if current.status == ProposalStatus.APPLIED:
            raise Conflict("proposal_applied", f"Proposal #{current.pk} has been applied already.")
        if current.status != ProposalStatus.READY:
            raise Conflict(
                "proposal_not_ready",
                f"Proposal #{current.pk} is {current.get_status_display().lower()}; "
                "only a ready one can be applied.",
                field="status",
                conflict={"status": current.status},
            )
        site = current.site
        # The same locks as booking_create and booking_reschedule: no booking of these days changes
        # between the check below and the last move.
        lock_site_days(site, [current.first_day + timedelta(days=n) for n in range(current.days)])
        now = timezone.now()
        snapshot = snapshot_read(site=site, first_day=current.first_day, days=current.days, now=now)
        if snapshot.fingerprint != current.fingerprint:
            current.status = ProposalStatus.STALE
            current.error_code, current.error_detail = "day_changed", DAY_CHANGED
            current.save(update_fields=["status", "error_code", "error_detail"])
            changed = True
        else:
            moved = _apply_moves(current, snapshot, by=by, now=now)
            for booking in moved:
                patient = booking.patient
                notification_schedule(
                    kind=BOOKING_MOVED,
                    channel=patient.reminder_channel,
                    recipient=patient,
                    record=booking,
                    record_key=f"proposal-{current.pk}",
                    due_at=patient_due(patient=patient, at=now, zone=site.zone),
                )
            current.status = ProposalStatus.APPLIED
            current.applied_by, current.applied_at = by, now
            current.save(update_fields=["status", "applied_by", "applied_at"])
    if changed:
        raise Conflict("day_changed", DAY_CHANGED, conflict={"proposal": current.pk})
    return current


def _apply_moves(proposal: Proposal, snapshot: Snapshot, *, by, now: datetime) -> list[Booking]:
    """Reschedule each move, in an order the calendar accepts (a booking may need another to leave its
    chair or its nurses first); raise Conflict if some cannot be made in any order."""
    reason = f"Schedule optimiser, proposal #{proposal.pk}"
    pending = list(proposal.result.get("moves", []))
    chairs = {c.pk: c for c in Chair.objects.filter(site=proposal.site)}
    moved = []
    while pending:
        refused = []
        for move in pending:
            booking = snapshot.bookings[move["booking"]]
            start = datetime.fromisoformat(move["to_start"])
            if start < now:
                raise Conflict(
                    "proposal_outdated",
                    f"Booking #{booking.pk} was to move to a time that has passed; ask for a new proposal.",
                    conflict={"booking": booking.pk},
                )
            try:
                with transaction.atomic():
                    updated = services.booking_reschedule(
                        booking=booking, start=start, chair=chairs[move["to_chair"]], by=by, reason=reason
                    )
            except (Conflict, ValidationError) as exc:
                refused.append((move, exc))
                continue
            if move["minutes"]:
                moved.append(updated)
        if len(refused) == len(pending):
            move, exc = refused[0]
            detail = getattr(exc, "detail", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
            raise Conflict(
                "apply_blocked",
                f"Booking #{move['booking']} cannot be moved ({detail}); nothing was changed.",
                conflict={"booking": move["booking"]},
            )
        pending = [move for move, _ in refused]
    return moved
