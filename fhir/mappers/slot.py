"""Slot: a chair's free time, one grid step (the site's, e.g. 15 minutes) per Slot.

Free time is what `scheduling.availability.find_slots` offers (opening hours, closures, other
bookings, nurse capacity and the start limit: the rules `booking_create` enforces), asked for a
session one grid step long in every chair; nothing here restates a rule. A Slot is therefore not a
row: its id is `{chair id}-{start in epoch seconds}`, and reading one asks the calendar again (a
Slot taken since is a 404). Searches cover `start` ranges of at most 31 days (default: the next 7),
page in (start, chair) order with `next` links, and show no patient data (no audit row).
"""

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from fhir.errors import bad_request, not_found
from fhir.mappers.common import instant, reference
from fhir.registry import Found, Page, ResourceType, SearchParam, register
from fhir.search import Query, date_ranges, encode_cursor, reference_ids, token_codes
from scheduling.access import access_chairs
from scheduling.availability import Slot, epoch, find_slots
from scheduling.models import Chair, Site

DEFAULT_DAYS = 7
MAX_DAYS = 31
SLOT_ID = re.compile(r"^([1-9][0-9]{0,17})-([0-9]{1,12})$")


def slot_id(slot: Slot) -> str:
    return f"{slot.chair.pk}-{epoch(slot.start)}"


def slot_resource(slot: Slot) -> dict:
    return {
        "resourceType": "Slot",
        "id": slot_id(slot),
        "serviceCategory": [{"text": "Infusion"}],
        "schedule": reference("Schedule", slot.chair.pk),
        "status": "free",
        "start": instant(slot.start),
        "end": instant(slot.end),
    }


def free_slots(chairs: list[Chair], start: datetime, end: datetime) -> list[Slot]:
    """Every free grid step of these chairs starting in [start, end), in (start, chair) order.

    One find_slots per grid size among the chairs' sites (usually one): its queries, not one per day."""
    wanted = {chair.pk for chair in chairs}
    by_grid: dict[int, list[int]] = defaultdict(list)
    for site in {chair.site_id: chair.site for chair in chairs}.values():
        by_grid[site.grid_minutes].append(site.pk)
    slots: list[Slot] = []
    for grid, site_ids in by_grid.items():
        zones = [chair.site.zone for chair in chairs if chair.site_id in site_ids]
        first = min(start.astimezone(zone).date() for zone in zones)
        last = max((end - timedelta(microseconds=1)).astimezone(zone).date() for zone in zones)
        found = find_slots(
            duration_minutes=grid,
            date_from=first,
            date_to=last,
            sites=Site.objects.filter(pk__in=site_ids),
            limit=10**9,
            every_chair=True,
        )
        slots.extend(s for s in found if s.chair.pk in wanted and start <= s.start < end)
    slots.sort(key=lambda s: (s.start, s.chair.pk))
    return slots


def _window(query: Query) -> tuple[datetime, datetime]:
    now = timezone.now()
    start, end, explicit_end = now, None, False
    for when in date_ranges(query, "start", query.params.get("start", [])):
        lower = {"ge": when.start, "gt": when.end, "eq": when.start}.get(when.prefix)
        upper = {"le": when.end, "lt": when.start, "eq": when.end}.get(when.prefix)
        if lower is not None:
            start = max(start, lower)
        if upper is not None:
            end = upper if end is None else min(end, upper)
            explicit_end = True
    if end is None:
        end = start + timedelta(days=DEFAULT_DAYS)
    if explicit_end and end - start > timedelta(days=MAX_DAYS):
        raise bad_request(
            "range_too_long",
            f"Ask for free slots over {MAX_DAYS} days at most (start=ge...&start=lt...).",
            param="start",
        )
    return start, end


def _chairs(request, query: Query | None = None) -> list[Chair]:
    chairs = access_chairs(request.user, Chair.objects.filter(is_active=True).select_related("site"))
    if query is not None:
        for ids in (reference_ids("schedule", [v], "Schedule")[0] for v in query.params.get("schedule", [])):
            chairs = chairs.filter(pk__in=ids)
    return list(chairs)


def search(request, query: Query) -> Page:
    for alternatives in token_codes(
        "status", query.params.get("status", []), {code: code for code in STATUSES}
    ):
        if "free" not in alternatives:
            return Page([], None, total=0)
    start, end = _window(query)
    direction, key = query.cursor or ("after", None)
    if direction != "after" or (
        key is not None and (len(key) != 2 or not all(isinstance(k, int) for k in key))
    ):
        raise bad_request("cursor_invalid", "This _cursor is not one of this search's.", param="_cursor")
    slots = free_slots(_chairs(request, query), start, end) if start < end else []
    if key is not None:
        slots = [s for s in slots if (epoch(s.start), s.chair.pk) > (key[0], key[1])]
    page = slots[: query.count]
    more = len(slots) > query.count
    next_cursor = encode_cursor("after", [epoch(page[-1].start), page[-1].chair.pk]) if more else None
    total = len(slots) if key is None else None
    return Page([slot_resource(s) for s in page], None, next_cursor, None, total)


def read(request, resource_id: str) -> Found:
    chair_pk, start_epoch = (int(part) for part in SLOT_ID.match(resource_id).groups())
    start = datetime.fromtimestamp(start_epoch, tz=UTC)
    chairs = [chair for chair in _chairs(request) if chair.pk == chair_pk]
    found = [s for s in free_slots(chairs, start, start + timedelta(seconds=1))] if chairs else []
    if not found:
        raise not_found("Slot", resource_id)
    return Found(slot_resource(found[0]), None)


STATUSES = ("busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error")
PARAMS = {
    "schedule": SearchParam("schedule", "reference", "The chair's Schedule (Schedule/id)."),
    "start": SearchParam(
        "start",
        "date",
        f"When it starts (ge, gt, le, lt, eq); default the next {DEFAULT_DAYS} days, at most {MAX_DAYS}.",
    ),
    "status": SearchParam("status", "token", "free (only free time is served)."),
}

register(
    ResourceType(
        name="Slot",
        permission="scheduling.view_chair",
        params=PARAMS,
        read=read,
        search=search,
        documentation="Free chair time, one grid step per Slot, from the booking rules themselves.",
        id_pattern=SLOT_ID,
        id_hint="{chair id}-{start in epoch seconds}",
    )
)
