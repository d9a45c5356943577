"""A proposal of the schedule optimiser: a site's day or week, solved on the `optimiser` worker queue,
shown as curves and moves, applied (or refused because the day changed) through the calendar's services.

Imported by scheduling.models so Django sees the model; the writes are in scheduling.proposals.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.db import constraint_error

MAX_DAYS = 7
MAX_TIME_LIMIT = 120


class ProposalStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SOLVING = "solving", "Solving"
    READY = "ready", "Ready to apply"
    FAILED = "failed", "No proposal"
    APPLIED = "applied", "Applied"
    STALE = "stale", "Day changed since"


class Proposal(models.Model):
    """A request to level a site's `days` local days from `first_day`, and what the optimiser found.

    `fingerprint` is a digest of what the solve read (active bookings, shifts, chairs, hours); applying
    recomputes it under the day locks and refuses when it differs. `result` holds the curves before and
    after, the peak figures, the proven bound and the moves (booking ids and times, no patient data).
    """

    site = models.ForeignKey("scheduling.Site", on_delete=models.CASCADE, related_name="proposals")
    first_day = models.DateField()
    days = models.PositiveSmallIntegerField(default=1)
    time_limit_seconds = models.PositiveSmallIntegerField(default=20)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.QUEUED)
    phase = models.CharField(max_length=20, blank=True)
    progress = models.FloatField(default=0.0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    solved_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["site", "first_day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=MAX_DAYS),
                name=constraint_error(
                    "proposal_days_in_range",
                    field="days",
                    code="days_invalid",
                    message="A proposal covers 1 to 7 days.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(time_limit_seconds__gte=1, time_limit_seconds__lte=MAX_TIME_LIMIT),
                name=constraint_error(
                    "proposal_time_limit_in_range",
                    field="time_limit_seconds",
                    code="time_limit_invalid",
                    message="The time limit is 1 to 120 seconds.",
                ),
            ),
        ]

    def __str__(self) -> str:
        span = f"{self.first_day}" if self.days == 1 else f"{self.days} days from {self.first_day}"
        return f"Proposal #{self.pk} for {self.site} ({span})"
