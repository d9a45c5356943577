"""factory_boy factories for test data. Each builds valid records through the real models."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from patients.models import Diagnosis, LabResult, Measurement, Patient, RiskFlag
from scheduling.models import Site


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ["name"]

    name = "Test Infusion Center"
    time_zone = "America/New_York"
    address = "1 Test Street"
    phone = "+15555550000"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: f"T{n:06d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.LazyFunction(lambda: date(1970, 5, 17))
    sex = "female"
    phone = factory.Sequence(lambda n: f"+1555{n:07d}")
    email = factory.LazyAttribute(lambda p: f"{p.mrn.lower()}@example.org")


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    patient = factory.SubFactory(PatientFactory)
    code = "G61.81"
    description = "CIDP"


class RiskFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskFlag

    patient = factory.SubFactory(PatientFactory)
    kind = "diabetes"


class WeightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    patient = factory.SubFactory(PatientFactory)
    kind = "weight"
    value = Decimal("70")
    measured_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class EgfrFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabResult

    patient = factory.SubFactory(PatientFactory)
    test = "egfr"
    value = Decimal("90")
    unit = "mL/min/{1.73_m2}"
    collected_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
