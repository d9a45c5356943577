"""The API's one datetime input: aware, with an offset PostgreSQL accepts, in a range arithmetic survives.

`AwareDateTimeField` is the serializer field (every ModelSerializer maps model DateTimeFields to it, see
`clinic.apps`), `AwareDateTimeFilter` the query-parameter filter. Both refuse with a stable code:
- `naive_datetime`: no offset or Z ("2026-12-02T13:30:00" would silently be read as UTC);
- `offset_out_of_range`: an offset beyond +/-15:59 (PostgreSQL refuses it);
- `datetime_out_of_range`: a year outside MIN_YEAR..MAX_YEAR (9999-12-31 overflows end-time arithmetic).
"""

from datetime import datetime, timedelta

import django_filters
from django import forms
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

MIN_YEAR = 1900
MAX_YEAR = 2999
MAX_OFFSET = timedelta(hours=15, minutes=59)

MESSAGES = {
    "naive_datetime": "Give the time with its UTC offset or Z, e.g. 2026-12-02T08:30:00-05:00.",
    "offset_out_of_range": "The UTC offset must be within -15:59 and +15:59.",
    "datetime_out_of_range": f"The time must fall between the years {MIN_YEAR} and {MAX_YEAR}.",
}


def datetime_problem(value: datetime) -> str | None:
    """The code of what is wrong with a parsed input time (a key of MESSAGES), or None."""
    offset = value.utcoffset()
    if offset is None:
        return "naive_datetime"
    if abs(offset) > MAX_OFFSET:
        return "offset_out_of_range"
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return "datetime_out_of_range"
    return None


def _parsed(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_datetime(value.strip())
        except ValueError:  # a well-formed string with an impossible value (month 13)
            return None
    return None


# What the schema says of every input time: ISO 8601 with an offset or Z, in the accepted years.
DATETIME_SCHEMA = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^(19\d\d|2\d\d\d)-\d\d-\d\dT.*(Z|z|[+-](0\d|1[0-5]):?[0-5]\d)$",
    "example": "2027-03-02T10:00:00-05:00",
}


@extend_schema_field(DATETIME_SCHEMA)
class AwareDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField that refuses naive times, impossible offsets and far-off years (see module)."""

    default_error_messages = MESSAGES

    def get_value(self, dictionary):
        # DRF reads a blank form or query value (`?since=`) as "not given"; a blank time is not a time.
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "" and not self.allow_null:
            return ""
        return super().get_value(dictionary)

    def to_internal_value(self, value):
        parsed = _parsed(value)
        if parsed is not None:
            problem = datetime_problem(parsed)
            if problem:
                self.fail(problem)
        return super().to_internal_value(value)


class AwareIsoDateTimeFormField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        if isinstance(value, str) and not value.strip():
            # `?updated_since=` is a client's bug (an unset variable), not "no filter".
            raise forms.ValidationError("Give a time, e.g. 2026-12-02T08:30:00-05:00.", code="invalid")
        parsed = _parsed(value)
        if parsed is not None:
            problem = datetime_problem(parsed)
            if problem:
                raise forms.ValidationError(MESSAGES[problem], code=problem)
        return super().to_python(value)


class AwareDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 query-parameter filter with the same refusals as AwareDateTimeField."""

    field_class = AwareIsoDateTimeFormField


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
        "example": "07:30",
        "description": "A local wall-clock time in the site's zone (HH:MM or HH:MM:SS), without an offset.",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time (opening hours, quiet hours). OpenAPI's `time` format means RFC 3339 with an
    offset, which these never carry, so the schema says what they are."""
