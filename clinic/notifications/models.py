"""The outbox: one row per message that should reach someone, and what became of it."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    # In flight: a worker holds the row under `claim_token` until `lease_until`.
    CLAIMED = "claimed", "Claimed"  # taken from the queue, not yet handed to the provider
    SENDING = "sending", "Sending"  # handed to the provider; the outcome is not yet recorded
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


IN_FLIGHT = (Status.CLAIMED, Status.SENDING)


class Notification(models.Model):
    """One message of a kind, about one record, by one channel, to one recipient, at most once.

    The recipient is a patient or a staff role (a Group); the record is what the message is about (a
    booking, an order, a site). `record_key` tells apart messages about the same record that may recur,
    e.g. the site's digest of one local day ("2027-03-02") or one cycle of an order ("cycle:4").
    The unique constraint is the "at most once": a second row for the same message cannot exist.
    """

    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    recipient_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    recipient_id = models.PositiveBigIntegerField()
    recipient = GenericForeignKey("recipient_type", "recipient_id")
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("record_type", "record_id")
    record_key = models.CharField(max_length=40, blank=True, default="")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # An error code and the provider's words; never the message body or the address.
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Each resend of a failed row gets a fresh provider idempotency key (the old key's answer is cached).
    resends = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "clinic"
        ordering = ["-due_at", "-pk"]
        verbose_name = "outbox message"
        verbose_name_plural = "outbox"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "record_type",
                    "record_id",
                    "record_key",
                    "channel",
                    "recipient_type",
                    "recipient_id",
                ],
                name="notification_once_per_kind_record_channel_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=IN_FLIGHT) | Q(claim_token__isnull=False, lease_until__isnull=False),
                name="notification_in_flight_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.SENT) | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]
        indexes = [
            # The dispatcher's queue: pending rows by due time.
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="notification_pending_due"),
            models.Index(
                fields=["lease_until"], condition=Q(status__in=IN_FLIGHT), name="notification_in_flight"
            ),
            models.Index(fields=["record_type", "record_id"], name="notification_record"),
            models.Index(fields=["recipient_type", "recipient_id", "-due_at"], name="notification_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_channel_display()}, {self.get_status_display()})"

    @property
    def idempotency_key(self) -> str:
        """What the provider is told, so that a send repeated after a crash is delivered once."""
        return f"outbox-{self.pk}-{self.resends}"
