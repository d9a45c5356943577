"""The weekly booking template of a site, built from the last weeks of demand.

`template_build` reads the site's sessions of the last `weeks` weeks (cancelled ones do not count),
groups them by weekday and duration band, and asks the optimiser (scheduling.optimiser.template) where
a typical day's sessions would start on a level day, with that weekday's usual nurses (its latest week
in the window). The result is stored on the site (`Site.booking_template`); availability offers the
template's start times first (scheduling.availability), so new bookings keep the day level.
It solves, so it runs on the optimiser's worker queue (`scheduling.tasks.template_build_task`).
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from scheduling.models import INACTIVE_STATUSES, Booking, Chair, NurseShift, OpeningHours, Site
from scheduling.optimiser import Chair as OptChair
from scheduling.optimiser.template import WeekdayInput, weekday_template
from scheduling.rules import invalid

MIN_WEEKS, MAX_WEEKS = 8, 12


def _slot(moment: datetime, zone, grid: int, up: bool = False) -> int:
    local = moment.astimezone(zone)
    minutes = local.hour * 60 + local.minute
    return minutes // grid + (1 if up and minutes % grid else 0)


def template_build(
    *, site: Site, weeks: int = 10, now: datetime | None = None, time_limit: float = 5.0
) -> dict:
    """Build and store the site's weekly template from the `weeks` (8-12) weeks before today; return it.

    Raises ValidationError `weeks_invalid`.
    """
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise invalid("weeks", "weeks_invalid", "A template is built from 8 to 12 weeks of bookings.")
    now = now or timezone.now()
    zone, grid = site.zone, site.grid_minutes
    today = now.astimezone(zone).date()
    first = today - timedelta(days=7 * weeks)
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(today, time.min, tzinfo=zone)
    bookings = Booking.objects.filter(site=site, start__gte=start, start__lt=end).exclude(
        status__in=INACTIVE_STATUSES
    )
    minutes_by_weekday: dict[int, list[int]] = {}
    for b_start, b_end in bookings.values_list("start", "end"):
        weekday = b_start.astimezone(zone).weekday()
        minutes_by_weekday.setdefault(weekday, []).append(int((b_end - b_start).total_seconds() // 60))
    shifts_by_day: dict = {}
    for s_start, s_end in NurseShift.objects.filter(site=site, start__lt=end, end__gt=start).values_list(
        "start", "end"
    ):
        shifts_by_day.setdefault(s_start.astimezone(zone).date(), []).append((s_start, s_end))
    chairs = tuple(OptChair(c.pk, "any") for c in Chair.objects.filter(site=site, is_active=True))
    days = {}
    for hours in OpeningHours.objects.filter(site=site):
        latest = max((d for d in shifts_by_day if d.weekday() == hours.weekday), default=None)
        if latest is None or not chairs:
            continue
        opens = (hours.opens.hour * 60 + hours.opens.minute) // grid
        closes = (hours.closes.hour * 60 + hours.closes.minute) // grid
        placed = weekday_template(
            WeekdayInput(
                weekday=hours.weekday,
                opens=opens,
                closes=closes,
                shifts=tuple(
                    (_slot(s, zone, grid, up=True), _slot(e, zone, grid)) for s, e in shifts_by_day[latest]
                ),
                sessions_minutes=tuple(minutes_by_weekday.get(hours.weekday, ())),
                weeks=weeks,
            ),
            chairs=chairs,
            grid=grid,
            patients_per_nurse=site.patients_per_nurse,
            starts_per_nurse=site.starts_per_nurse_per_slot,
            time_limit=time_limit,
        )
        if placed:
            days[str(hours.weekday)] = {
                str(band): [f"{slot * grid // 60:02d}:{slot * grid % 60:02d}" for slot in slots]
                for band, slots in placed.items()
            }
    template = {"weeks": weeks, "built_at": now.isoformat(), "days": days}
    Site.objects.filter(pk=site.pk).update(booking_template=template)
    site.booking_template = template
    return template


def template_build_queue(site_ids: list[int], weeks: int = 10) -> None:
    """Build the sites' templates on the optimiser's worker queue once the transaction commits."""
    from scheduling.tasks import template_build_task  # the tasks module imports this one

    for site_id in site_ids:
        transaction.on_commit(
            lambda site_id=site_id: template_build_task.apply_async(args=[site_id, weeks], queue="optimiser")
        )


def template_summary(site: Site) -> str:
    """The template in words, per weekday: "Tue: 4-5 h at 08:00, 08:00, 12:00"."""
    template = site.booking_template or {}
    if not template.get("days"):
        return "No template yet (built from 8-12 weeks of bookings; see the site list's actions)."
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    labels = {180: "up to 3 h", 240: "3-4 h", 300: "4-5 h", 360: "5-6 h", 480: "6-8 h", 9999: "over 8 h"}
    lines = []
    for weekday, bands in sorted(template["days"].items()):
        parts = [
            f"{labels.get(int(band), band)} at {', '.join(starts)}"
            for band, starts in sorted(bands.items(), key=lambda kv: int(kv[0]))
        ]
        lines.append(f"{names[int(weekday)]}: " + "; ".join(parts))
    return f"From {template['weeks']} weeks, built {template['built_at'][:16]} UTC. " + " | ".join(lines)
