"""Fixtures of the cycle-booking tests: the clinic of tests/infusions/calendar.py at a fixed time."""

import pytest
import time_machine

from tests.infusions.calendar import NOW, make_clinic


@pytest.fixture
def calendar_now():
    """Monday 1 March 2027, 06:00 in New York; the clock ticks on from there."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def clinic():
    return make_clinic()


@pytest.fixture
def chairs(clinic):
    return clinic[1]
