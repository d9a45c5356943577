"""A session to chart: the worked-example order (70 kg, 1 g/kg, 700 mL, 35-70-140-280-378 mL/h) booked
today, Tuesday 2 March 2027, 09:00-13:15 New York, in R1; the nurse is a member of the site."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import time_machine

from scheduling.models import Booking, Site
from tests.infusions.calendar import NEW_YORK, make_clinic, make_order
from tests.infusions.factories import cycle_day
from tests.scheduling.factories import BookingFactory, SiteMembershipFactory

MORNING = datetime(2027, 3, 2, 8, 50, tzinfo=NEW_YORK)


def cid() -> str:
    return str(uuid.uuid4())


@dataclass
class Chair:
    site: Site
    booking: Booking
    order: object

    @property
    def patient(self):
        return self.booking.patient


@pytest.fixture
def clock():
    """08:50 on the day of the booking; the test moves the clock with `clock.shift(seconds)`."""
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def chair(clock, manager, nurse):
    site, chairs = make_clinic()
    order = make_order(manager)
    booking = BookingFactory(
        chair=chairs["R1"],
        patient=order.patient,
        start=datetime(2027, 3, 2, 9, 0, tzinfo=NEW_YORK),
        end=datetime(2027, 3, 2, 13, 15, tzinfo=NEW_YORK),
    )
    cycle_day(booking, order)
    SiteMembershipFactory(site=site, user=nurse)
    return Chair(site, booking, order)


@pytest.fixture
def nurse_api(api, nurse, clock):
    return api.as_user(nurse)


def minutes(n: float) -> float:
    return n * 60


def local(clock_text: str) -> str:
    """An aware ISO time today at the site: local("09:30")."""
    hour, minute = map(int, clock_text.split(":"))
    return MORNING.replace(hour=hour, minute=minute).isoformat()


def move_to(clock, clock_text: str) -> None:
    hour, minute = map(int, clock_text.split(":"))
    clock.move_to(MORNING.replace(hour=hour, minute=minute) + timedelta(seconds=0))


VITALS_OK = {
    "systolic": 124,
    "diastolic": 78,
    "heart_rate": 72,
    "spo2": 98,
    "temperature_c": "36.7",
    "respiratory_rate": 14,
}


def post(api, url: str, **body):
    return api.post(url, {"client_id": cid(), **body}, format="json")


def ready_to_start(api, chair, clock, weight="70", vitals=VITALS_OK):
    """Check in, checklist and baseline vitals through the API; returns the session id."""
    response = post(api, "/api/v1/sessions/", booking=chair.booking.pk)
    assert response.status_code == 201, response.json()
    session = response.json()["id"]
    response = post(
        api,
        f"/api/v1/sessions/{session}/checklist/",
        identity_confirmed=True,
        weight_kg=weight,
        hydration="oral",
        egfr_reviewed=True,
        checks_acknowledged=True,
    )
    assert response.status_code == 201, response.json()
    response = post(api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("08:50"), **vitals)
    assert response.status_code == 201, response.json()
    return session
