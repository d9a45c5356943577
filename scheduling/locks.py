"""Locks that serialise the bookings of one site's local day.

Nurse capacity and the start limit are sums over many bookings, which no constraint can express, so
`booking_create` and `booking_reschedule` count the day's bookings while holding a transaction-scoped
advisory lock on every local day the booking touches. Two desks booking the same site and day take
turns; other sites and days go on in parallel. Chair and patient overlaps do not rely on this: the
exclusion constraints hold them even without the lock.
"""

from datetime import date, datetime, timedelta

from django.db import connection

# The first key of PostgreSQL's two-key advisory locks: the "namespace" of scheduling's locks, so they
# cannot collide with advisory locks another part of the system may take.
LOCK_NAMESPACE = 4_201


def local_days(start: datetime, end: datetime, zone) -> list[date]:
    """The local dates the half-open range [start, end) touches, in order."""
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def lock_site_days(site, days: list[date]) -> None:
    """Take the advisory lock of each (site, local day), in date order, until the transaction ends.

    A fixed order means two transactions that need the same two days cannot deadlock.
    """
    with connection.cursor() as cursor:
        for day in sorted(set(days)):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                [LOCK_NAMESPACE, f"site-day:{site.pk}:{day.isoformat()}"],
            )
