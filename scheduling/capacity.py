"""Which bookings a roster leaves without nurses: pure, no Django.

The calendar's rule (scheduling/rules.py, `nurse_refusal`): a nurse counts for a grid slot when her
shift covers all of it; in each slot at most nurses x patients-per-nurse patients may be in chairs, and
at most nurses x starts-per-nurse may start in it. Booking checks one new booking against that; a change
of the roster checks every booking it touches.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta


def uncovered(
    bookings: Iterable[tuple[int, datetime, datetime]],
    shifts: list[tuple[datetime, datetime]],
    *,
    step: timedelta,
    patients_per_nurse: int,
    starts_per_nurse: int,
) -> list[int]:
    """The ids of the bookings that are in a slot over nurse capacity, or start in a slot over the
    start limit, with these `shifts`; in the order given."""
    bookings = list(bookings)
    slots: dict[datetime, list[int]] = {}
    starts: dict[datetime, list[int]] = {}
    for pk, start, end in bookings:
        slot = start
        while slot < end:
            slots.setdefault(slot, []).append(pk)
            slot += step
        starts.setdefault(start, []).append(pk)

    def nurses(slot: datetime) -> int:
        return sum(1 for s, e in shifts if s <= slot and e >= slot + step)

    over: set[int] = set()
    for slot, ids in slots.items():
        if len(ids) > nurses(slot) * patients_per_nurse:
            over.update(ids)
    for slot, ids in starts.items():
        if len(ids) > nurses(slot) * starts_per_nurse:
            over.update(ids)
    return [pk for pk, _, _ in bookings if pk in over]
