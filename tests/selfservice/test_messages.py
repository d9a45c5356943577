"""What patients and staff are sent: reminders with a working link and nothing clinical, the notice
after a move with a new link, the clinic's notice when a patient can't come, and the digest."""

import re

import pytest
from django.core import mail
from django.db import connection

from clinic.notifications.digest import digest_sections
from clinic.notifications.dispatch import outbox_drain
from infusions.models import CycleDay
from selfservice import tokens
from tests.infusions.calendar import at

LINK = re.compile(r"https?://\S+/v/([A-Za-z0-9_-]{43})")
pytestmark = pytest.mark.django_db


def drain_at(clock, moment):
    clock.move_to(moment)
    return outbox_drain(seconds=5)


def clinical_words(booking) -> list[str]:
    patient = booking.patient
    order = CycleDay.objects.select_related("order__indication", "order__product").get(booking=booking).order
    return [
        order.indication.code,
        order.indication.description,
        order.product.brand,
        order.product.hcpcs_code,
        "immunoglobulin",
        "IVIG",
        patient.mrn,
        patient.family_name,
        patient.date_of_birth.isoformat(),
        f"{patient.date_of_birth:%m/%d/%Y}",
        f"{patient.date_of_birth:%B} {patient.date_of_birth.day}",
    ]


def stored_everywhere() -> str:
    """Every row of the outbox and the links tables, as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM clinic_notification")
        outbox = cursor.fetchall()
        cursor.execute("SELECT * FROM selfservice_linktoken")
        links = cursor.fetchall()
    return repr(outbox) + repr(links)


def test_the_sms_and_email_reminders_carry_a_working_link_and_nothing_clinical(
    client, visit, booked, sms, clock
):
    drain_at(clock, at("2027-03-01", "09:00"))  # cycle 1's 24 h reminder
    [message] = sms.messages()
    text = message["body"]
    assert "Tuesday 2 March 2027 at 9:00 AM" in text and "Confirm, cancel or choose another time" in text
    token = LINK.search(text).group(1)

    patient = visit.patient
    patient.reminder_channel = "email"
    patient.save(update_fields=["reminder_channel"])
    drain_at(clock, at("2027-03-20", "09:00"))  # cycle 2's 72 h reminder, rerouted to email
    drain_at(clock, at("2027-03-20", "09:01"))
    [email] = mail.outbox
    email_token = LINK.search(email.body).group(1)

    for body in (text, email.body, email.subject):
        for word in clinical_words(visit):
            assert word.lower() not in body.lower()
    assert "Tuesday 23 March 2027 at 9:00 AM (EDT)" in email.body
    assert client.get(f"/v/{email_token}").status_code == 200
    assert tokens.link_resolve(email_token, purpose="visit").booking == booked[1]
    clock.move_to(at("2027-03-01", "09:05"))
    assert token not in stored_everywhere() and email_token not in stored_everywhere()


def test_a_reminder_in_french_for_a_patient_who_reads_french(visit, sms, clock):
    patient = visit.patient
    patient.preferred_language = "fr"
    patient.save(update_fields=["preferred_language"])

    drain_at(clock, at("2027-03-01", "09:00"))

    [message] = sms.messages()
    assert "rappel de votre rendez-vous le mardi 2 mars 2027 à 09:00" in message["body"]
    assert "Confirmer, annuler ou choisir une autre heure" in message["body"]


def test_a_skipped_reminder_mints_no_link(visit, sms, clock):
    patient = visit.patient
    patient.reminder_opt_out = True
    patient.save(update_fields=["reminder_opt_out"])

    drain_at(clock, at("2027-03-01", "09:00"))

    assert sms.messages() == []
    assert not visit.patient_links.exists()


def test_after_a_move_the_patient_gets_the_new_time_with_a_new_link(client, visit, token, sms, clock):
    from selfservice import moves

    offer = moves.move_offers(visit).days[2].offers[0]  # Wednesday 3 March
    client.post(f"/v/{token}/move/do", {"slot": offer.key})
    drain_at(clock, at("2027-03-01", "06:30"))
    assert sms.messages() == []  # 06:30 is in the quiet hours (21:00-08:00): the notice waits
    drain_at(clock, at("2027-03-01", "08:00"))

    [message] = [m for m in sms.messages() if "is now on" in m["body"]]
    assert "your appointment is now on Wednesday 3 March 2027 at 8:00 AM" in message["body"]
    new = LINK.search(message["body"]).group(1)
    assert new != token
    assert client.get(f"/v/{new}").status_code == 200
    assert client.get(f"/v/{token}").status_code == 404


def test_the_clinic_is_told_when_a_patient_cant_come_without_naming_them(
    client, visit, token, manager, scheduler, clock
):
    client.post(f"/v/{token}/cancel")
    outbox_drain(seconds=5)

    [email] = mail.outbox
    assert sorted(email.to) == sorted([manager.email, scheduler.email])
    assert f"Booking #{visit.pk}, Tue 02 Mar 2027 09:00 EST, chair R1" in email.body
    assert f"/admin/scheduling/booking/{visit.pk}/change/" in email.body
    for word in [*clinical_words(visit), visit.patient.given_name]:
        assert word.lower() not in (email.body + email.subject).lower()


def test_the_digest_lists_tomorrows_unconfirmed_visits_and_the_patients_cancellations(
    client, visit, token, booked
):
    def section(key, day):
        [found] = [s for s in digest_sections(site_id=visit.site_id, day=day) if s.key == key]
        return [line.text for line in found.lines]

    monday = at("2027-03-01").date()
    assert section("unconfirmed_tomorrow", monday) == [
        f"{visit.patient.mrn}: Tue 02 Mar 2027 09:00 EST, chair R1"
    ]
    client.post(f"/v/{token}/confirm")
    assert section("unconfirmed_tomorrow", monday) == []

    client.post(f"/v/{token}/cancel")
    assert section("cancelled_by_patients", at("2027-03-02").date()) == [
        f"{visit.patient.mrn}: Tue 02 Mar 2027 09:00 EST, chair R1"
    ]
