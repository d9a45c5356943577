"""FHIR date search values as ranges (fhir/dates.py, pure)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from fhir.dates import DateValueError, parse_date_value

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("raw", "prefix", "start", "end"),
    [
        ("2027-03-02", "eq", datetime(2027, 3, 2, tzinfo=NEW_YORK), datetime(2027, 3, 3, tzinfo=NEW_YORK)),
        ("ge2027-03", "ge", datetime(2027, 3, 1, tzinfo=NEW_YORK), datetime(2027, 4, 1, tzinfo=NEW_YORK)),
        ("lt2027", "lt", datetime(2027, 1, 1, tzinfo=NEW_YORK), datetime(2028, 1, 1, tzinfo=NEW_YORK)),
        ("2027-12", "eq", datetime(2027, 12, 1, tzinfo=NEW_YORK), datetime(2028, 1, 1, tzinfo=NEW_YORK)),
        (
            "gt2027-03-02T14:00Z",
            "gt",
            datetime(2027, 3, 2, 14, 0, tzinfo=UTC),
            datetime(2027, 3, 2, 14, 1, tzinfo=UTC),
        ),
        (
            "le2027-03-02T09:00:30-05:00",
            "le",
            datetime(2027, 3, 2, 14, 0, 30, tzinfo=UTC),
            datetime(2027, 3, 2, 14, 0, 31, tzinfo=UTC),
        ),
    ],
)
def test_a_date_stands_for_the_range_its_precision_covers(raw, prefix, start, end):
    when = parse_date_value(raw, NEW_YORK)
    assert (when.prefix, when.start, when.end) == (prefix, start, end)


def test_a_day_in_new_york_spans_the_dst_change_at_its_true_length():
    when = parse_date_value("2027-03-14", NEW_YORK)
    assert (when.end.astimezone(UTC) - when.start.astimezone(UTC)).total_seconds() == 23 * 3600


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("2027-03-02T09:00", "datetime_naive"),
        ("2027-03-02T09:00:00", "datetime_naive"),
        ("2027-02-30", "date_invalid"),
        ("2027-3-2", "date_invalid"),
        ("yesterday", "date_invalid"),
        ("", "date_invalid"),
        ("ne2027-03-02", "date_prefix_not_supported"),
        ("ap2027", "date_prefix_not_supported"),
        ("2027-03-02T25:00Z", "date_invalid"),
        ("9999-12-31T23:59:59-14:00", "date_invalid"),  # its end is past the calendar: still a 400
        ("0000-01-01", "date_invalid"),
        ("0001-01-01", None),
    ],
)
def test_an_unreadable_or_zoneless_date_is_refused_with_its_code(raw, code):
    if code is None:
        parse_date_value(raw, NEW_YORK)  # the edge of the calendar still reads
        return
    with pytest.raises(DateValueError) as refused:
        parse_date_value(raw, NEW_YORK)
    assert refused.value.code == code
