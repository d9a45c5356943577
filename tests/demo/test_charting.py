from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command

from charting.models import InfusionSession
from tests.infusions.calendar import NEW_YORK

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("clock", ["14:30", "03:00"])
def test_the_demo_has_one_session_in_progress_and_one_completed_today_once(settings, clock):
    settings.DEBUG = True
    hour, minute = map(int, clock.split(":"))
    with time_machine.travel(datetime(2027, 3, 3, hour, minute, tzinfo=NEW_YORK), tick=False):
        call_command("seed_demo", quiet=True)
        call_command("seed_demo", quiet=True)
    sessions = InfusionSession.objects.order_by("status")
    assert [s.status for s in sessions] == ["discharged", "running"]
    done = sessions[0]
    assert done.grams_given > 0
    assert done.reactions.get().grade == 1
    assert any(v.flags for v in sessions[1].vitals.all())  # the demo's out-of-range set
