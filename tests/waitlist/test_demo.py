"""The demo puts Bruno Castellanos' order on the waitlist, once however often it is seeded."""

import pytest
from django.core.management import call_command

from waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db


def test_the_demo_waitlists_one_order_once(settings):
    settings.DEBUG = True

    call_command("seed_demo", quiet=True)
    call_command("seed_demo", quiet=True)

    [entry] = WaitlistEntry.objects.all()
    assert (entry.patient.mrn, entry.status) == ("MRN-100002", "active")
