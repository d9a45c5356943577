"""Reproducible synthetic site-days with the midday peak, for the tests and `bench/optimiser_bench.py`.

A site open 08:00-18:00 on a 15-minute grid with one chair per session pair, nurses at 1:4 in two
overlapping shifts (07:45-16:15 and 09:45-18:15, so each covers its slots entirely), and sessions of
2-5 hours whose current starts pile up between 09:00 and 11:30, as bookings do when each patient asks
for "late morning".
"""

import random

from scheduling.optimiser.problem import Chair, Day, Problem, Session, Shift

SLOTS_PER_DAY = 96  # 15-minute grid
OPENS, CLOSES = 32, 72  # 08:00, 18:00


def peaked_day(*, chairs: int, sessions: int, seed: int = 1, beds: int = 0) -> Problem:
    """A site-day of `chairs` chairs (the last `beds` of them beds) and `sessions` sessions."""
    rng = random.Random(seed)  # noqa: S311 - test data, reproducible by seed
    chair_list = tuple(
        Chair(id=i + 1, kind="bed" if i >= chairs - beds else "recliner") for i in range(chairs)
    )
    nurses = max(2, -(-chairs // 4))
    early = nurses - nurses // 2
    shifts = tuple(Shift(31, 65) for _ in range(early)) + tuple(Shift(39, 73) for _ in range(nurses - early))
    items = []
    for n in range(sessions):
        duration = rng.choice([8, 10, 12, 12, 14, 16, 18, 20])
        start = rng.randint(36, 46)
        start = min(start, CLOSES - duration)
        kinds = frozenset({"bed"}) if beds and rng.random() < 0.1 else frozenset()
        items.append(
            Session(
                id=n + 1,
                patient=1000 + n,
                duration=duration,
                current_start=start,
                current_chair=None,
                chair_kinds=kinds,
                preferred=(OPENS, 47) if rng.random() < 0.5 else None,
            )
        )
    return Problem(
        chairs=chair_list,
        days=(Day(0, OPENS, CLOSES),),
        shifts=shifts,
        sessions=tuple(items),
        slots_per_day=SLOTS_PER_DAY,
        patients_per_nurse=4,
        starts_per_nurse=1,
    )
