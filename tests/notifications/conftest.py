"""A clinic for reminder tests: "now" is Monday 1 March 2027, 06:00 in New York (11:00 UTC).

The site is open every day 07:00-19:00 local with two chairs and two nurses on shift, so the scheduling
services book for real. SMS goes to the file backend in a temporary folder; email to Django's locmem.
"""

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import PatientFactory, SiteFactory
from tests.scheduling.factories import ChairFactory, NurseShiftFactory, OpeningHoursFactory

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 6, 0, tzinfo=NEW_YORK)


def at(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=NEW_YORK)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def site(db):
    site = SiteFactory(
        name="Riverside Infusion Center",
        time_zone="America/New_York",
        address="200 River Road\nSuite 4\nSpringfield, NY 10001",
        phone="+15555550199",
    )
    for weekday in range(7):
        OpeningHoursFactory(site=site, weekday=weekday, opens=time(7, 0), closes=time(19, 0))
    for n in range(21):
        day = NOW.date() + timedelta(days=n)
        for name in ("Nell", "Omar"):
            NurseShiftFactory(site=site, name=name, start=at(day, "06:30"), end=at(day, "19:30"))
    return site


@pytest.fixture
def chairs(site):
    return [ChairFactory(site=site, name=f"R{n}") for n in (1, 2)]


@pytest.fixture
def patient(db):
    return PatientFactory(phone="+15555550123", email="ada@example.org", reminder_channel="sms")


class SmsFolder:
    def __init__(self, path: Path):
        self.path = path

    def messages(self) -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted(self.path.glob("outbox-*.json"))]


@pytest.fixture
def sms(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_DIR = tmp_path / "outbox"
    return SmsFolder(settings.SMS_FILE_DIR)
