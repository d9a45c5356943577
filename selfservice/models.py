"""A patient's link: a random token, kept only as its SHA-256, bound to one booking and one purpose."""

from django.db import models
from django.db.models import Q

from patients.models import Patient
from scheduling.models import Booking


class LinkPurpose(models.TextChoices):
    VISIT = "visit", "Visit page (confirm, cancel, move)"
    # The waitlist's offer of a freed slot (branch waitlist): `ref` is the offer's id.
    OFFER = "offer", "Offer of an earlier slot"


class LinkToken(models.Model):
    """One link sent to a patient. The URL carries the token; the database only its hash, so a copy of
    the database (or of the outbox, which holds no body) opens no visit page.

    A link works until `expires_at` (a visit's: when it starts), unless revoked (the booking moved,
    was cancelled or changed state) or, for a single-use purpose, used (`used_at`).
    """

    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, hex.")
    purpose = models.CharField(max_length=10, choices=LinkPurpose.choices, default=LinkPurpose.VISIT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="patient_links"
    )
    ref = models.PositiveBigIntegerField(null=True, blank=True, help_text="The purpose's own record.")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=100, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "patient link"
        indexes = [models.Index(fields=["booking"], condition=Q(revoked_at__isnull=True), name="link_live")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="visit") | Q(booking__isnull=False), name="link_visit_has_booking"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="link_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link #{self.pk}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}
