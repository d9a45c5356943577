"""A clinic whose calendar tests can reason about: "now" is Monday 1 March 2027, 06:00 in New York.

The site is open every day 07:00-19:00 local, has four recliners and two beds, and two nurses on shift
06:00-20:00 local every day of the fortnight (capacity 8 patients, 2 starts per 15 minutes).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.browser.conftest import page, screenshot, stray_connections_closed  # noqa: F401 - the board browser test
from tests.factories import SiteFactory
from tests.scheduling.factories import ChairFactory, NurseShiftFactory, OpeningHoursFactory

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 6, 0, tzinfo=NEW_YORK)
TUESDAY = date(2027, 3, 2)


def at(clock: str, day: date = TUESDAY) -> datetime:
    """An aware time at the test site: at("10:00") is Tuesday 2 March 2027, 10:00 in New York."""
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def site(db):
    site = SiteFactory(name="Riverside Test Center", time_zone="America/New_York")
    for weekday in range(7):
        OpeningHoursFactory(site=site, weekday=weekday, opens=time(7, 0), closes=time(19, 0))
    return site


@pytest.fixture
def chairs(site):
    return [ChairFactory(site=site, name=f"R{n}", kind="recliner") for n in range(1, 5)] + [
        ChairFactory(site=site, name=f"B{n}", kind="bed") for n in range(1, 3)
    ]


@pytest.fixture
def nurses(site):
    shifts = []
    for n in range(14):
        day = NOW.date() + timedelta(days=n)
        for name in ("Nell", "Omar"):
            shifts.append(
                NurseShiftFactory(site=site, name=name, start=at("06:00", day), end=at("20:00", day))
            )
    return shifts


@pytest.fixture
def clinic(site, chairs, nurses):
    return site
