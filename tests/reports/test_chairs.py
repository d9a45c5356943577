"""The Chairs report on the hand-worked clinic of conftest.py (open 08:00-12:00 Sun and Mon, 3 active
chairs: 4 h x 60 x 3 = 720 open chair-minutes a day)."""

import pytest

from scheduling.selectors import site_days
from tests.reports.conftest import MON, SAT, SUN, range_query

pytestmark = pytest.mark.django_db


def tables(api, manager, clinic, **extra):
    response = api.as_user(manager).get("/api/v1/reports/chairs/", range_query(clinic, **extra))
    assert response.status_code == 200, response.json()
    return {key: table["rows"] for key, table in response.json()["tables"].items()}


def by(rows, key="label"):
    return {row[key]: row for row in rows}


def test_utilisation_by_day_counts_booked_and_infused_minutes_over_open_ones(api, manager, clinic):
    days = by(tables(api, manager, clinic)["by_day"])
    assert list(days) == ["2026-10-31", "2026-11-01", "2026-11-02"]
    # Saturday is closed: nothing open, no rate.
    assert days["2026-10-31"]["open_chair_minutes"] == 0
    assert days["2026-10-31"]["scheduled_pct"] is None
    # Sunday (the DST day) is open 08:00-12:00 local like any other: 240 min x 3 active chairs.
    sunday = days["2026-11-01"]
    assert sunday["open_chair_minutes"] == 240 * 3
    # Booked: A 180 + G 60 (B no-show and C cancelled hold no chair) = 240 -> 240 / 720 = 33.3%.
    assert sunday["booked_chair_minutes"] == 180 + 60
    assert sunday["scheduled_pct"] == 33.3
    # Infused: A 08:10-10:40 = 150 -> 150 / 720 = 20.8%.
    assert sunday["infused_chair_minutes"] == 150
    assert sunday["actual_pct"] == 20.8
    monday = days["2026-11-02"]
    # Booked: D 240 + F 120 (E cancelled) = 360 -> 50%; infused D 180 + F 110 = 290 -> 40.3%.
    assert (monday["booked_chair_minutes"], monday["scheduled_pct"]) == (240 + 120, 50.0)
    assert (monday["infused_chair_minutes"], monday["actual_pct"]) == (180 + 110, 40.3)


def test_utilisation_by_weekday_chair_type_site_and_in_total(api, manager, clinic):
    data = tables(api, manager, clinic)
    weekdays = by(data["by_weekday"])
    assert weekdays["Sun"]["scheduled_pct"] == 33.3 and weekdays["Mon"]["scheduled_pct"] == 50.0
    kinds = by(data["by_chair_type"])
    # Recliners: 2 chairs x 240 x 2 days = 960 open; A 180 + D 240 = 420 booked -> 43.75 -> 43.8%;
    # infused A 150 + D 180 = 330 -> 34.4%.
    assert kinds["Recliner"]["open_chair_minutes"] == 960
    assert (kinds["Recliner"]["scheduled_pct"], kinds["Recliner"]["actual_pct"]) == (43.8, 34.4)
    # Bed: 1 x 240 x 2 = 480 open; G 60 + F 120 = 180 booked -> 37.5%; F 110 infused -> 22.9%.
    assert (kinds["Bed"]["open_chair_minutes"], kinds["Bed"]["booked_chair_minutes"]) == (480, 180)
    assert (kinds["Bed"]["scheduled_pct"], kinds["Bed"]["actual_pct"]) == (37.5, 22.9)
    # The whole range: 600 booked and 440 infused over 1440 open -> 41.7% and 30.6%.
    (total,) = data["total"]
    assert (total["open_chair_minutes"], total["booked_chair_minutes"], total["infused_chair_minutes"]) == (
        1440,
        600,
        440,
    )
    assert (total["scheduled_pct"], total["actual_pct"]) == (41.7, 30.6)
    assert by(data["by_site"])["Report Test Center"]["scheduled_pct"] == 41.7


def test_the_heat_map_puts_the_dst_day_s_bookings_at_their_local_hour(api, manager, clinic):
    cells = {(r["weekday"], r["hour"]): r for r in tables(api, manager, clinic)["occupancy"]}
    # Only open hours are cells: 08-11 on Sunday and Monday, 60 min x 3 chairs = 180 open each.
    assert sorted(cells) == sorted((d, f"{h:02d}:00") for d in ("Sun", "Mon") for h in (8, 9, 10, 11))
    assert {r["open_chair_minutes"] for r in cells.values()} == {180}
    # Sunday 08:00 EST is 13:00 UTC: A and G fill that local hour (120 / 180 = 66.7%), not the next.
    assert cells[("Sun", "08:00")]["occupancy_pct"] == 66.7
    assert cells[("Sun", "09:00")]["occupancy_pct"] == 33.3  # A only (G ended at 09:00, B no-show)
    assert cells[("Sun", "11:00")]["occupancy_pct"] == 0.0
    # Monday 10:00 and 11:00: D and F -> 120 / 180.
    assert cells[("Mon", "10:00")]["occupancy_pct"] == 66.7
    assert cells[("Mon", "08:00")]["booked_chair_minutes"] == 60


def test_open_minutes_are_the_calendar_s_own_as_the_week_view_counts_them(api, manager, clinic):
    days = by(tables(api, manager, clinic)["by_day"])
    for board in site_days(clinic.site, SAT, 3):
        assert days[board.day.isoformat()]["open_chair_minutes"] == board.open_chair_minutes
        assert days[board.day.isoformat()]["booked_chair_minutes"] == board.booked_chair_minutes
    assert SUN.isoformat() in days and MON.isoformat() in days


def test_the_report_runs_the_same_queries_for_three_days_as_for_a_year(
    api, manager, clinic, django_assert_num_queries
):
    client = api.as_user(manager)
    client.get("/api/v1/reports/chairs/", range_query(clinic))  # the session and permissions, once
    with django_assert_num_queries(5):
        assert client.get("/api/v1/reports/chairs/", range_query(clinic)).status_code == 200
    with django_assert_num_queries(5):
        year = {"site": clinic.site.pk, "start": "2026-01-01", "end": "2026-12-31"}
        assert client.get("/api/v1/reports/chairs/", year).status_code == 200
