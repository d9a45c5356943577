"""The offer's SMS and email, read from the outbox as the real dispatcher sends them: the first name,
the date, time and site, and the link; nothing clinical (no diagnosis, drug, MRN or date of birth)."""

import re

import pytest
from django.core import mail

from clinic.notifications import dispatch
from tests.notifications.conftest import SmsFolder
from tests.waitlist.conftest import freed, waitlisted
from waitlist import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_DIR = tmp_path / "outbox"
    return SmsFolder(settings.SMS_FILE_DIR)


def _clinical(entry) -> list[str]:
    order, patient = entry.order, entry.patient
    return [
        order.indication.code,
        order.indication.description,
        order.product.brand,
        order.product.hcpcs_code,
        patient.mrn,
        patient.family_name,
        patient.date_of_birth.isoformat(),
        f"{patient.date_of_birth:%d/%m/%Y}",
        f"{patient.date_of_birth:%m/%d/%Y}",
        "1970",
        "IVIG",
    ]


def test_the_offer_sms_and_email_name_the_time_and_place_and_nothing_clinical(manager, chairs, sms):
    by_text = waitlisted(manager)
    by_email = waitlisted(manager)
    by_email.patient.reminder_channel = "email"
    by_email.patient.save()
    slot = freed(manager, chairs["R1"])
    services.slot_offer(slot_id=slot.pk)

    result = dispatch.outbox_drain()

    assert result.sent == 2
    [text] = sms.messages()
    [email] = mail.outbox
    assert text["to"] == by_text.patient.phone
    assert email.to == [by_email.patient.email]
    for body, entry in ((text["body"], by_text), (email.body + email.subject, by_email)):
        assert entry.patient.given_name in body
        assert "Wednesday 3 March 2027" in body and "9:00 AM" in body
        assert "Cycle Test Center" in body
        assert re.search(r"https?://\S+/w/[A-Za-z0-9_-]{43}\b", body)
        lowered = body.lower()
        assert [word for word in _clinical(entry) if word.lower() in lowered] == []


def test_the_offer_comes_in_the_patients_language(manager, chairs, sms):
    entry = waitlisted(manager)
    entry.patient.preferred_language = "fr"
    entry.patient.save()
    slot = freed(manager, chairs["R1"])
    services.slot_offer(slot_id=slot.pk)

    dispatch.outbox_drain()

    [text] = sms.messages()
    assert "un rendez-vous plus tôt est libre à Cycle Test Center : mercredi 3 mars 2027" in text["body"]


def test_no_message_goes_for_an_offer_taken_before_it_was_sent(manager, chairs, sms, clock):
    from tests.infusions.calendar import at

    clock.move_to(at("2027-03-01", "22:30"))  # quiet hours: both offers wait for 08:00
    waitlisted(manager)
    second = waitlisted(manager)
    slot = freed(manager, chairs["R1"])
    offers = services.slot_offer(slot_id=slot.pk)
    services.offer_accept(offer=offers[0])  # say staff read it out on the phone

    clock.move_to(at("2027-03-02", "08:01"))
    result = dispatch.outbox_drain()

    assert result.sent == 0
    assert sms.messages() == []
    assert second.offers.get().status == "taken"
