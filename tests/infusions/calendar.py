"""A clinic for booking cycles, and orders to book: "now" is Monday 1 March 2027, 06:00 in New York.

The site opens Monday to Friday, 08:00-18:00 local (closed at weekends), with recliners R1 and R2 and
bed B1, and two nurses on every weekday 07:30-18:30 local from 1 March to the end of June 2027, across
the DST change of 14 March (EST -05:00 before, EDT -04:00 after).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from infusions import services
from scheduling.models import NurseShift
from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, SiteFactory, WeightFactory
from tests.infusions.factories import ProductFactory, ProtocolFactory
from tests.scheduling.factories import ChairFactory, OpeningHoursFactory

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 6, 0, tzinfo=NEW_YORK)


def at(day: str, clock: str = "09:00") -> datetime:
    """An aware local time at the test site: at("2027-03-02") is Tuesday 2 March 2027, 09:00 New York."""
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=NEW_YORK)


def make_clinic():
    site = SiteFactory(name="Cycle Test Center", time_zone="America/New_York")
    for weekday in range(5):
        OpeningHoursFactory(site=site, weekday=weekday, opens=time(8, 0), closes=time(18, 0))
    chairs = {
        name: ChairFactory(site=site, name=name, kind=kind)
        for name, kind in (("R1", "recliner"), ("R2", "recliner"), ("B1", "bed"))
    }
    shifts = []
    day = NOW.date()
    while day < date(2027, 7, 1):
        if day.weekday() < 5:
            for name in ("Nell", "Omar"):
                start = datetime.combine(day, time(7, 30), tzinfo=NEW_YORK)
                shifts.append(NurseShift(site=site, name=name, start=start, end=start + timedelta(hours=11)))
        day += timedelta(days=1)
    NurseShift.objects.bulk_create(shifts)
    return site, chairs


def make_order(by, **changes):
    """The DOMAIN worked example: 70 kg, 1 g/kg of a 10% product, 0.5-1-2-4 then 5.4 mL/kg/h, every
    21 days -> 255 chair minutes (4 h 15) a day."""
    patient = PatientFactory()
    WeightFactory(patient=patient, value=D("70"))
    EgfrFactory(patient=patient)
    inputs = {
        "patient": patient,
        "indication": DiagnosisFactory(patient=patient),
        "product": ProductFactory(),
        "protocol": ProtocolFactory(),
        "dose_grams_per_kg": D("1"),
        "weight_policy": "actual",
        "interval_days": 21,
        "prescriber": "Dr. Test",
        "start_date": date(2027, 3, 1),
    }
    return services.order_create(created_by=by, **(inputs | changes))
