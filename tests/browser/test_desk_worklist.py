"""The authorization worklist in Debian's Chromium at 1366 and 1440 px: every column fits without
scrolling sideways, and each decision says how long is left ("due in 5 h") or how late it is
("overdue by 2 h"), with its time in the site's zone. The clock is pinned: Tuesday 2 March 2027,
14:00 New York (EST)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from insurance.models import PriorAuthorization
from tests.browser.test_desk_booking import log_in
from tests.factories import SiteFactory
from tests.insurance.factories import CoverageFactory, PayerFactory, make_authorization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2027, 3, 2, 14, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _due(auth, hours):
    PriorAuthorization.objects.filter(pk=auth.pk).update(due_at=NOW + timedelta(hours=hours))


def test_the_worklist_fits_the_desk_and_says_when_each_decision_is_due(
    live_server, page, screenshot, scheduler
):
    SiteFactory(name="Midtown Infusion", time_zone="America/New_York")
    payer = PayerFactory(name="Harbor Mutual Health Insurance Company", code="harbor-mutual")
    for n in range(6):
        coverage = CoverageFactory(payer=payer, member_id=f"HMH-{n:08d}-LONG-MEMBER")
        patient = coverage.patient
        patient.family_name, patient.given_name = "Montgomery-Fitzwilliam", "Alexandra-Josephine"
        patient.save()
        if n == 0:
            _due(make_authorization(coverage, urgency="expedited"), 5)
        elif n == 1:
            _due(make_authorization(coverage), -2)
        elif n == 2:
            make_authorization(coverage, status="pended")
        elif n == 3:
            short = make_authorization(coverage, status="approved", units=200, requested_to=NOW.date())
            PriorAuthorization.objects.filter(pk=short.pk).update(units_per_cycle=280)
        elif n == 4:
            make_authorization(coverage, status="denied")
        else:
            _due(make_authorization(coverage), 60)

    log_in(page, live_server, scheduler, "/admin/insurance/priorauthorization/")
    for width in (1366, 1440):
        page.set_viewport_size({"width": width, "height": 768})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # The admin wraps the table in a box that scrolls sideways by itself: it must not need to.
        results = page.locator("#changelist .results")
        assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
        screenshot(f"desk-worklist-{width}")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 6
    overdue, due_soon = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "overdue by 2 h" in overdue and "Tue 02 Mar 12:00 EST" in overdue
    assert "due in 5 h" in due_soon and "Tue 02 Mar 19:00 EST" in due_soon
    assert "due in 2 d 12 h" in page.locator("#result_list").inner_text()
