"""/api/v1/proposals/ and the admin's proposal pages: who may ask, what they see, applying, errors as JSON."""

from datetime import datetime

import pytest
from django.urls import reverse

from clinic.notifications.models import Notification
from scheduling import proposals
from scheduling.models import Booking, Proposal, ProposalStatus
from tests.scheduling.conftest import TUESDAY
from tests.scheduling.test_proposals import peaked  # noqa: F401 - the peaked Tuesday

pytestmark = pytest.mark.django_db


def ask(api, user, site, **body):
    return api.as_user(user).post(
        "/api/v1/proposals/",
        {"site": site.pk, "first_day": TUESDAY.isoformat(), "time_limit_seconds": 10, **body},
        format="json",
    )


@pytest.mark.usefixtures("peaked")
def test_a_scheduler_asks_for_a_proposal_and_it_is_queued_not_solved_in_the_web_process(
    api, scheduler, clinic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = ask(api, scheduler, clinic)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["result"] == {}
    assert len(callbacks) == 1  # the solve goes to the optimiser queue when the request commits


def test_nurses_and_insurers_cannot_ask_or_look(api, nurse, insurer_user, clinic):
    for user in (nurse, insurer_user):
        assert ask(api, user, clinic).status_code == 403
        assert api.as_user(user).get("/api/v1/proposals/").status_code == 403


def test_bad_input_is_a_json_error_with_a_code(api, manager, clinic):
    response = ask(api, manager, clinic, days=30)
    assert response.status_code == 400
    assert response.json()["fields"]["days"][0]["code"] == "max_value"
    naive = ask(api, manager, clinic, first_day="yesterday")
    assert naive.status_code == 400 and "first_day" in naive.json()["fields"]


@pytest.mark.usefixtures("peaked")
def test_the_solved_proposal_shows_figures_moves_and_a_picture_and_applies(api, manager, clinic):
    proposal_id = ask(api, manager, clinic).json()["id"]
    proposals.proposal_solve(proposal_id=proposal_id)
    shown = api.get(f"/api/v1/proposals/{proposal_id}/").json()
    assert shown["status"] == "ready"
    assert shown["result"]["before"]["peak_load"] == 3.0 and shown["result"]["after"]["peak_load"] == 1.0
    picture = api.get(f"/api/v1/proposals/{proposal_id}/picture/")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/svg+xml"
    assert b'class="before"' in picture.content and b'class="after"' in picture.content
    applied = api.post(f"/api/v1/proposals/{proposal_id}/apply/")
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    again = api.post(f"/api/v1/proposals/{proposal_id}/apply/")
    assert again.status_code == 409 and again.json()["code"] == "proposal_applied"


@pytest.mark.usefixtures("peaked")
def test_the_second_of_two_proposals_for_a_day_answers_409_day_changed(api, manager, scheduler, clinic):
    first = ask(api, manager, clinic).json()["id"]
    second = ask(api, scheduler, clinic).json()["id"]
    for pk in (first, second):
        proposals.proposal_solve(proposal_id=pk)
    assert api.as_user(manager).post(f"/api/v1/proposals/{first}/apply/").status_code == 200
    response = api.as_user(scheduler).post(f"/api/v1/proposals/{second}/apply/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "day_changed" and "Ask for a new proposal" in body["detail"]


def test_a_proposal_still_solving_has_no_picture_yet(api, manager, clinic):
    pk = ask(api, manager, clinic).json()["id"]
    response = api.get(f"/api/v1/proposals/{pk}/picture/")
    assert response.status_code == 409 and response.json()["code"] == "no_picture"


@pytest.mark.usefixtures("peaked")
def test_the_admin_asks_shows_and_applies(client, manager, clinic):
    client.force_login(manager)
    response = client.post(
        reverse("admin:scheduling_proposal_add"),
        {"site": clinic.pk, "first_day": TUESDAY.isoformat(), "days": 1, "time_limit_seconds": 10},
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{proposal.pk}/change/")
    waiting = client.get(response.url)
    assert b"Waiting for the optimiser" in waiting.content and b'http-equiv="refresh"' in waiting.content
    proposals.proposal_solve(proposal_id=proposal.pk)
    page = client.get(response.url).content.decode()
    assert "<svg" in page and "Peak nurse load" in page
    assert "times in America/New_York" in page
    first_move = Proposal.objects.get().result["moves"][0]
    local = datetime.fromisoformat(first_move["from_start"]).astimezone(clinic.zone)
    assert f"{local:%a %d %b %H:%M}" in page  # the site's local time, not UTC
    first_patient = Booking.objects.get(
        pk=proposal.__class__.objects.get().result["moves"][0]["booking"]
    ).patient
    assert str(first_patient) in page
    applied = client.post(reverse("admin:scheduling_proposal_apply", args=[proposal.pk]), follow=True)
    assert "Applied:" in applied.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED
    assert Notification.objects.filter(kind="booking_moved").exists()


@pytest.mark.usefixtures("peaked")
def test_the_admin_says_when_the_day_changed(client, manager, clinic):
    client.force_login(manager)
    first = proposals.proposal_request(site=clinic, first_day=TUESDAY, time_limit_seconds=10)
    second = proposals.proposal_request(site=clinic, first_day=TUESDAY, time_limit_seconds=10)
    for p in (first, second):
        proposals.proposal_solve(proposal_id=p.pk)
    client.post(reverse("admin:scheduling_proposal_apply", args=[first.pk]))
    page = client.post(
        reverse("admin:scheduling_proposal_apply", args=[second.pk]), follow=True
    ).content.decode()
    assert "changed after the proposal was made" in page


def test_a_nurse_cannot_open_the_admin_pages(client, nurse, clinic):
    client.force_login(nurse)
    assert client.get(reverse("admin:scheduling_proposal_add")).status_code in (302, 403)
