"""A clinic with a waitlist: the cycle-booking clinic of tests/infusions/calendar.py (weekdays
08:00-18:00 in New York, recliners R1 and R2 and bed B1, two nurses), "now" Monday 1 March 2027,
10:00 in New York (outside the default quiet hours, 21:00-08:00).

`freed()` cancels a booked cycle on Wednesday 3 March 09:00 in R1: that chair time is what the
waitlisted patients are offered."""

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine

from infusions import cycles
from scheduling.services import booking_cancel
from tests.infusions.calendar import NEW_YORK, at, make_clinic, make_order
from waitlist import links, services
from waitlist.models import FreedSlot

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=NEW_YORK)
SLOT_DAY = "2027-03-03"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clinic(db, clock):
    return make_clinic()


@pytest.fixture
def chairs(clinic):
    return clinic[1]


def waitlisted(by, *, start_date=date(2027, 3, 1), earliest=date(2027, 3, 1), **entry):
    """A patient with an order (the DOMAIN example, 4 h 15 in the chair, every 21 days) on the waitlist."""
    order = make_order(by, start_date=start_date)
    return services.entry_create(order=order, earliest=earliest, by=by, **entry)


def freed(by, chair, *, clock="09:00", day=SLOT_DAY) -> FreedSlot:
    """Book a cycle for someone else and cancel it; return the freed chair time."""
    [booking] = cycles.cycle_book(order=make_order(by), chair=chair, start=at(day, clock), created_by=by)
    booking_cancel(booking=booking, reason="Patient unwell", by=by)
    return FreedSlot.objects.get(freed_booking=booking)


def token_of(offer, now=None) -> str:
    """A fresh link to the offer (as its message carries), reduced to the token."""
    url = links.offer_link(offer, now=now or datetime.now(tz=NEW_YORK))
    return urlsplit(url).path.strip("/").split("/")[-1]


def later(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


@pytest.fixture(autouse=True)
def _unthrottled(settings):
    """Every request of these tests comes from one address; the per-address limit is selfservice's own
    test. (The counter lives in Redis for its window, across tests.)"""
    settings.SELFSERVICE_RATE_LIMIT = 100_000
