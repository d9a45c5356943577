"""A manager levels the peaked Tuesday in headless Chromium at desk size (1366x768): ask, watch, apply.

The solve is run here as the optimiser's worker would (test_proposal_worker.py runs a real one)."""

import pytest

from scheduling import proposals
from scheduling.models import Booking, Proposal, ProposalStatus
from tests.scheduling.conftest import TUESDAY
from tests.scheduling.test_proposals import peaked  # noqa: F401 - the peaked Tuesday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("peaked")
def test_a_manager_asks_for_a_proposal_sees_the_picture_and_applies_it(
    live_server, page, screenshot, manager, clinic
):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/scheduling/proposal/add/")
    page.select_option("#id_site", str(clinic.pk))
    page.fill("#id_first_day", TUESDAY.isoformat())
    page.fill("#id_time_limit_seconds", "10")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "Waiting for the optimiser" in page.content()
    screenshot("optimiser-proposal-waiting")

    proposal = Proposal.objects.get()
    proposals.proposal_solve(proposal_id=proposal.pk)
    page.wait_for_selector("#proposal-figures", timeout=10_000)  # the page refreshes itself
    figures = page.inner_text("#proposal-figures")
    assert "3.0" in figures and "1.0" in figures
    assert page.locator(".proposal-picture svg polyline.after").count() == 2
    moves = page.locator("#proposal-moves tbody tr").count()
    assert moves == len(Proposal.objects.get().result["moves"]) > 0
    screenshot("optimiser-proposal-ready")

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("input[value^='Apply']")
    assert "Applied:" in page.content()
    assert page.inner_text("#proposal-status") == "Applied"
    screenshot("optimiser-proposal-applied")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED
    moved = {m["booking"]: m["to_start"] for m in proposal.result["moves"]}
    assert {b.pk: b.start.isoformat() for b in Booking.objects.filter(pk__in=moved)} == moved
