"""The clinic's worklist in the admin, and decisions received by phone or fax."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from insurance.models import PriorAuthorization
from tests.insurance.factories import CoverageFactory, make_authorization

pytestmark = pytest.mark.django_db

LIST = "/admin/insurance/priorauthorization/"


@pytest.fixture
def coverage():
    return CoverageFactory()


def test_the_worklist_shows_overdue_pended_expiring_and_denied_rows_coloured_by_urgency(
    client, scheduler, coverage
):
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        overdue = make_authorization(coverage)
    pended = make_authorization(coverage, status="pended")
    today = timezone.localdate()
    expiring = make_authorization(
        coverage,
        status="approved",
        requested_from=today - timedelta(days=30),
        requested_to=today + timedelta(days=10),
    )
    denied = make_authorization(coverage, status="denied")
    quiet = make_authorization(coverage, status="approved", requested_to=today + timedelta(days=120))
    client.force_login(scheduler)

    page = client.get(LIST).content.decode()
    only_overdue = client.get(LIST, {"worklist": "overdue"}).context["cl"].result_list

    assert "wl-overdue" in page and "insurance/worklist.css" in page
    for label in (
        "Decision overdue",
        "Pended: information requested",
        "Expires within 30 days",
        "Denied: appeal?",
    ):
        assert label in page
    assert [a.pk for a in only_overdue] == [overdue.pk]
    shown = {a.pk for a in client.get(LIST, {"worklist": "expiring"}).context["cl"].result_list}
    assert shown == {expiring.pk}
    assert quiet.pk not in {a.pk for a in client.get(LIST, {"worklist": "denied"}).context["cl"].result_list}
    # The list opens most urgent first: overdue, pended, expiring, denied, then the rest.
    order = [a.pk for a in client.get(LIST).context["cl"].result_list]
    assert order == [overdue.pk, pended.pk, expiring.pk, denied.pk, quiet.pk]


def test_units_short_for_the_next_cycle_are_on_the_worklist(client, scheduler, coverage):
    auth = make_authorization(coverage, status="approved", units=200)
    PriorAuthorization.objects.filter(pk=auth.pk).update(units_per_cycle=280)
    client.force_login(scheduler)

    rows = client.get(LIST, {"worklist": "units_short"}).context["cl"].result_list

    assert [a.pk for a in rows] == [auth.pk]


def test_staff_record_a_phone_decision_through_the_same_transition(client, scheduler, coverage):
    auth = make_authorization(coverage, units=420)
    client.force_login(scheduler)
    url = f"{LIST}{auth.pk}/decide/"

    form = client.get(url)
    response = client.post(
        url,
        {
            "outcome": "approved",
            "via": "phone",
            "number": "PH-77",
            "note": "Call ref 5521, spoke to J. Ortiz",
        },
    )

    assert form.status_code == 200
    assert response.status_code == 302
    auth.refresh_from_db()
    assert (auth.status, auth.number, auth.units_approved) == ("approved", "PH-77", 420)
    event = auth.events.get(to_status="approved")
    assert (event.via, event.by, event.reason) == ("phone", scheduler, "Call ref 5521, spoke to J. Ortiz")


def test_an_illegal_transition_in_the_admin_shows_the_reason(client, scheduler, coverage):
    auth = make_authorization(coverage, status="denied")
    client.force_login(scheduler)

    response = client.post(f"{LIST}{auth.pk}/decide/", {"outcome": "approved", "via": "fax", "number": "X"})

    assert response.status_code == 200
    assert "it is not awaiting a decision" in response.content.decode()
    assert PriorAuthorization.objects.get(pk=auth.pk).status == "denied"


def test_the_state_machine_refuses_an_illegal_transition_with_a_stable_code(coverage):
    from clinic.errors import Conflict
    from insurance import services

    auth = make_authorization(coverage, status="approved")

    with pytest.raises(Conflict) as refused:
        services.authorization_appeal(authorization=auth, reason="More units please")

    assert refused.value.code == "transition_invalid"
    assert refused.value.detail == "This authorization is approved; it cannot become appealed."


def test_a_submission_is_due_in_72_hours_when_expedited_and_7_days_otherwise(coverage):
    expedited = make_authorization(coverage, urgency="expedited")
    standard = make_authorization(coverage)

    assert expedited.due_at - expedited.submitted_at == timedelta(hours=72)
    assert standard.due_at - standard.submitted_at == timedelta(days=7)


def test_the_hourly_task_expires_authorizations_past_their_valid_dates_once(coverage):
    from datetime import date

    from insurance.tasks import expire_authorizations

    auth = make_authorization(
        coverage, status="approved", requested_from=date(2026, 1, 1), requested_to=date(2026, 2, 1)
    )

    assert expire_authorizations() == 1
    assert expire_authorizations() == 0
    assert PriorAuthorization.objects.get(pk=auth.pk).status == "expired"
    assert auth.events.get(to_status="expired").via == "system"


def test_an_appeal_needs_a_reason_and_is_kept_in_the_authorizations_history(client, scheduler, coverage):
    auth = make_authorization(coverage, status="denied")
    client.force_login(scheduler)
    url = f"{LIST}{auth.pk}/appeal/"

    refused = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "New nerve conduction study attached."})

    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert done.status_code == 302 and done["Location"].endswith(f"{auth.pk}/change/")
    assert PriorAuthorization.objects.get(pk=auth.pk).status == "appealed"
    assert auth.events.get(to_status="appealed").reason == "New nerve conduction study attached."


def test_staff_notes_and_an_uploaded_letter_keep_the_decision_and_say_who_uploaded(
    client, scheduler, coverage, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    auth = make_authorization(coverage, status="approved", units=420)
    client.force_login(scheduler)
    form = {"notes": "Payer asked for the INCAT score by fax."}
    for prefix, rows in (("documents", 1), ("usage", 0), ("events", 0)):
        form |= {f"{prefix}-TOTAL_FORMS": str(rows), f"{prefix}-INITIAL_FORMS": "0"}
    letter = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    form |= {"documents-0-title": " Letter of medical necessity ", "documents-0-file": letter}

    response = client.post(f"{LIST}{auth.pk}/change/", form)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    saved = PriorAuthorization.objects.get(pk=auth.pk)
    assert (saved.notes, saved.status, saved.units_approved) == (form["notes"], "approved", 420)
    document = saved.documents.get()
    assert (document.title, document.uploaded_by) == ("Letter of medical necessity", scheduler)
