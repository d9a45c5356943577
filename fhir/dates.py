"""FHIR date search values as half-open UTC ranges (pure: no Django).

A value is an optional prefix (eq, ne, gt, lt, ge, le; only the first five are served) and a date or
dateTime of any precision: `2026`, `2026-12`, `2026-12-04`, `2026-12-04T09:30Z`,
`2026-12-04T09:30:00.5-05:00`. The value stands for the range its precision covers (a day is that
whole day); a date without a time is a day in the given zone (the site's), while a time without a zone
is refused: FHIR requires one, and guessing it would move the answer by hours.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

SUPPORTED_PREFIXES = ("eq", "gt", "lt", "ge", "le")
ALL_PREFIXES = (*SUPPORTED_PREFIXES, "ne", "sa", "eb", "ap")

_VALUE = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d{1,9})?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


class DateValueError(ValueError):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class DateRange:
    prefix: str
    start: datetime  # inclusive
    end: datetime  # exclusive


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return day.replace(year=total // 12, month=total % 12 + 1, day=1)


def parse_date_value(raw: str, zone: tzinfo) -> DateRange:
    """The range a FHIR date search value stands for; DateValueError with a stable code if unreadable."""
    prefix = "eq"
    if raw[:2] in ALL_PREFIXES and not raw[:2].isdigit():
        prefix, raw = raw[:2], raw[2:]
        if prefix not in SUPPORTED_PREFIXES:
            raise DateValueError(
                "date_prefix_not_supported",
                f"The date prefix {prefix} is not supported; use one of {', '.join(SUPPORTED_PREFIXES)}.",
            )
    match = _VALUE.match(raw)
    if not match:
        raise DateValueError(
            "date_invalid", "A date is YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+zone."
        )
    parts = match.groupdict()
    if parts["hour"] is not None and parts["zone"] is None:
        raise DateValueError(
            "datetime_naive", "A date with a time needs its zone (Z or +hh:mm): the time alone is ambiguous."
        )
    try:
        if parts["hour"] is None:
            year, month, day = int(parts["year"]), int(parts["month"] or 1), int(parts["day"] or 1)
            first = date(year, month, day)
            if parts["day"]:
                after = first + timedelta(days=1)
            elif parts["month"]:
                after = _add_months(first, 1)
            else:
                after = first.replace(year=year + 1)
            start = datetime(first.year, first.month, first.day, tzinfo=zone)
            end = datetime(after.year, after.month, after.day, tzinfo=zone)
        else:
            text = raw.replace("Z", "+00:00")
            start = datetime.fromisoformat(text)
            if parts["second"] is None:
                end = start + timedelta(minutes=1)
            elif parts["fraction"] is None:
                end = start + timedelta(seconds=1)
            else:
                end = start + timedelta(microseconds=1)
    except (ValueError, OverflowError):
        raise DateValueError("date_invalid", f"{raw} is not a date on the calendar.") from None
    return DateRange(prefix, start, end)
