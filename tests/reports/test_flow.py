"""The Flow report on the hand-worked clinic of conftest.py: seven bookings A-G on Sunday and Monday."""

import pytest

from tests.reports.conftest import range_query

pytestmark = pytest.mark.django_db


def tables(api, manager, clinic, **extra):
    response = api.as_user(manager).get("/api/v1/reports/flow/", range_query(clinic, **extra))
    assert response.status_code == 200, response.json()
    return {key: table["rows"] for key, table in response.json()["tables"].items()}


def test_no_shows_and_late_cancellations(api, manager, clinic):
    (total,) = tables(api, manager, clinic)["total"]
    assert total["bookings"] == 7
    # Came: A, D, F; B did not: 1 / (1 + 3) = 25%. G, still booked, is in neither.
    assert (total["attended"], total["no_shows"], total["no_show_pct"]) == (3, 1, 25.0)
    # C was cancelled 20 h before its start (late), E three days before: 1 late of 7 = 14.3%.
    assert (total["cancellations"], total["late_cancellations"], total["late_cancel_pct"]) == (2, 1, 14.3)


def test_chair_wait_infusion_time_and_overrun(api, manager, clinic):
    (total,) = tables(api, manager, clinic)["total"]
    # Waits (check-in to start): A 10, D 30, F 10 -> median 10; p90 = 10 + 0.8 x (30 - 10) = 26.
    assert (total["wait_median"], total["wait_p90"]) == (10.0, 26.0)
    # Planned A 60+80=140, D 120+80=200, F 100 -> 146.7; actual A 150, D 180, F 110 -> 146.7.
    assert total["planned_mean"] == round((140 + 200 + 100) / 3, 1)
    assert total["actual_mean"] == round((150 + 180 + 110) / 3, 1)
    # Actual - planned: +10, -20, +10 -> median +10.
    assert total["infusion_diff_median"] == 10.0
    # Discharge after the booking's end: A 11:10 > 11:00 (10 min), F 12:05 > 12:00 (5); D left at 11:45.
    assert (total["discharged"], total["overruns"], total["overrun_pct"]) == (3, 2, 66.7)
    assert total["overrun_mean"] == (10 + 5) / 2


def test_each_day_of_a_split_day_cycle_counts_in_its_own_local_week(api, manager, clinic):
    weeks = {row["label"]: row for row in tables(api, manager, clinic)["by_week"]}
    # Sunday 1 November belongs to the week of Monday 26 October: A (day 1), B, C, G.
    # Monday 2 November starts the next: D (day 2), E, F.
    assert weeks["2026-10-26"]["bookings"] == 4 and weeks["2026-11-02"]["bookings"] == 3
    assert weeks["2026-10-26"]["no_show_pct"] == 50.0  # B of A and B
    assert weeks["2026-11-02"]["wait_median"] == 20.0  # D 30 and F 10


def test_a_product_keeps_only_its_orders_bookings(api, manager, clinic):
    (total,) = tables(api, manager, clinic, product=clinic.product_a.pk)["total"]
    # Gammagard Liquid: the split-day cycle's two days, A and D.
    assert (total["bookings"], total["attended"], total["no_show_pct"]) == (2, 2, 0.0)
    assert total["wait_median"] == 20.0  # 10 and 30
