"""Freed chair time offered to the waitlist: who is offered, in which order, how many at once, expiry,
declines and quiet hours. Through the real services on PostgreSQL; the clock is pinned (conftest)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.errors import Conflict
from clinic.notifications.models import Notification, Status
from infusions import cycles
from scheduling.models import Booking, BookingStatus
from scheduling.services import booking_cancel, booking_reschedule
from tests.infusions.calendar import at, make_order
from tests.waitlist.conftest import NOW, freed, waitlisted
from waitlist import services
from waitlist.models import EntryStatus, FreedSlot, OfferStatus, SlotStatus

pytestmark = pytest.mark.django_db


def _offered(slot):
    return [(o.entry_id, o.rank) for o in slot.offers.order_by("rank")]


def test_a_cancelled_booking_frees_its_chair_time_for_the_waitlist(manager, chairs):
    slot = freed(manager, chairs["R1"])

    assert (slot.chair, slot.start, slot.status, slot.freed_by) == (
        chairs["R1"],
        at("2027-03-03"),
        "open",
        "cancelled",
    )
    assert slot.end - slot.start == timedelta(minutes=255)


def test_the_freed_time_goes_to_three_patients_at_once_due_date_first_then_waiting_since(
    manager, chairs, clock
):
    late_due = waitlisted(manager, start_date=date(2027, 3, 2))  # waiting longest, but due last
    clock.shift(60)
    early_due = waitlisted(manager, start_date=date(2027, 2, 20))
    clock.shift(60)
    middle_due = waitlisted(manager, start_date=date(2027, 2, 25))
    clock.shift(60)
    early_due_later = waitlisted(manager, start_date=date(2027, 2, 20))  # same due day, waiting less
    slot = freed(manager, chairs["R1"])

    services.slot_offer(slot_id=slot.pk)

    assert _offered(slot) == [(early_due.pk, 1), (early_due_later.pk, 2), (middle_due.pk, 3)]
    assert not slot.offers.filter(entry=late_due).exists()


def test_only_patients_whose_order_and_wishes_fit_the_time_are_offered_it(manager, chairs):
    fits = waitlisted(manager)
    waitlisted(manager, part_of_day="afternoon")  # the slot starts at 09:00
    waitlisted(manager, weekdays=[0, 1])  # Wednesday is 2
    waitlisted(manager, chair_kind="bed")  # R1 is a recliner
    waitlisted(manager, earliest=date(2027, 3, 4))
    too_soon = make_order(manager)  # its last cycle was booked on Monday: 2 days apart, not 18
    cycles.cycle_book(order=too_soon, chair=chairs["B1"], start=at("2027-03-01", "11:00"), created_by=manager)
    services.entry_create(order=too_soon, earliest=date(2027, 3, 1))
    slot = freed(manager, chairs["R1"])

    services.slot_offer(slot_id=slot.pk)

    assert [o.entry_id for o in slot.offers.all()] == [fits.pk]


def test_an_expired_offer_goes_to_the_next_patient_and_cannot_be_accepted(manager, chairs, clock):
    entries = [waitlisted(manager) for _ in range(4)]
    slot = freed(manager, chairs["R1"])
    first = services.slot_offer(slot_id=slot.pk)
    assert [o.entry_id for o in first] == [e.pk for e in entries[:3]]
    assert first[0].expires_at == NOW + timedelta(hours=2)

    clock.move_to(NOW + timedelta(hours=2, minutes=1))
    services.offers_expire(timezone.now())

    assert set(slot.offers.filter(status=OfferStatus.EXPIRED).values_list("entry_id", flat=True)) == {
        e.pk for e in entries[:3]
    }
    assert list(slot.offers.filter(status=OfferStatus.OFFERED).values_list("entry_id", flat=True)) == [
        entries[3].pk
    ]
    answer = services.offer_accept(offer=first[0])
    assert answer.outcome == "closed"
    assert not Booking.objects.filter(patient=entries[0].patient).exists()


def test_an_offer_never_outlasts_the_hour_before_the_chair_time(manager, chairs, settings):
    settings.WAITLIST_MIN_NOTICE_MINUTES = 120
    waitlisted(manager)
    slot = freed(manager, chairs["R1"], day="2027-03-01", clock="12:30")  # 2 h 30 from now

    [offer] = services.slot_offer(slot_id=slot.pk)

    assert offer.expires_at == at("2027-03-01", "11:30")  # not 12:00, two hours on


def test_a_decline_offers_the_time_to_the_next_patient(manager, chairs, settings):
    settings.WAITLIST_OFFER_BATCH = 1
    first, second = waitlisted(manager), waitlisted(manager)
    slot = freed(manager, chairs["R1"])
    [offer] = services.slot_offer(slot_id=slot.pk)

    answer = services.offer_decline(offer=offer)
    services.slot_offer(slot_id=slot.pk)  # what the task queued on commit does

    assert answer.outcome == "declined"
    assert _offered(slot) == [(first.pk, 1), (second.pk, 2)]
    first.refresh_from_db()
    assert first.status == EntryStatus.ACTIVE  # still waiting for another time


def test_accepting_books_the_next_cycle_and_closes_the_other_offers(manager, chairs):
    entries = [waitlisted(manager) for _ in range(3)]
    slot = freed(manager, chairs["R1"])
    offers = services.slot_offer(slot_id=slot.pk)

    answer = services.offer_accept(offer=offers[1])

    assert answer.outcome == "booked"
    booking = answer.booking
    assert (booking.patient, booking.chair, booking.start) == (
        entries[1].patient,
        chairs["R1"],
        at("2027-03-03"),
    )
    assert booking.cycle_day.order == entries[1].order
    slot.refresh_from_db()
    assert (slot.status, slot.taken_offer_id) == (SlotStatus.TAKEN, offers[1].pk)
    assert sorted(slot.offers.values_list("status", flat=True)) == ["accepted", "taken", "taken"]
    entries[1].refresh_from_db()
    assert entries[1].status == EntryStatus.BOOKED
    later = services.offer_accept(offer=offers[0])
    assert later.outcome == "taken"


def test_a_patient_with_a_later_booking_is_moved_earlier_and_their_old_time_is_offered_on(manager, chairs):
    order = make_order(manager)
    [booked] = cycles.cycle_book(order=order, chair=chairs["R2"], start=at("2027-03-10"), created_by=manager)
    entry = services.entry_create(order=order, earliest=date(2027, 3, 1))
    slot = freed(manager, chairs["R1"])
    [offer] = services.slot_offer(slot_id=slot.pk)

    answer = services.offer_accept(offer=offer)

    booked.refresh_from_db()
    assert answer.booking.pk == booked.pk
    assert (booked.start, booked.chair, booked.status) == (
        at("2027-03-03"),
        chairs["R1"],
        BookingStatus.BOOKED,
    )
    assert Booking.objects.filter(patient=entry.patient).count() == 1
    moved_from = FreedSlot.objects.get(freed_booking=booked)
    assert (moved_from.start, moved_from.chair, moved_from.freed_by) == (
        at("2027-03-10"),
        chairs["R2"],
        "moved",
    )


def test_a_slot_moved_by_the_desk_is_freed_too(manager, chairs):
    [booking] = cycles.cycle_book(
        order=make_order(manager), chair=chairs["R1"], start=at("2027-03-03"), created_by=manager
    )

    booking_reschedule(booking=booking, start=at("2027-03-04"), by=manager)

    slot = FreedSlot.objects.get(freed_booking=booking)
    assert (slot.start, slot.chair, slot.freed_by) == (at("2027-03-03"), chairs["R1"], "moved")


def test_in_the_patients_quiet_hours_the_offer_waits_for_the_morning_and_is_held_from_then(
    manager, chairs, clock
):
    clock.move_to(at("2027-03-01", "22:30"))  # the default quiet hours are 21:00-08:00
    entry = waitlisted(manager)
    slot = freed(manager, chairs["R1"])

    [offer] = services.slot_offer(slot_id=slot.pk)

    assert offer.send_at == at("2027-03-02", "08:00")
    assert offer.expires_at == at("2027-03-02", "10:00")
    row = Notification.objects.get(kind="waitlist_offer", record_id=offer.pk)
    assert (row.due_at, row.status, row.recipient_id) == (offer.send_at, Status.PENDING, entry.patient_id)


def test_a_patient_who_opted_out_of_messages_is_not_offered_the_time(manager, chairs):
    quiet = waitlisted(manager)
    quiet.patient.reminder_opt_out = True
    quiet.patient.save()
    other = waitlisted(manager)
    slot = freed(manager, chairs["R1"])

    services.slot_offer(slot_id=slot.pk)

    assert [o.entry_id for o in slot.offers.all()] == [other.pk]


def test_one_order_waits_once_and_split_cycles_are_left_to_the_desk(manager):
    entry = waitlisted(manager)
    with pytest.raises(Conflict) as again:
        services.entry_create(order=entry.order, earliest=date(2027, 3, 1))
    assert again.value.code == "already_waitlisted"

    split = make_order(manager, dose_grams_per_kg=Decimal("2"), split_days=2)
    with pytest.raises(ValidationError) as refused:
        services.entry_create(order=split, earliest=date(2027, 3, 1))
    assert refused.value.error_dict["order"][0].code == "split_not_offered"


def test_a_time_freed_too_near_its_start_is_not_offered(manager, chairs):
    [booking] = cycles.cycle_book(
        order=make_order(manager), chair=chairs["R1"], start=at("2027-03-01", "12:00"), created_by=manager
    )

    booking_cancel(booking=booking, reason="Unwell", by=manager)

    assert not FreedSlot.objects.exists()


def test_the_patient_who_cancelled_is_not_offered_their_own_time(manager, chairs):
    slot = freed(manager, chairs["R1"])
    order = slot.freed_booking.cycle_day.order
    services.entry_create(order=order, earliest=date(2027, 3, 1))

    assert services.slot_offer(slot_id=slot.pk) == []
