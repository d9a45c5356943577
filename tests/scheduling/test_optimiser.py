"""The pure optimiser (scheduling/optimiser/, no Django): plain values in, a level schedule out.

Every schedule is checked here by a checker of the tests' own (`assert_keeps_every_rule`), not by the
solver's code. Slots are 15 minutes; slot 32 is 08:00.
"""

from fractions import Fraction

import pytest

from scheduling.optimiser import (
    Chair,
    Day,
    Infeasible,
    Link,
    NoScheduleFound,
    Problem,
    Session,
    Shift,
    curves,
    solve,
)
from scheduling.optimiser.synthetic import peaked_day

H8, H18 = 32, 72


def assert_keeps_every_rule(problem: Problem, schedule) -> None:
    chairs = {c.id: c for c in problem.chairs}
    per_day = problem.slots_per_day
    opened = {(d.index, t) for d in problem.days for t in range(d.opens, d.closes)}
    nurses = {}
    for t in {d.index * per_day + s for d in problem.days for s in range(d.opens, d.closes)}:
        nurses[t] = sum(1 for sh in problem.shifts if sh.start <= t < sh.end)
    busy_chair, busy_patient, load, starts = set(), set(), {}, {}
    for s in problem.sessions:
        placed = schedule.placements[s.id]
        if s.fixed:
            assert (placed.start, placed.chair) == (s.current_start, s.current_chair)
        else:
            assert s.earliest is None or placed.start >= s.earliest
            assert s.latest is None or placed.start <= s.latest
            starts[placed.start] = starts.get(placed.start, 0) + 1
        if s.chair_kinds:
            assert chairs[placed.chair].kind in s.chair_kinds
        for t in range(placed.start, placed.start + s.duration):
            assert (t // per_day, t % per_day) in opened, f"session {s.id} outside opening hours"
            assert (placed.chair, t) not in busy_chair, f"chair {placed.chair} double-booked at {t}"
            assert (s.patient, t) not in busy_patient
            busy_chair.add((placed.chair, t))
            busy_patient.add((s.patient, t))
            load[t] = load.get(t, 0) + 1
    for t, patients in load.items():
        assert patients <= nurses[t] * problem.patients_per_nurse, f"nurse capacity exceeded at {t}"
    for t, n in starts.items():
        assert n <= nurses[t] * problem.starts_per_nurse, f"start limit exceeded at {t}"
    for link in problem.links:
        first, second = schedule.placements[link.first], schedule.placements[link.second]
        assert second.start // per_day - first.start // per_day == link.days_apart


def small_site(sessions, *, chairs=4, nurses=1, beds=0, days=1, ratio=4, links=()):
    return Problem(
        chairs=tuple(Chair(i + 1, "bed" if i >= chairs - beds else "recliner") for i in range(chairs)),
        days=tuple(Day(d, H8, H18) for d in range(days)),
        shifts=tuple(Shift(d * 96 + H8, d * 96 + H18) for d in range(days) for _ in range(nurses)),
        sessions=tuple(sessions),
        patients_per_nurse=ratio,
        starts_per_nurse=1,
        links=tuple(links),
    )


def test_it_spreads_a_pile_of_ten_oclock_starts_to_the_lowest_peak():
    # Four 4-hour sessions all at 10:00 with one nurse: a 1:4 load at 10:00-14:00, but two chairs'
    # worth of work could be in sequence. Best possible: two at a time.
    problem = small_site([Session(i, 100 + i, 16, current_start=40, current_chair=i) for i in range(1, 5)])
    schedule = solve(problem, time_limit=5)
    assert_keeps_every_rule(problem, schedule)
    assert schedule.peak_load == Fraction(2)
    assert schedule.peak_load_bound == Fraction(2)
    assert schedule.optimal
    before = curves(problem, {s.id: s.current_start for s in problem.sessions})
    assert before.peak_load == Fraction(4)
    # Fewest moves: one nurse starts one infusion per slot, so one of the four stays at 10:00.
    assert schedule.moves == 3
    assert sorted(p.start for p in schedule.placements.values()).count(40) == 1


def test_a_level_day_is_left_alone():
    problem = small_site(
        [
            Session(1, 1, 8, current_start=H8, current_chair=1),
            Session(2, 2, 8, current_start=H8 + 8, current_chair=1),
        ]
    )
    schedule = solve(problem, time_limit=5)
    assert schedule.moves == 0
    assert {sid: (p.start, p.chair) for sid, p in schedule.placements.items()} == {1: (H8, 1), 2: (H8 + 8, 1)}


def test_it_keeps_fixed_sessions_and_works_around_them():
    sessions = [Session(1, 1, 16, current_start=40, current_chair=2, fixed=True)]
    sessions += [Session(i, i, 16, current_start=40, current_chair=i) for i in (2, 3)]
    schedule = solve(small_site(sessions), time_limit=5)
    assert (schedule.placements[1].start, schedule.placements[1].chair) == (40, 2)
    assert_keeps_every_rule(small_site(sessions), schedule)


def test_bed_sessions_get_beds():
    sessions = [Session(i, i, 12, current_start=40, chair_kinds=frozenset({"bed"})) for i in (1, 2)]
    sessions += [Session(i, i, 12, current_start=40) for i in (3, 4, 5)]
    problem = small_site(sessions, chairs=4, beds=1, nurses=2)
    schedule = solve(problem, time_limit=5)
    assert_keeps_every_rule(problem, schedule)
    bed_starts = sorted(schedule.placements[i].start for i in (1, 2))
    assert bed_starts[1] >= bed_starts[0] + 12  # one bed: one after the other


def test_windows_and_preferences_are_kept():
    # Patient 1 may only start 08:00-09:00; patient 2 (new, so no move to weigh) prefers the
    # afternoon (from 13:00); patient 3 prefers it too but is booked at 10:00, and staying put comes
    # before preferences.
    sessions = [
        Session(1, 1, 8, current_start=40, earliest=H8, latest=H8 + 4),
        Session(2, 2, 8, preferred=(52, 95)),
        Session(3, 3, 8, current_start=44, preferred=(52, 95)),
    ]
    problem = small_site(sessions)
    schedule = solve(problem, time_limit=5)
    assert H8 <= schedule.placements[1].start <= H8 + 4
    assert schedule.placements[2].start >= 52
    assert schedule.placements[3].start == 44
    assert schedule.preference_misses == 1


def test_split_days_keep_their_spacing_over_a_week():
    # A two-day course: day 2 exactly one day after day 1, both movable inside three days.
    sessions = [
        Session(1, 7, 16, current_start=96 + 40, earliest=0, latest=3 * 96),
        Session(2, 7, 16, current_start=2 * 96 + 40, earliest=0, latest=3 * 96),
        Session(3, 8, 16, current_start=96 + 40, earliest=96, latest=96 + 95),
    ]
    problem = small_site(sessions, days=3, ratio=1, chairs=2, links=[Link(1, 2, 1)])
    schedule = solve(problem, time_limit=5)
    assert_keeps_every_rule(problem, schedule)


def test_more_fixed_sessions_than_chairs_names_the_chairs():
    sessions = [Session(i, i, 8, current_start=40, current_chair=1, fixed=True) for i in (1, 2)]
    with pytest.raises(Infeasible) as refused:
        solve(small_site(sessions, chairs=1, nurses=2), time_limit=5)
    assert refused.value.constraint == "chairs"
    assert "2 fixed sessions" in refused.value.detail
    assert set(refused.value.sessions) == {1, 2}


def test_too_many_patients_for_the_nurses_names_nurse_capacity():
    # Six 9-hour sessions in a 10-hour day with one nurse at 1:4: at most four can be in at once.
    sessions = [Session(i, i, 36, current_start=H8) for i in range(1, 7)]
    with pytest.raises(Infeasible) as refused:
        solve(small_site(sessions, chairs=8, nurses=1), time_limit=5)
    assert refused.value.constraint == "nurse_capacity"


def test_a_session_longer_than_the_day_names_opening_hours():
    with pytest.raises(Infeasible) as refused:
        solve(small_site([Session(1, 1, 44, current_start=H8)]), time_limit=5)
    assert refused.value.constraint == "opening_hours"
    assert "44 slots" in refused.value.detail


def test_a_window_outside_the_hours_names_the_window():
    with pytest.raises(Infeasible) as refused:
        solve(small_site([Session(1, 1, 8, earliest=80, latest=90)]), time_limit=5)
    assert refused.value.constraint == "window"


def test_it_says_so_when_the_time_runs_out_before_any_schedule():
    # Dense and linked so the quick first schedule does not apply; far too little time to find one.
    problem = peaked_day(chairs=120, sessions=240, seed=3)
    problem = Problem(
        chairs=problem.chairs,
        days=problem.days,
        shifts=problem.shifts,
        sessions=problem.sessions,
        links=(Link(1, 2, 0),),
    )
    with pytest.raises(NoScheduleFound):
        solve(problem, time_limit=0.01)


def test_the_synthetic_thirty_chair_day_is_levelled_to_its_bound_in_five_seconds():
    problem = peaked_day(chairs=30, sessions=60)
    before = curves(problem, {s.id: s.current_start for s in problem.sessions})
    schedule = solve(problem, time_limit=5)
    assert_keeps_every_rule(problem, schedule)
    assert schedule.peak_load < before.peak_load
    assert schedule.peak_load - schedule.peak_load_bound <= 1
    assert schedule.seconds < 7
    after = curves(problem, {sid: p.start for sid, p in schedule.placements.items()})
    assert after.peak_load == schedule.peak_load
    assert after.peak_occupancy == schedule.peak_chairs


def test_progress_is_reported_up_to_done():
    seen = []
    solve(
        small_site([Session(1, 1, 8, current_start=40)]),
        time_limit=2,
        on_progress=lambda p, f: seen.append(p),
    )
    assert seen[0] == "peak_load" and seen[-1] == "done"
