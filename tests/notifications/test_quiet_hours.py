"""Quiet hours: local wall-clock windows, across midnight and DST."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from clinic.notifications.quiet import next_allowed, parse_window

NEW_YORK = ZoneInfo("America/New_York")
NIGHT = (time(21, 0), time(8, 0))


def local(*args) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (local(2027, 3, 3, 10, 0), local(2027, 3, 3, 10, 0)),  # daytime: as it is
        (local(2027, 3, 3, 20, 59), local(2027, 3, 3, 20, 59)),
        (local(2027, 3, 3, 21, 0), local(2027, 3, 4, 8, 0)),  # evening: next morning
        (local(2027, 3, 4, 6, 30), local(2027, 3, 4, 8, 0)),  # early morning: same morning
    ],
)
def test_a_message_in_quiet_hours_moves_to_their_end(at, expected):
    assert next_allowed(at, NEW_YORK, NIGHT) == expected


def test_the_end_of_quiet_hours_is_local_time_across_the_dst_change():
    # 14 March 2027: clocks spring forward in New York; 08:00 local is 12:00 UTC, not 13:00.
    moved = next_allowed(local(2027, 3, 13, 23, 0), NEW_YORK, NIGHT)

    assert moved == datetime(2027, 3, 14, 12, 0, tzinfo=UTC)


def test_a_daytime_window_and_no_window():
    assert next_allowed(local(2027, 3, 3, 12, 0), NEW_YORK, (time(12, 0), time(13, 30))) == local(
        2027, 3, 3, 13, 30
    )
    assert next_allowed(local(2027, 3, 3, 23, 0), NEW_YORK, None) == local(2027, 3, 3, 23, 0)


def test_it_reads_the_setting_and_refuses_nonsense():
    assert parse_window("21:00-08:00") == NIGHT
    assert parse_window("") is None
    with pytest.raises(ValueError, match="21:00-08:00"):
        parse_window("9pm")
