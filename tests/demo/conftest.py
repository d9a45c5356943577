import pytest
import time_machine

from tests.charting.conftest import clock  # noqa: F401 - the chairside demo's morning
from tests.scheduling.conftest import NOW


@pytest.fixture(autouse=True)
def now():
    """The demo is built from "now": Monday 1 March 2027, 06:00 in New York, ticking on."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller
