"""The waitlist: patients who would take an earlier chair, the chair time freed by a cancellation or a
move, and the offers of that time to waitlisted patients.

The rule "the first to accept gets the chair" is the database's: a freed slot is taken by exactly one
offer (`FreedSlot.taken_offer`, one-to-one, set by a conditional UPDATE on an open slot only).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from clinic.audit import audit_register
from infusions.models import TreatmentOrder
from patients.models import Patient
from scheduling.models import Booking, Chair, Site


class PartOfDay(models.TextChoices):
    ANY = "", "Any time"
    MORNING = "morning", "Morning (start before noon)"
    AFTERNOON = "afternoon", "Afternoon"


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "Waiting"
    BOOKED = "booked", "Booked from an offer"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Via(models.TextChoices):
    STAFF = "staff", "Staff"
    PATIENT = "patient", "Patient via link"


class WaitlistEntry(models.Model):
    """A patient's wish to be offered an earlier chair for the next cycle of one order, within a window
    of days and, optionally, a part of the day, weekdays and a kind of chair."""

    order = models.ForeignKey(TreatmentOrder, on_delete=models.PROTECT, related_name="waitlist_entries")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="waitlist_entries")
    earliest = models.DateField(help_text="The first day the patient could come (site's local day).")
    latest = models.DateField(
        null=True, blank=True, help_text="The last day an earlier time is useful; empty: until booked."
    )
    part_of_day = models.CharField(max_length=10, choices=PartOfDay.choices, blank=True, default="")
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(), default=list, blank=True, help_text="0 = Monday; empty: any day."
    )
    chair_kind = models.CharField(max_length=10, blank=True, default="", help_text="Empty: any chair.")
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.STAFF)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="Waiting since.")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "waitlist entry"
        verbose_name_plural = "waitlist"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="active"), name="waitlist_one_active_entry_per_order"
            ),
            models.CheckConstraint(
                condition=Q(latest__isnull=True) | Q(latest__gte=F("earliest")),
                name="waitlist_window_not_reversed",
            ),
        ]
        indexes = [models.Index(fields=["status", "earliest"], name="waitlist_active_window")]

    def __str__(self) -> str:
        return f"Waitlist #{self.pk} (order {self.order_id}, {self.get_status_display().lower()})"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


class SlotStatus(models.TextChoices):
    OPEN = "open", "Open: being offered"
    TAKEN = "taken", "Taken by an offer"
    LAPSED = "lapsed", "Lapsed unfilled"


class FreedSlot(models.Model):
    """Chair time a cancelled or moved booking left free, offered to the waitlist until it starts."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    chair = models.ForeignKey(Chair, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    freed_booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="freed_slots"
    )
    freed_by = models.CharField(max_length=20, help_text="cancelled or moved")
    freed_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=SlotStatus.choices, default=SlotStatus.OPEN)
    # The winner. Set once, by `UPDATE ... WHERE status = 'open'`: the first committed acceptance.
    taken_offer = models.OneToOneField(
        "Offer", null=True, blank=True, on_delete=models.PROTECT, related_name="won_slot"
    )
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-freed_at", "-pk"]
        verbose_name = "freed chair time"
        verbose_name_plural = "freed chair times"
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="freed_slot_end_after_start"),
            models.CheckConstraint(
                condition=~Q(status="taken") | Q(taken_offer__isnull=False, taken_at__isnull=False),
                name="freed_slot_taken_has_winner",
            ),
        ]
        indexes = [models.Index(fields=["start"], condition=Q(status="open"), name="freed_slot_open")]

    def __str__(self) -> str:
        return f"Freed chair time #{self.pk}"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", "Offered, no answer yet"
    ACCEPTED = "accepted", "Accepted: booked"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired unanswered"
    TAKEN = "taken", "Someone else took it first"
    UNAVAILABLE = "unavailable", "No longer bookable"
    WITHDRAWN = "withdrawn", "Withdrawn (booked another time)"


class Offer(models.Model):
    """One freed slot offered to one waitlisted patient, by a message through the outbox."""

    slot = models.ForeignKey(FreedSlot, on_delete=models.PROTECT, related_name="offers")
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="offers")
    rank = models.PositiveSmallIntegerField(
        help_text="Place in the fair order (due date, then waiting since)."
    )
    offered_at = models.DateTimeField()
    # When the message may go out (the end of the patient's quiet hours) and when the offer lapses.
    send_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=OfferStatus.choices, default=OfferStatus.OFFERED)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_detail = models.CharField(max_length=300, blank=True)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-offered_at", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "entry"], name="offer_once_per_slot_and_entry"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("send_at")), name="offer_expires_after_send"),
        ]
        indexes = [models.Index(fields=["expires_at"], condition=Q(status="offered"), name="offer_open")]

    def __str__(self) -> str:
        return f"Offer #{self.pk}"


audit_register(WaitlistEntry, FreedSlot, Offer)
