"""A clinic with a patient whose order's next two cycles are booked, and a visit link to the first.

The clinic is tests/infusions/calendar.py's (weekdays 08:00-18:00 in New York, recliners R1, R2, bed
B1, two nurses); "now" is Monday 1 March 2027, 06:00 in New York. The order is the DOMAIN worked
example (255 chair minutes) every 21 days: cycle 1 on Tuesday 2 March at 09:00, cycle 2 on Tuesday
23 March at 09:00, both in R1.
"""

import pytest
import time_machine
from django.core.cache import cache

from infusions import cycles
from selfservice import tokens
from tests.infusions.calendar import NOW, at, make_clinic, make_order
from tests.notifications.conftest import sms  # noqa: F401 - the SMS folder fixture


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _rate_limit_reset(db):
    cache.delete_pattern("*selfservice:rate:*") if hasattr(cache, "delete_pattern") else cache.clear()
    yield


@pytest.fixture
def clinic(db):
    site, chairs = make_clinic()
    site.address = "200 River Road\nSpringfield, NY 10001"
    site.phone = "+15555550199"
    site.save()
    return site, chairs


@pytest.fixture
def order(clinic, manager):
    order = make_order(manager)
    patient = order.patient
    patient.given_name, patient.family_name = "Ada", "Quimby"
    patient.phone, patient.email, patient.reminder_channel = "+15555550123", "ada@example.org", "sms"
    patient.save()
    return order


@pytest.fixture
def booked(order, clinic, scheduler):
    """The order's cycles 1 and 2 (one booking each)."""
    chairs = clinic[1]
    [first] = cycles.cycle_book(order=order, chair=chairs["R1"], start=at("2027-03-02"), created_by=scheduler)
    [second] = cycles.cycle_book(
        order=order, chair=chairs["R1"], start=at("2027-03-23"), created_by=scheduler
    )
    return first, second


@pytest.fixture
def visit(booked):
    return booked[0]


@pytest.fixture
def token(visit):
    return tokens.link_issue(patient_id=visit.patient_id, booking=visit, expires_at=visit.start)
