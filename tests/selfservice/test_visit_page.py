"""The visit page and its three actions, as a patient's phone sends them (plain forms, no script)."""

import re
from datetime import date

import pytest
from auditlog.models import LogEntry

from clinic.notifications.models import Notification
from infusions.models import CycleDay
from insurance.models import AuthorizationUsage
from scheduling.models import Booking, BookingEvent
from selfservice import moves, tokens
from tests.infusions.calendar import at
from tests.insurance.factories import CoverageFactory, PayerFactory, make_authorization

NEUTRAL = "This link does not work"


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def patient_actions(booking) -> list[tuple[str, str]]:
    rows = LogEntry.objects.filter(additional_data__via="patient via link", object_pk=str(booking.pk))
    return [(row.additional_data["detail"], row.actor_id) for row in rows.order_by("pk")]


def test_the_page_shows_the_first_name_date_local_time_and_address_and_nothing_clinical(client, visit, token):
    patient = visit.patient
    page = text(client.get(f"/v/{token}"))

    assert "Hello Ada" in page
    assert "Tuesday 2 March 2027" in page and "9:00 AM EST" in page
    assert "Cycle Test Center 200 River Road Springfield, NY 10001" in page
    assert "Confirm, I will come" in page and "I can't come" in page and "Choose another time" in page
    order = CycleDay.objects.get(booking=visit).order
    for secret in (
        patient.family_name,
        patient.mrn,
        patient.date_of_birth.isoformat(),
        f"{patient.date_of_birth:%d/%m/%Y}",
        order.indication.code,
        order.indication.description,
        order.product.brand,
    ):
        assert secret not in page


def test_wrong_expired_revoked_and_malformed_links_get_one_neutral_page(
    client, visit, token, clock, scheduler
):
    answers = {
        "wrong": client.get("/v/" + "A" * 43),
        "malformed": client.get("/v/not-a-token"),
        "deeper": client.get(f"/v/{token}/nothing-here"),
    }
    from scheduling.services import booking_reschedule

    other = tokens.link_issue(patient_id=visit.patient_id, booking=visit, expires_at=visit.start)
    booking_reschedule(booking=visit, start=at("2027-03-02", "13:30"), by=scheduler)
    answers["revoked"] = client.get(f"/v/{other}")
    clock.move_to(at("2027-03-02", "13:30"))
    answers["expired"] = client.get(f"/v/{token}")

    bodies = {name: text(r) for name, r in answers.items()}
    assert {r.status_code for r in answers.values()} == {404}
    assert len(set(bodies.values())) == 1 and NEUTRAL in bodies["wrong"]
    assert answers["wrong"]["Referrer-Policy"] == "same-origin"


def test_confirming_records_it_on_the_booking_its_history_and_the_audit_trail(client, visit, token):
    answer = client.post(f"/v/{token}/confirm")

    assert answer.status_code == 302 and answer["Location"] == f"/v/{token}"
    page = text(client.get(f"/v/{token}"))
    assert "you confirmed you will come" in page and "Confirm, I will come" not in page
    booking = Booking.objects.get(pk=visit.pk)
    assert booking.confirmed_at is not None
    event = BookingEvent.objects.get(booking=visit, kind="confirmed")
    assert event.by is None and event.reason == "Patient via link: confirmed"
    assert patient_actions(visit) == [("confirm", None), ("view", None)]
    client.post(f"/v/{token}/confirm")  # twice: still one confirmation
    assert BookingEvent.objects.filter(booking=visit, kind="confirmed").count() == 1


def test_a_get_cannot_confirm(client, visit, token):
    assert client.get(f"/v/{token}/confirm").status_code == 405
    assert Booking.objects.get(pk=visit.pk).confirmed_at is None


def test_i_cant_come_asks_first_then_cancels_releases_the_units_tells_the_clinic_and_ends_the_link(
    client, visit, token, order, manager
):
    coverage = CoverageFactory(patient=order.patient, payer=PayerFactory(code="acme-health"))
    auth = make_authorization(coverage, status="approved")
    # Re-reserve the cycle now that an authorization exists: cancel and book it again at the desk.
    from infusions import cycles
    from scheduling.services import booking_cancel

    booking_cancel(booking=visit, reason="setup", by=manager)
    [visit] = cycles.cycle_book(order=order, chair=visit.chair, start=visit.start, created_by=manager)
    token = tokens.link_issue(patient_id=visit.patient_id, booking=visit, expires_at=visit.start)
    assert AuthorizationUsage.objects.get(booking_id=visit.pk).status == "reserved"

    asked = client.get(f"/v/{token}/cancel")
    assert "Cancel this visit?" in text(asked) and "Yes, cancel my visit" in text(asked)
    assert Booking.objects.get(pk=visit.pk).status == "booked"

    done = client.post(f"/v/{token}/cancel")

    assert done.status_code == 200 and "Your visit is cancelled" in text(done)
    booking = Booking.objects.get(pk=visit.pk)
    assert (booking.status, booking.cancel_reason) == ("cancelled", "Patient via link: can't come")
    assert AuthorizationUsage.objects.get(booking_id=visit.pk).status == "released"
    assert auth.pk == AuthorizationUsage.objects.get(booking_id=visit.pk).authorization_id
    notice = Notification.objects.get(kind="visit_cancelled_by_patient", record_id=visit.pk)
    assert (notice.channel, notice.status) == ("email", "pending")
    assert NEUTRAL in text(client.get(f"/v/{token}"))
    assert [d for d, _ in patient_actions(visit)] == ["cancel_asked", "cancel"]


def test_the_times_offered_keep_the_interval_with_the_next_cycle(visit, booked):
    offers = moves.move_offers(visit)

    days = [d.day for d in offers.days]
    # Cycle 2 is on 23 March; every 21 days with 3 days' tolerance keeps 18 days: 5 March at the latest.
    assert days == [date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3), date(2027, 3, 4), date(2027, 3, 5)]
    assert all(len(d.offers) <= moves.TIMES_PER_DAY for d in offers.days)
    assert visit.start not in [o.start for d in offers.days for o in d.offers]


def test_the_times_offered_lie_inside_the_authorization(client, visit, order, manager):
    from infusions import cycles
    from scheduling.services import booking_cancel

    coverage = CoverageFactory(patient=order.patient, payer=PayerFactory(code="acme-health"))
    make_authorization(coverage, status="approved", valid_from=date(2027, 3, 1), valid_to=date(2027, 3, 3))
    booking_cancel(booking=visit, reason="setup", by=manager)
    [visit] = cycles.cycle_book(order=order, chair=visit.chair, start=visit.start, created_by=manager)

    assert [d.day for d in moves.move_offers(visit).days] == [
        date(2027, 3, 1),
        date(2027, 3, 2),
        date(2027, 3, 3),
    ]


def test_a_day_of_a_split_course_is_not_moved_from_the_link(visit, order):
    order.split_days = 2
    order.save(update_fields=["split_days"])

    offers = moves.move_offers(visit)

    assert offers.days == [] and offers.reason == "split_course"


def test_moving_asks_first_then_moves_atomically_confirms_and_sends_a_new_link(client, visit, token, booked):
    listing = client.get(f"/v/{token}/move")
    key = re.search(r'name="slot" value="([^"]+)"', listing.content.decode()).group(1)
    offer = moves.move_offers(visit).find(key)

    asked = client.post(f"/v/{token}/move/ask", {"slot": key})
    assert "Move your visit?" in text(asked)
    assert Booking.objects.get(pk=visit.pk).start == visit.start

    done = client.post(f"/v/{token}/move/do", {"slot": key})

    assert done.status_code == 200 and "Your visit is moved" in text(done)
    booking = Booking.objects.get(pk=visit.pk)
    assert (booking.start, booking.chair_id) == (offer.start, offer.chair_id)
    assert booking.confirmed_at is not None
    event = BookingEvent.objects.get(booking=visit, kind="rescheduled")
    assert (event.from_start, event.to_start, event.reason) == (
        visit.start,
        offer.start,
        "Patient via link: chose another time",
    )
    assert NEUTRAL in text(client.get(f"/v/{token}"))  # the old link is revoked
    notice = Notification.objects.get(kind="visit_moved_by_patient", record_id=visit.pk)
    assert notice.status == "pending"
    assert [d for d, _ in patient_actions(visit)] == ["move_offers", "move_asked", "move"]


def test_a_time_that_is_not_offered_is_refused_and_nothing_moves(client, visit, token):
    # 23 March is cycle 2's day: too near it for the interval, so never offered.
    key = f"{visit.chair_id}-{int(at('2027-03-22', '09:00').timestamp())}"

    answer = client.post(f"/v/{token}/move/do", {"slot": key})

    assert answer.status_code == 409 and "that time has just been taken" in text(answer)
    assert Booking.objects.get(pk=visit.pk).start == visit.start


def test_a_time_taken_meanwhile_is_refused_and_the_list_shown_again(client, visit, token, clinic, scheduler):
    from tests.scheduling.factories import BookingFactory

    offer = moves.move_offers(visit).days[0].offers[0]
    key = offer.key
    # Someone else takes every chair of the kind at that time before the patient taps "Yes".
    for chair in clinic[1].values():
        if chair.kind == visit.chair.kind:
            BookingFactory(chair=chair, start=offer.start, end=offer.start + (visit.end - visit.start))

    answer = client.post(f"/v/{token}/move/do", {"slot": key})

    assert answer.status_code == 409 and "Choose another time" in text(answer)
    assert Booking.objects.get(pk=visit.pk).start == visit.start
    assert tokens.link_resolve(token, purpose="visit") is not None


def test_the_page_speaks_the_patients_language(client, visit, token):
    patient = visit.patient
    patient.preferred_language = "fr"
    patient.save(update_fields=["preferred_language"])

    page = text(client.get(f"/v/{token}"))

    assert "Bonjour Ada" in page and "mardi 2 mars 2027" in page and "09:00 EST" in page
    patient.preferred_language = "es"
    patient.save(update_fields=["preferred_language"])
    assert "Hola Ada" in text(client.get(f"/v/{token}"))


def test_the_day_board_and_the_chairside_board_show_the_confirmation(
    client, visit, token, scheduler, nurse, clock
):
    from django.test import Client

    from tests.scheduling.factories import SiteMembershipFactory

    desk, tablet = Client(), Client()
    desk.force_login(scheduler)
    tablet.force_login(nurse)
    SiteMembershipFactory(site=visit.site, user=nurse)
    board = f"/admin/scheduling/site/{visit.site_id}/board/2027-03-02/"
    assert "Booked · not confirmed" in desk.get(board).content.decode()

    client.post(f"/v/{token}/confirm")

    assert "Booked · confirmed" in desk.get(board).content.decode()
    clock.move_to(at("2027-03-02", "07:00"))
    assert "Expected at 09:00 · confirmed" in tablet.get("/chairside/").content.decode()


pytestmark = pytest.mark.django_db


def test_staff_see_on_the_booking_what_the_patient_did_and_when(client, visit, token, scheduler):
    from django.test import Client

    client.post(f"/v/{token}/confirm")
    desk = Client()
    desk.force_login(scheduler)

    page = text(desk.get(f"/admin/scheduling/booking/{visit.pk}/change/"))

    assert "Confirmed by the patient" in page and "Confirmed Mon 01 Mar 2027 06:00 EST" in page
    assert "Patient via link: confirmed" in page


def test_a_command_prints_a_working_link_for_a_booking(client, visit):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("visit_link", str(visit.pk), stdout=out)

    from urllib.parse import urlsplit

    url = urlsplit(out.getvalue().strip())
    assert url.scheme in ("http", "https") and client.get(url.path).status_code == 200


def test_the_times_page_costs_the_same_queries_however_full_the_calendar(
    client, visit, token, clinic, django_assert_num_queries
):
    from datetime import timedelta

    from tests.scheduling.factories import BookingFactory

    client.get(f"/v/{token}/move")  # warm: content types, the policy's first read
    with django_assert_num_queries(14):
        client.get(f"/v/{token}/move")
    for n, day in enumerate(("2027-03-03", "2027-03-04", "2027-03-05")):
        start = at(day, "08:00") + timedelta(minutes=15 * n)
        BookingFactory(chair=clinic[1]["R2"], start=start, end=start + timedelta(hours=3))

    with django_assert_num_queries(14):
        page = client.get(f"/v/{token}/move")
    assert "Wednesday 3 March" in text(page)
