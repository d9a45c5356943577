"""Optimiser proposals in the service: ask, solve (as the optimiser worker does), look, apply.

The test site (tests/scheduling/conftest.py) is open 07:00-19:00 with four recliners, two beds and two
nurses (1:4, two starts per 15 minutes). Tuesday is deliberately peaked: six 4-hour sessions start
between 10:00 and 10:30, so from 10:30 to 14:00 six patients share two nurses (3 per nurse).
"""

from datetime import timedelta

import pytest

from clinic.errors import Conflict
from clinic.notifications import registry
from clinic.notifications.models import Notification
from scheduling import proposals, services
from scheduling.models import Booking, BookingEvent, NurseShift, Proposal, ProposalStatus
from scheduling.proposal_notices import BOOKING_MOVED, render_booking_moved
from tests.factories import PatientFactory
from tests.scheduling.conftest import NEW_YORK, TUESDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def peaked(clinic, chairs):
    starts = ["10:00", "10:00", "10:15", "10:15", "10:30", "10:30"]
    return [
        services.booking_create(patient=PatientFactory(), chair=chair, start=at(clock), duration_minutes=240)
        for chair, clock in zip(chairs, starts, strict=True)
    ]


def solved(site, by=None, days=1, first_day=TUESDAY) -> Proposal:
    proposal = proposals.proposal_request(
        site=site, first_day=first_day, days=days, by=by, time_limit_seconds=10
    )
    proposals.proposal_solve(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    return proposal


def test_a_proposal_flattens_the_peaked_day_to_its_proven_lowest(peaked, clinic, manager):
    proposal = solved(clinic, by=manager)
    assert proposal.status == ProposalStatus.READY
    result = proposal.result
    assert result["before"]["peak_load"] == 3.0
    assert result["after"]["peak_load"] == 1.0
    assert result["peak_load_bound"] == 1.0 and result["peak_optimal"]
    assert result["after"]["peak_occupancy"] == 2
    assert result["before"]["labels"][0] == "07:00"
    # Nothing moved yet: a proposal is only a proposal.
    assert [b.start for b in Booking.objects.order_by("pk")] == [b.start for b in peaked]
    beds = {b.pk for b in peaked if b.chair.kind == "bed"}
    for move in result["moves"]:
        if move["booking"] in beds:
            assert move["to_chair"] in {b.chair_id for b in peaked if b.pk in beds}


def test_applying_moves_the_bookings_through_the_calendar_and_tells_each_moved_patient(
    peaked, clinic, manager
):
    proposal = solved(clinic, by=manager)
    proposals.proposal_apply(proposal=proposal, by=manager)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED and proposal.applied_by == manager
    moved = {m["booking"]: m for m in proposal.result["moves"]}
    for booking in Booking.objects.filter(pk__in=moved):
        assert booking.start.isoformat() == moved[booking.pk]["to_start"]
        event = BookingEvent.objects.filter(booking=booking, kind="rescheduled").get()
        assert event.reason == f"Schedule optimiser, proposal #{proposal.pk}" and event.by == manager
    notices = Notification.objects.filter(kind=BOOKING_MOVED)
    timed = {pk for pk, m in moved.items() if m["minutes"]}
    assert {n.record_id for n in notices} == timed
    # 06:00 in New York is inside the default quiet hours (21:00-08:00): the notices wait until 08:00.
    assert {n.due_at.astimezone(NEW_YORK).strftime("%H:%M") for n in notices} == {"08:00"}


def test_the_notice_names_the_new_time_and_nothing_clinical(peaked, clinic, manager, now):
    proposal = solved(clinic, by=manager)
    proposals.proposal_apply(proposal=proposal, by=manager)
    row = Notification.objects.filter(kind=BOOKING_MOVED).first()
    booking = Booking.objects.get(pk=row.record_id)
    now.move_to(at("09:00", TUESDAY - timedelta(days=1)))
    outcome = render_booking_moved(row, booking.start - timedelta(days=1))
    assert isinstance(outcome, registry.Message)
    local = booking.start.astimezone(NEW_YORK)
    assert local.strftime("%I:%M %p").lstrip("0") in outcome.body
    assert "has moved" in outcome.body
    assert booking.patient.family_name not in outcome.body


def test_an_opted_out_patient_gets_no_notice(peaked, clinic, manager):
    for booking in peaked:
        booking.patient.reminder_opt_out = True
        booking.patient.save()
    proposal = solved(clinic, by=manager)
    proposals.proposal_apply(proposal=proposal, by=manager)
    row = Notification.objects.filter(kind=BOOKING_MOVED).first()
    booking = Booking.objects.get(pk=row.record_id)
    assert render_booking_moved(row, booking.start - timedelta(days=1)) == registry.Skip("opted_out")


def test_of_two_managers_applying_for_the_same_day_one_wins_and_the_other_is_told_the_day_changed(
    peaked, clinic, manager, scheduler
):
    first, second = solved(clinic, by=manager), solved(clinic, by=scheduler)
    proposals.proposal_apply(proposal=first, by=manager)
    after_first = {b.pk: (b.start, b.chair_id) for b in Booking.objects.all()}
    with pytest.raises(Conflict) as refused:
        proposals.proposal_apply(proposal=second, by=scheduler)
    assert refused.value.code == "day_changed"
    second.refresh_from_db()
    assert second.status == ProposalStatus.STALE
    assert {b.pk: (b.start, b.chair_id) for b in Booking.objects.all()} == after_first


def test_a_booking_moved_by_the_desk_after_the_proposal_makes_it_stale(peaked, clinic, manager):
    proposal = solved(clinic, by=manager)
    services.booking_reschedule(booking=peaked[0], start=at("15:00"), reason="patient asked")
    with pytest.raises(Conflict) as refused:
        proposals.proposal_apply(proposal=proposal, by=manager)
    assert refused.value.code == "day_changed"
    assert Booking.objects.get(pk=peaked[1].pk).start == peaked[1].start


def test_a_proposal_cannot_be_applied_twice(peaked, clinic, manager):
    proposal = solved(clinic, by=manager)
    proposals.proposal_apply(proposal=proposal, by=manager)
    with pytest.raises(Conflict) as refused:
        proposals.proposal_apply(proposal=proposal, by=manager)
    assert refused.value.code == "proposal_applied"


def test_checked_in_patients_beyond_the_nurses_on_shift_fail_naming_nurse_capacity(peaked, clinic, manager):
    for booking in peaked[:3]:
        services.booking_set_status(booking=booking, status="checked_in")
    # The day's nurses call in sick: nobody can look after the three already in chairs.
    NurseShift.objects.filter(start__date=TUESDAY).delete()
    proposal = solved(clinic, by=manager)
    assert proposal.status == ProposalStatus.FAILED
    assert proposal.error_code == "nurse_capacity"
    assert "at 10:00 on Tue 02 Mar (America/New_York)" in proposal.error_detail
    assert "cannot move (checked in or started)" in proposal.error_detail
    with pytest.raises(Conflict) as refused:
        proposals.proposal_apply(proposal=proposal, by=manager)
    assert refused.value.code == "proposal_not_ready"


def test_a_closed_day_fails_with_a_reason(clinic, manager):
    clinic.opening_hours.filter(weekday=TUESDAY.weekday()).delete()
    proposal = solved(clinic, by=manager)
    assert (proposal.status, proposal.error_code) == (ProposalStatus.FAILED, "closed")


def test_a_week_proposal_levels_each_day_without_moving_anyone_to_another_day(peaked, clinic, manager):
    monday = TUESDAY - timedelta(days=1)
    proposal = solved(clinic, by=manager, days=7, first_day=monday)
    assert proposal.status == ProposalStatus.READY
    assert proposal.result["after"]["peak_load"] == 1.0
    assert proposal.result["before"]["labels"][0] == "Mon 07:00"
    for move in proposal.result["moves"]:
        assert move["to_start"][:10] == move["from_start"][:10]


def test_bad_requests_are_refused_before_anything_is_queued(clinic, manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as bad:
        proposals.proposal_request(site=clinic, first_day=TUESDAY, days=9)
    assert "days" in bad.value.error_dict
    with pytest.raises(ValidationError) as past:
        proposals.proposal_request(site=clinic, first_day=TUESDAY - timedelta(days=30))
    assert past.value.error_dict["first_day"][0].code == "in_past"
    assert not Proposal.objects.exists()


def test_the_request_page_shows_the_form_and_a_refusal_beside_its_field(client, clinic, manager):
    client.force_login(manager)
    url = "/admin/scheduling/proposal/add/"

    page = client.get(url).content.decode()
    refused = client.post(
        url, {"site": clinic.pk, "first_day": "2020-01-07", "days": 1, "time_limit_seconds": 10}
    )

    assert "The optimiser moves bookings within their own day" in page
    assert 'value="Ask for a proposal"' in page and 'name="first_day"' in page
    assert refused.status_code == 200
    assert "Those days are over" in refused.content.decode()
    assert refused.context["form"].errors["first_day"] == [
        "Those days are over; choose today or a later day."
    ]
    assert not Proposal.objects.exists()
