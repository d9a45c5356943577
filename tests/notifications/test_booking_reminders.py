"""Appointment reminders and the follow-up, through the scheduling services and the dispatcher."""

from datetime import UTC, date, datetime, time

import pytest
from django.core import mail

from clinic.notifications.dispatch import outbox_drain
from clinic.notifications.models import Notification
from scheduling import services
from scheduling.models import Booking
from tests.factories import DiagnosisFactory
from tests.notifications.conftest import at

THURSDAY = date(2027, 3, 4)

pytestmark = pytest.mark.usefixtures("clock")


def book(patient, chair, clock: str = "10:00", day: date = THURSDAY, minutes: int = 240) -> Booking:
    return services.booking_create(
        patient=patient, chair=chair, start=at(day, clock), duration_minutes=minutes
    )


def rows(booking) -> dict[str, Notification]:
    return {
        row.kind: row
        for row in Notification.objects.filter(record_id=booking.pk, record_type__model="booking")
    }


def drain_at(clock, moment: datetime):
    clock.move_to(moment)
    return outbox_drain(seconds=5)


def test_booking_schedules_a_reminder_72_and_24_hours_before(patient, chairs):
    booking = book(patient, chairs[0])

    reminders = rows(booking)
    assert reminders["appointment_72h"].due_at == at(date(2027, 3, 1), "10:00")
    assert reminders["appointment_24h"].due_at == at(date(2027, 3, 3), "10:00")
    assert {r.status for r in reminders.values()} == {"pending"}
    assert {r.channel for r in reminders.values()} == {"sms"}


def test_quiet_hours_move_an_early_reminder_to_the_end_of_the_night(patient, chairs):
    booking = book(patient, chairs[0], clock="07:00")

    # 07:00 the day before is inside the clinic's default quiet hours (21:00-08:00 local).
    assert rows(booking)["appointment_24h"].due_at == at(date(2027, 3, 3), "08:00")


def test_a_patients_own_quiet_hours_win_over_the_clinics(patient, chairs):
    patient.quiet_hours_start, patient.quiet_hours_end = time(9, 0), time(11, 0)
    patient.save()
    booking = book(patient, chairs[0], clock="10:00")

    assert rows(booking)["appointment_24h"].due_at == at(date(2027, 3, 3), "11:00")


def test_a_reminder_whose_time_has_passed_is_not_scheduled(patient, chairs):
    booking = book(patient, chairs[0], day=date(2027, 3, 2))  # 28 hours ahead: only the 24 h one

    assert set(rows(booking)) == {"appointment_24h"}


def test_rescheduling_moves_the_pending_reminders(patient, chairs):
    booking = book(patient, chairs[0])

    services.booking_reschedule(booking=booking, start=at(date(2027, 3, 8), "13:00"))

    reminders = rows(booking)
    assert reminders["appointment_72h"].due_at == at(date(2027, 3, 5), "13:00")
    assert reminders["appointment_24h"].due_at == at(date(2027, 3, 7), "13:00")
    assert {r.status for r in reminders.values()} == {"pending"}


def test_moving_a_booking_closer_cancels_the_reminder_whose_time_has_passed(patient, chairs):
    booking = book(patient, chairs[0])

    services.booking_reschedule(booking=booking, start=at(date(2027, 3, 2), "13:00"))

    reminders = rows(booking)
    assert reminders["appointment_72h"].status == "cancelled"
    assert reminders["appointment_24h"].status == "pending"
    assert reminders["appointment_24h"].due_at == at(date(2027, 3, 1), "13:00")


def test_cancelling_a_booking_cancels_its_reminders(patient, chairs, sms, clock):
    booking = book(patient, chairs[0])

    services.booking_cancel(booking=booking, reason="Patient has a cold")

    assert {r.status for r in rows(booking).values()} == {"cancelled"}
    drain_at(clock, at(THURSDAY, "09:00"))
    assert sms.messages() == []


def test_nothing_is_sent_for_a_booking_cancelled_behind_the_outboxs_back(patient, chairs, sms, clock):
    booking = book(patient, chairs[0])
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")  # e.g. a bulk fix in the database

    drain_at(clock, at(date(2027, 3, 3), "10:00"))

    assert sms.messages() == []
    assert rows(booking)["appointment_24h"].last_error == "booking_cancelled"


def test_nothing_is_sent_for_a_booking_that_has_started(patient, chairs, sms, clock):
    booking = book(patient, chairs[0])
    Notification.objects.filter(record_id=booking.pk).update(due_at=at(THURSDAY, "10:30"))

    drain_at(clock, at(THURSDAY, "10:30"))

    assert sms.messages() == []
    assert {r.last_error for r in rows(booking).values()} == {"booking_past"}


def test_the_reminder_goes_out_at_its_local_time_once_and_says_only_what_it_should(
    patient, chairs, sms, clock
):
    DiagnosisFactory(patient=patient, code="G61.81", description="CIDP")
    booking = book(patient, chairs[0])

    drain_at(clock, at(date(2027, 3, 3), "09:59"))
    assert len(sms.messages()) == 1  # the 72 h one, sent on Monday
    drain_at(clock, at(date(2027, 3, 3), "10:00"))
    drain_at(clock, at(date(2027, 3, 3), "10:05"))

    messages = sms.messages()
    assert len(messages) == 2
    text = messages[-1]["body"]
    assert messages[-1]["to"] == "+15555550123"
    assert "Thursday 4 March 2027 at 10:00 AM" in text
    assert "Riverside Infusion Center, 200 River Road, Suite 4, Springfield, NY 10001" in text
    assert "water" in text and "caffeine" in text
    assert "reschedule, call +15555550199" in text
    for secret in ("CIDP", "G61", "immunoglobulin", "IVIG", "Privigen", "Gamunex", patient.family_name):
        assert secret.lower() not in text.lower()
    reminder = rows(booking)["appointment_24h"]
    assert reminder.status == "sent"
    assert reminder.sent_at == at(date(2027, 3, 3), "10:00")
    assert reminder.provider_message_id == f"file:outbox-{reminder.pk}-0"


def test_an_opted_out_patient_gets_nothing(patient, chairs, sms, clock):
    booking = book(patient, chairs[0])
    patient.reminder_opt_out = True
    patient.save()

    drain_at(clock, at(date(2027, 3, 3), "10:00"))

    assert sms.messages() == []
    assert {r.last_error for r in rows(booking).values()} == {"opted_out"}


def test_a_patient_who_switched_to_email_gets_the_reminder_by_email(patient, chairs, sms, clock):
    booking = book(patient, chairs[0])
    patient.reminder_channel = "email"
    patient.save()

    drain_at(clock, at(date(2027, 3, 1), "10:00"))
    outbox_drain(seconds=5)

    assert sms.messages() == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.org"]
    assert "Thursday 4 March 2027 at 10:00 AM" in mail.outbox[0].subject
    emailed = Notification.objects.get(record_id=booking.pk, kind="appointment_72h", channel="email")
    assert emailed.status == "sent"


def test_a_message_that_falls_due_in_quiet_hours_waits_for_the_morning(patient, chairs, sms, clock):
    booking = book(patient, chairs[0])
    patient.quiet_hours_start, patient.quiet_hours_end = time(9, 30), time(10, 30)  # changed after booking
    patient.save()

    drain_at(clock, at(date(2027, 3, 1), "10:00"))

    assert sms.messages() == []
    assert rows(booking)["appointment_72h"].due_at == at(date(2027, 3, 1), "10:30")
    drain_at(clock, at(date(2027, 3, 1), "10:30"))
    assert len(sms.messages()) == 1


def test_completing_an_infusion_schedules_the_follow_up_a_day_later(patient, chairs, sms, clock):
    booking = book(patient, chairs[0], day=date(2027, 3, 2))
    clock.move_to(at(date(2027, 3, 2), "14:15"))
    for status in ("checked_in", "in_progress", "completed"):
        services.booking_set_status(booking=booking, status=status)

    followup = rows(booking)["infusion_followup"]
    assert followup.due_at == at(date(2027, 3, 3), "14:15")
    drain_at(clock, at(date(2027, 3, 3), "14:15"))

    text = sms.messages()[-1]["body"]
    assert "headache" in text and "fever" in text and "+15555550199" in text and "911" in text
    assert Notification.objects.get(pk=followup.pk).status == "sent"


def test_a_no_show_cancels_the_remaining_reminders(patient, chairs, clock):
    booking = book(patient, chairs[0], day=date(2027, 3, 1), clock="07:00")
    clock.move_to(datetime(2027, 3, 1, 13, 0, tzinfo=UTC))

    services.booking_mark_no_show(booking=booking)

    assert all(r.status != "pending" for r in rows(booking).values())


def test_booking_a_chair_costs_one_more_query_for_its_reminders(patient, chairs, django_assert_num_queries):
    book(patient, chairs[0])  # warm caches (content types)
    start = at(THURSDAY, "15:00")
    with django_assert_num_queries(14) as captured:
        services.booking_create(patient=patient, chair=chairs[1], start=start, duration_minutes=60)

    outbox_sql = [q["sql"] for q in captured.captured_queries if "clinic_notification" in q["sql"]]
    assert len(outbox_sql) == 1 and outbox_sql[0].startswith("INSERT")
