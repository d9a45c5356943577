import io

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from oauth2_provider.models import Application

from demo.insurance import demo_secret
from insurance.models import AuthorizationUsage, AuthStatus, Payer, PriorAuthorization
from scheduling.models import Booking

pytestmark = pytest.mark.django_db


def test_the_demo_has_two_payers_with_printed_credentials_and_every_status(settings):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("seed_demo", stdout=out)
    call_command("seed_demo", quiet=True)

    printed = out.getvalue()
    assert Payer.objects.count() == 2
    for payer in Payer.objects.all():
        app = Application.objects.get(payer_client__payer=payer)
        secret = demo_secret("infusion-demo", payer.code)
        assert f"{app.client_id} / {secret}" in printed
        assert check_password(secret, app.client_secret)
    assert set(PriorAuthorization.objects.values_list("status", flat=True)) == set(AuthStatus.values)
    assert PriorAuthorization.objects.count() == 10


def test_the_demos_booked_cycles_hold_units_of_an_approved_authorization(settings):
    settings.DEBUG = True
    call_command("seed_demo", quiet=True)

    # Patients with a coverage on file; the children are self-pay, so nothing is reserved for them.
    cycles = Booking.objects.filter(cycle_day__cycle__isnull=False, patient__coverages__isnull=False)
    assert cycles.exclude(status="cancelled").count() == 2
    for booking in cycles:
        usage = AuthorizationUsage.objects.get(booking_id=booking.pk, status="reserved")
        assert usage.authorization.status == "approved"
