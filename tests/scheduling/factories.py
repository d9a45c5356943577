"""factory_boy factories for the chair calendar. Bookings made here bypass the services (setup only)."""

from datetime import UTC, datetime, time, timedelta

import factory

from scheduling.models import Booking, Chair, Closure, NurseShift, OpeningHours, SiteMembership
from tests.factories import PatientFactory, SiteFactory


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    site = factory.SubFactory(SiteFactory)
    weekday = 0
    opens = time(8, 0)
    closes = time(18, 0)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    site = factory.SubFactory(SiteFactory)
    reason = "Staff training"


class ChairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chair

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Chair {n + 1:02d}")
    kind = "recliner"


class NurseShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NurseShift

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Nurse {n}")
    start = datetime(2027, 3, 2, 11, 0, tzinfo=UTC)
    end = factory.LazyAttribute(lambda s: s.start + timedelta(hours=12))


class SiteMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteMembership

    site = factory.SubFactory(SiteFactory)


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    chair = factory.SubFactory(ChairFactory)
    site = factory.LazyAttribute(lambda b: b.chair.site)
    patient = factory.SubFactory(PatientFactory)
    start = datetime(2027, 3, 2, 15, 0, tzinfo=UTC)
    end = factory.LazyAttribute(lambda b: b.start + timedelta(hours=4))
