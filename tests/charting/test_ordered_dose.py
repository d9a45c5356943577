"""The session keeps the day's ordered dose beside the dose rounded to whole vials (the Drug report's
vial-rounding difference reads both)."""

from decimal import Decimal

import pytest

from charting.models import InfusionSession
from tests.charting.conftest import ready_to_start

pytestmark = pytest.mark.django_db


def test_the_session_keeps_the_ordered_grams_before_rounding_to_vials(nurse_api, chair, clock):
    # 77.3 kg today (over 5% from 70) at 1 g/kg: 77.30 g ordered; Gammagard's vials (1, 2.5, 5, 10, 20,
    # 30 g) make totals in steps of 0.5 g, so the pump is planned for the nearest, 77.50 g.
    session = ready_to_start(nurse_api, chair, clock, weight="77.3")
    saved = InfusionSession.objects.get(pk=session)
    assert (saved.ordered_grams, saved.planned_grams) == (Decimal("77.30"), Decimal("77.50"))
