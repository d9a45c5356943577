"""A small clinic whose report numbers are worked out by hand in the tests.

"Report Test Center", New York, 15-minute grid, 4 patients and 1 start per nurse per slot. Open Sunday
and Monday 08:00-12:00 local (4 hours = 16 slots), closed Saturday. Chairs R1, R2 (recliners), B1 (bed)
active, R9 out of service. The range is Saturday 31 October to Monday 2 November 2026; Sunday
1 November is the day New York leaves summer time (02:00 EDT -> 01:00 EST), so Sunday 08:00 local is
13:00 UTC, where Saturday 08:00 was 12:00 UTC.

Nurses: Sunday one nurse 07:30-12:30; Monday the same nurse and a second 09:00-12:00.

Bookings (local times):
    A  Sun R1 08:00-11:00 completed  session: in 08:00, start 08:10, end 10:40, out 11:10; plan 60+80 min
    B  Sun R2 09:00-11:00 no-show
    C  Sun B1 08:00-10:00 cancelled on Sat 12:00 (20 h before: late)
    G  Sun B1 08:00-09:00 booked (never checked in)
    D  Mon R1 08:00-12:00 completed  session: in 08:00, start 08:30, end 11:30, out 11:45; plan 120+80 min
    E  Mon R2 09:00-10:00 cancelled on Fri 30 Oct 09:00 (3 days before: not late)
    F  Mon B1 10:00-12:00 completed  session: in 09:50, start 10:00, end 11:50, out 12:05; plan 100 min
A and D are days 1 and 2 of cycle 1 of one order (a split-day cycle, product Gammagard Liquid); F is
another order's (product Privigen).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import transaction

from charting.models import InfusionSession, SessionStatus
from scheduling.models import Booking, Site
from scheduling.services import booking_cancel
from tests.browser.conftest import page, screenshot, stray_connections_closed  # noqa: F401 - the browser test
from tests.factories import PatientFactory
from tests.infusions.calendar import NEW_YORK, make_order
from tests.infusions.factories import ProductFactory, cycle_day
from tests.reports import ledger as month
from tests.scheduling.factories import (
    BookingFactory,
    ChairFactory,
    NurseShiftFactory,
    OpeningHoursFactory,
    SiteFactory,
)

SAT, SUN, MON = date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)
NOW = datetime(2026, 11, 5, 12, 0, tzinfo=NEW_YORK)


def at(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=NEW_YORK)


@dataclass
class Clinic:
    site: Site
    bookings: dict[str, Booking]
    product_a: object
    product_f: object


def _session(booking, order, *, checked_in, started, ended, discharged, plan_minutes):
    day = booking.start.astimezone(NEW_YORK).date()
    return InfusionSession.objects.create(
        booking=booking,
        order=order,
        patient=booking.patient,
        status=SessionStatus.DISCHARGED,
        checked_in_at=at(day, checked_in),
        started_at=at(day, started),
        ended_at=at(day, ended),
        discharged_at=at(day, discharged),
        plan_steps=[
            {"minutes": f"{m}.0", "rate_ml_per_hour": "100.0", "capped": False} for m in plan_minutes
        ],
    )


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clinic(clock, manager):
    site = SiteFactory(name="Report Test Center", time_zone="America/New_York", grid_minutes=15)
    for weekday in (6, 0):  # Sunday, Monday
        OpeningHoursFactory(site=site, weekday=weekday, opens=time(8, 0), closes=time(12, 0))
    r1, r2 = ChairFactory(site=site, name="R1"), ChairFactory(site=site, name="R2")
    b1 = ChairFactory(site=site, name="B1", kind="bed")
    ChairFactory(site=site, name="R9", is_active=False)
    NurseShiftFactory(site=site, name="Nell", start=at(SUN, "07:30"), end=at(SUN, "12:30"))
    NurseShiftFactory(site=site, name="Nell", start=at(MON, "07:30"), end=at(MON, "12:30"))
    NurseShiftFactory(site=site, name="Omar", start=at(MON, "09:00"), end=at(MON, "12:00"))

    product_a = ProductFactory()
    product_f = ProductFactory(brand="Privigen", manufacturer="CSL Behring")
    split = make_order(manager, product=product_a, start_date=date(2026, 10, 1))
    other = make_order(manager, product=product_f, start_date=date(2026, 10, 1))

    def book(chair, day, start, end, status, patient=None):
        return BookingFactory(
            chair=chair,
            patient=patient or PatientFactory(),
            start=at(day, start),
            end=at(day, end),
            status=status,
        )

    b = {
        "A": book(r1, SUN, "08:00", "11:00", "completed", split.patient),
        "B": book(r2, SUN, "09:00", "11:00", "no_show"),
        "C": book(b1, SUN, "08:00", "10:00", "booked"),
        "D": book(r1, MON, "08:00", "12:00", "completed", split.patient),
        "E": book(r2, MON, "09:00", "10:00", "booked"),
        "F": book(b1, MON, "10:00", "12:00", "completed", other.patient),
    }
    cycle_day(b["A"], split, cycle=1, day=1)
    cycle_day(b["D"], split, cycle=1, day=2)
    cycle_day(b["F"], other, cycle=1, day=1)
    # Cancelled through the calendar's own service, at the time it happened.
    for key, cancelled_at in (("C", at(SAT, "12:00")), ("E", at(MON, "09:00") - timedelta(days=3))):
        with time_machine.travel(cancelled_at, tick=False):
            b[key] = booking_cancel(booking=b[key], reason="Patient unwell", by=manager)
    b["G"] = book(b1, SUN, "08:00", "09:00", "booked")  # in the chair C left
    _session(
        b["A"],
        split,
        checked_in="08:00",
        started="08:10",
        ended="10:40",
        discharged="11:10",
        plan_minutes=(60, 80),
    )
    _session(
        b["D"],
        split,
        checked_in="08:00",
        started="08:30",
        ended="11:30",
        discharged="11:45",
        plan_minutes=(120, 80),
    )
    _session(
        b["F"],
        other,
        checked_in="09:50",
        started="10:00",
        ended="11:50",
        discharged="12:05",
        plan_minutes=(100,),
    )
    return Clinic(site=site, bookings=b, product_a=product_a, product_f=product_f)


def range_query(clinic, **extra) -> dict:
    return {"site": clinic.site.pk, "start": SAT.isoformat(), "end": MON.isoformat(), **extra}


@pytest.fixture(scope="module")
def ledger(django_db_setup, django_db_blocker):
    """The hand-worked month of Safety, Authorizations and Drug (tests/reports/ledger.py), entered
    before it began, once per module and rolled back after it; the tests only read it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(month.at("2027-02-15"), tick=False):
            built = month.make_ledger()
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def ledger_now():
    """The ledger's "now": Monday 5 April 2027, 09:00 New York."""
    with time_machine.travel(month.NOW, tick=False) as traveller:
        yield traveller
