"""The session-age rule on plain numbers (seconds)."""

from clinic.session_age import EXPIRED, IDLE, LOCK, OK, session_verdict

MIN = 60
HOUR = 60 * MIN


def verdict(*, now, login_at=0, seen_at=0, locks=False):
    return session_verdict(
        now=now,
        login_at=login_at,
        seen_at=seen_at,
        idle_after=15 * MIN,
        absolute_after=12 * HOUR,
        locks_instead=locks,
    )


def test_a_session_used_a_minute_ago_is_fine():
    assert verdict(now=14 * MIN + 59, seen_at=MIN) == OK


def test_fifteen_idle_minutes_end_a_staff_session_and_lock_a_tablet():
    assert verdict(now=15 * MIN) == IDLE
    assert verdict(now=15 * MIN, locks=True) == LOCK


def test_twelve_hours_after_login_the_session_ends_however_busy():
    assert verdict(now=12 * HOUR - 1, seen_at=12 * HOUR - 2) == OK
    assert verdict(now=12 * HOUR, seen_at=12 * HOUR - 1) == EXPIRED
    assert verdict(now=12 * HOUR, seen_at=12 * HOUR - 1, locks=True) == EXPIRED


def test_a_clock_that_went_back_makes_a_session_younger_not_older():
    assert verdict(now=10 * MIN, login_at=HOUR, seen_at=HOUR) == OK
