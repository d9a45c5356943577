"""The demo's deliberately peaked day, and what the optimiser makes of it."""

import pytest
from django.core.management import call_command

from demo.proposals import NOTE, peaked_day
from scheduling import proposals
from scheduling.models import Booking, Site

pytestmark = pytest.mark.django_db


def test_the_demo_peaked_day_is_levelled_by_a_proposal(settings):
    settings.DEBUG = True
    call_command("seed_demo", quiet=True)
    call_command("seed_peaked_day")
    call_command("seed_peaked_day")  # idempotent: the day is booked once
    site = Site.objects.get()
    day = peaked_day(site)
    bookings = Booking.objects.filter(note=NOTE)
    assert bookings.count() == 8
    assert {b.start.astimezone(site.zone).date() for b in bookings} == {day}
    assert {f"{b.start.astimezone(site.zone):%H:%M}" for b in bookings} == {
        "09:30",
        "09:45",
        "10:00",
        "10:15",
    }

    proposal = proposals.proposal_request(site=site, first_day=day, time_limit_seconds=20)
    proposals.proposal_solve(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    before, after = proposal.result["before"], proposal.result["after"]
    assert before["peak_load"] == 4.0  # 8 patients for the 2 nurses on shift at 10:15
    assert after["peak_load"] < before["peak_load"]
    assert after["peak_load"] == proposal.result["peak_load_bound"]
