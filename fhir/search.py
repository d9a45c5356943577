"""Reading a FHIR search's query string, and paging a queryset by keyset.

`parse_query(request, type)` checks every parameter against the type's registered ones (an unknown
parameter or modifier is a 400, never silently ignored: the client would get more rows than it asked
for) and reads `_count` (default 50, at most 200: more is served as 200, each page links the next)
and `_cursor` (opaque, from a page's links). `_total=accurate` asks for a count; otherwise `total` is
given when it costs nothing (the whole answer fits in one page).

`keyset_page(queryset, query, to_resource)` reads one page ordered by primary key, from the row after
(or, for `previous`, before) the cursor's: one query for the page, whatever page it is, no OFFSET.
"""

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from fhir.dates import DateRange, DateValueError, parse_date_value
from fhir.errors import FhirError, bad_request
from fhir.registry import FHIR_ID, PK_ID, ResourceType

DEFAULT_COUNT = 50
MAX_COUNT = 200
# Parameters every search understands (besides the type's own).
COMMON = {"_count", "_cursor", "_total", "_format"}
FORMATS = {"json", "application/json", "application/fhir+json"}


@dataclass
class Query:
    type: ResourceType
    request: Any  # DRF's Request
    count: int
    params: dict[str, list[str]]
    cursor: tuple[str, list] | None = None  # ("after" | "before", key)
    accurate_total: bool = False
    _zone: ZoneInfo | None = field(default=None, repr=False)

    def zone(self) -> ZoneInfo:
        """The zone a date without a time is read in: the caller's site's (a query only if needed)."""
        if self._zone is None:
            from scheduling.zones import user_zone_name

            self._zone = ZoneInfo(user_zone_name(self.request.user))
        return self._zone


def parse_query(request, resource_type: ResourceType) -> Query:
    params: dict[str, list[str]] = {}
    for name, values in request.query_params.lists():
        if name in COMMON:
            continue
        if name not in resource_type.params:
            known = ", ".join(sorted(resource_type.params)) or "none"
            raise bad_request(
                "search_param_unknown",
                f"{resource_type.name} has no search parameter {name!r} (supported: {known}; and "
                "_count, _total).",
                param=name,
            )
        params[name] = values
    fmt = request.query_params.get("_format")
    if fmt is not None and fmt not in FORMATS:
        raise FhirError(406, "format_not_supported", "This server answers JSON only (_format=json).")
    total = request.query_params.get("_total")
    if total not in (None, "none", "estimate", "accurate"):
        raise bad_request("total_invalid", "_total is none, estimate or accurate.", param="_total")
    return Query(
        type=resource_type,
        request=request,
        count=_count(request.query_params.getlist("_count")),
        params=params,
        cursor=_cursor(request.query_params.get("_cursor")),
        accurate_total=total == "accurate",
    )


def _count(values: list[str]) -> int:
    if not values:
        return DEFAULT_COUNT
    raw = values[-1]
    if len(values) > 1 or not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise bad_request(
            "count_invalid",
            f"_count is one whole number from 1 (at most {MAX_COUNT} are served).",
            param="_count",
        )
    return min(int(raw), MAX_COUNT)


def encode_cursor(direction: str, key: list) -> str:
    raw = json.dumps([direction, key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(raw: str | None) -> tuple[str, list] | None:
    if raw is None:
        return None
    try:
        direction, key = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if direction not in ("after", "before") or not isinstance(key, list) or not key:
            raise ValueError
        if not all(isinstance(part, int | str) and not isinstance(part, bool) for part in key):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise bad_request(
            "cursor_invalid",
            "This _cursor was not given out by this server; start from the first page.",
            param="_cursor",
        ) from None
    return direction, key


# --- values of the parameter types ---------------------------------------------------------------------


def split_values(values: list[str]) -> list[list[str]]:
    """Each occurrence (ANDed) as its comma-separated alternatives (ORed)."""
    return [[part for part in value.split(",")] for value in values]


def reference_ids(name: str, values: list[str], target: str) -> list[list[int]]:
    """`patient=12`, `patient=Patient/12`, `patient=12,13`: the ids, per occurrence."""
    result = []
    for alternatives in split_values(values):
        ids = []
        for value in alternatives:
            kind, _, pk = value.rpartition("/")
            if kind not in ("", target) or not PK_ID.match(pk):
                raise bad_request(
                    "reference_invalid",
                    f"{name} is a {target} id or {target}/id, e.g. {target}/12.",
                    param=name,
                )
            ids.append(int(pk))
        result.append(ids)
    return result


def filter_reference(
    queryset: QuerySet, name: str, values: list[str], target: str, field_name: str
) -> QuerySet:
    for ids in reference_ids(name, values, target):
        queryset = queryset.filter(**{f"{field_name}__in": ids})
    return queryset


def token_codes(
    name: str, values: list[str], codes: Mapping[str, object], system: str | None = None
) -> list[list]:
    """`status=booked,fulfilled` (or system|code): the mapped values of each occurrence.

    An unknown code is a 400 naming the known ones (a typo must not answer "no rows")."""
    result = []
    for alternatives in split_values(values):
        mapped = []
        for value in alternatives:
            given_system, bar, code = value.rpartition("|")
            if bar and system is not None and given_system not in ("", system):
                raise bad_request("token_system_unknown", f"{name} codes are from {system}.", param=name)
            if code not in codes:
                raise bad_request(
                    "token_invalid", f"{name} is one of {', '.join(sorted(codes))}.", param=name
                )
            mapped.append(codes[code])
        result.append(mapped)
    return result


def filter_token(
    queryset: QuerySet, name: str, values: list[str], codes: dict[str, list], field_name: str
) -> QuerySet:
    """Filter by a token whose each code stands for one or more column values."""
    for alternatives in token_codes(name, values, codes):
        queryset = queryset.filter(**{f"{field_name}__in": [v for group in alternatives for v in group]})
    return queryset


def date_ranges(query: Query, name: str, values: list[str]) -> list[DateRange]:
    ranges = []
    for value in values:
        if "," in value:
            raise bad_request("date_invalid", f"{name} takes one date per parameter.", param=name)
        try:
            zone = query.zone() if "T" not in value else ZoneInfo("UTC")
            ranges.append(parse_date_value(value, zone))
        except DateValueError as error:
            raise bad_request(error.code, f"{name}: {error.detail}", param=name) from None
    return ranges


def date_condition(field_name: str, when: DateRange, *, is_date: bool = False, zone=None) -> Q:
    """The rows whose `field_name` (an instant, or a calendar date) falls as the prefix asks."""
    start: date | datetime = when.start
    end: date | datetime = when.end
    if is_date:
        start, end = when.start.astimezone(zone).date(), when.end.astimezone(zone).date()
        if end == start:  # a range shorter than a day still holds its day
            end = start + timedelta(days=1)
    return {
        "eq": Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end}),
        "ge": Q(**{f"{field_name}__gte": start}),
        "gt": Q(**{f"{field_name}__gte": end}),
        "le": Q(**{f"{field_name}__lt": end}),
        "lt": Q(**{f"{field_name}__lt": start}),
    }[when.prefix]


def filter_date(
    query: Query, queryset: QuerySet, name: str, values: list[str], field_name: str, *, is_date: bool = False
) -> QuerySet:
    for when in date_ranges(query, name, values):
        zone = query.zone() if is_date else None
        queryset = queryset.filter(date_condition(field_name, when, is_date=is_date, zone=zone))
    return queryset


def check_id(resource_type: ResourceType, resource_id: str) -> None:
    if not FHIR_ID.match(resource_id) or not resource_type.id_pattern.match(resource_id):
        raise bad_request(
            "id_invalid",
            f"A {resource_type.name} id is {resource_type.id_hint}; {resource_id[:64]!r} is not.",
        )


# --- keyset paging -------------------------------------------------------------------------------------


@dataclass
class Rows:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    total: int | None


def keyset_rows(queryset: QuerySet, query: Query) -> Rows:
    """One page of `queryset` in primary-key order, after or before the cursor's key.

    One query for the page (it reads one row more than the page to know whether a next page exists);
    a second, COUNT, only with `_total=accurate`."""
    direction, key = query.cursor or ("after", None)
    page_query = queryset
    if key is not None:
        if not isinstance(key[0], int):
            raise bad_request("cursor_invalid", "This _cursor is not one of this search's.", param="_cursor")
        page_query = (
            page_query.filter(pk__gt=key[0]) if direction == "after" else page_query.filter(pk__lt=key[0])
        )
    ordered = page_query.order_by("pk" if direction == "after" else "-pk")
    rows = list(ordered[: query.count + 1])
    more = len(rows) > query.count
    rows = rows[: query.count]
    if direction == "before":
        rows.reverse()
    has_next = more if direction == "after" else key is not None
    has_previous = key is not None if direction == "after" else more
    next_cursor = encode_cursor("after", [rows[-1].pk]) if rows and has_next else None
    previous_cursor = encode_cursor("before", [rows[0].pk]) if rows and has_previous else None
    if query.accurate_total:
        total = queryset.count()
    elif key is None and not more:
        total = len(rows)  # the whole answer is this page
    else:
        total = None
    return Rows(rows, next_cursor, previous_cursor, total)


def filter_constant(
    queryset: QuerySet, name: str, values: list[str], known: set[str], matching: set[str]
) -> QuerySet:
    """A token every row of the type has the same answer for (all vitals are `final`): each
    occurrence must name a `known` code; the rows match when it names one of `matching`."""
    for alternatives in token_codes(name, values, {code: code for code in known}):
        if not matching.intersection(alternatives):
            return queryset.none()
    return queryset
