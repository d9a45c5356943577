"""The worklist's "due in" / "overdue by" words, on plain values."""

from datetime import UTC, datetime, timedelta

import pytest

from insurance.due import due_words

NOW = datetime(2027, 3, 2, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (timedelta(hours=5), "due in 5 h"),
        (timedelta(hours=5, minutes=59), "due in 5 h"),  # never more time than is left
        (timedelta(minutes=40), "due in 40 min"),
        (timedelta(0), "due in 0 min"),
        (timedelta(hours=47), "due in 47 h"),
        (timedelta(days=2, hours=12), "due in 2 d 12 h"),
        (timedelta(days=7), "due in 7 d"),
        (-timedelta(hours=2), "overdue by 2 h"),
        (-timedelta(hours=2, minutes=59), "overdue by 2 h"),
        (-timedelta(minutes=1), "overdue by 1 min"),
        (-timedelta(days=3, hours=1), "overdue by 3 d 1 h"),
    ],
)
def test_a_deadline_reads_as_time_left_or_time_late(offset, words):
    assert due_words(NOW + offset, NOW) == words
