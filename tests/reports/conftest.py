import pytest
import time_machine
from django.db import transaction

from tests.reports.ledger import NOW, at, make_ledger


@pytest.fixture(scope="module")
def ledger(django_db_setup, django_db_blocker):
    """The hand-worked month (tests/reports/ledger.py), entered before it began, once per module and
    rolled back after it; the tests only read it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(at("2027-02-15"), tick=False):
            built = make_ledger()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def clock():
    """The ledger's "now": Monday 5 April 2027, 09:00 New York."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
