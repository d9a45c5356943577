"""Clinic sites, their opening hours and closures, chairs, nurse shifts, and chair bookings.

Times are stored as aware UTC; opening hours are local wall-clock times in the site's time zone.
Two invariants live in PostgreSQL, not only in Python: a chair is never booked twice for overlapping
times, and a patient is never in two chairs at once (exclusion constraints; cancelled and no-show
bookings do not count). Nurse capacity and the start limit are checked by `scheduling.services` under
a lock on the site's local day (`scheduling.locks`).
"""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from clinic.audit import audit_register
from clinic.db import constraint_error
from patients.models import Patient

# No session is longer (the clinic's own limit, `scheduling.limits.longest_session`, is at most this); it
# also bounds overlap queries so they can use the (site, start) index.
MAX_SESSION = timedelta(hours=16)
GRID_CHOICES = (5, 10, 15, 20, 30, 60)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not an IANA time zone.", code="time_zone_invalid", params={"value": value}
        )


class Site(models.Model):
    """A clinic location. Opening hours and reminders are in its local time zone."""

    name = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    address = models.TextField(help_text="As it should appear in appointment reminders.")
    phone = models.CharField(max_length=20, blank=True, help_text="The number patients call to reschedule.")
    grid_minutes = models.PositiveSmallIntegerField(
        default=15,
        choices=[(m, f"{m} minutes") for m in GRID_CHOICES],
        help_text="Bookings start and end on this grid (local time).",
    )
    patients_per_nurse = models.PositiveSmallIntegerField(
        default=4, help_text="How many patients in chairs one nurse looks after at once."
    )
    starts_per_nurse_per_slot = models.PositiveSmallIntegerField(
        default=1, help_text="How many infusions one nurse may start in one grid slot (staggered starts)."
    )
    flatten_peak = models.BooleanField(
        default=False, help_text="Offer the least busy times of a day first, to level the midday peak."
    )
    # The weekly booking template (scheduling/booking_template.py): availability offers its start times
    # first. {"weeks": 10, "built_at": "...", "days": {"0": {"240": ["08:00", "08:00", "10:15"]}}}.
    booking_template = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name=constraint_error(
                    "site_name_unique",
                    field="name",
                    code="site_name_taken",
                    message="A site of this name already exists.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(grid_minutes__in=GRID_CHOICES),
                name=constraint_error(
                    "site_grid_divides_hour",
                    field="grid_minutes",
                    code="grid_invalid",
                    message="The grid must divide an hour (5, 10, 15, 20, 30 or 60 minutes).",
                ),
            ),
            models.CheckConstraint(
                condition=Q(patients_per_nurse__gte=1, starts_per_nurse_per_slot__gte=1),
                name=constraint_error(
                    "site_nurse_ratios_positive",
                    field="patients_per_nurse",
                    code="ratio_invalid",
                    message="A nurse looks after at least one patient and may start at least one.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """When a site is open on a weekday, in local time. A weekday without a row is closed."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        verbose_name_plural = "opening hours"
        ordering = ["site", "weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "weekday"],
                name=constraint_error(
                    "opening_hours_once_per_weekday",
                    field="weekday",
                    code="weekday_exists",
                    message="This weekday already has opening hours.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name=constraint_error(
                    "opening_hours_close_after_open",
                    field="closes",
                    code="closes_before_opens",
                    message="A site closes after it opens.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Closure(models.Model):
    """Days a site is closed (holidays, training), inclusive of both dates."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["site", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name=constraint_error(
                    "closure_ends_after_start",
                    field="ends_on",
                    code="end_before_start",
                    message="A closure ends on or after the day it starts.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_on}-{self.ends_on})"


class ChairKind(models.TextChoices):
    RECLINER = "recliner", "Recliner"
    BED = "bed", "Bed"


class Chair(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="chairs")
    name = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=ChairKind.choices, default=ChairKind.RECLINER)
    is_active = models.BooleanField(default=True, help_text="Inactive chairs cannot be booked.")

    class Meta:
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"],
                name=constraint_error(
                    "chair_name_unique_per_site",
                    field="name",
                    code="chair_name_taken",
                    message="The site already has a chair of this name.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def label(self) -> str:
        """How messages name the chair: "Chair R1", but "Chair 01" or "Bed 3" as they are."""
        if self.name.lower().startswith(("chair", "bed", "recliner")):
            return self.name
        return f"Chair {self.name}"


class NurseShift(models.Model):
    """A nurse on the floor of a site from start to end (aware times)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="nurse_shifts")
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=100, blank=True, help_text="For agency nurses without a login.")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["site", "start"]
        indexes = [models.Index(fields=["site", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name=constraint_error(
                    "nurse_shift_ends_after_start",
                    field="end",
                    code="end_before_start",
                    message="A shift ends after it starts.",
                ),
            ),
        ]

    def __str__(self) -> str:
        who = self.name or (self.nurse.get_full_name() if self.nurse_id else "") or "Nurse"
        zone = self.site.zone if self.site_id else self.start.tzinfo
        start, end = self.start.astimezone(zone), self.end.astimezone(zone)
        return f"{who} {start:%Y-%m-%d %H:%M}-{end:%H:%M} {start:%Z}"


class SiteMembership(models.Model):
    """A staff member who works at a site; nurses see the schedule of their sites only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_memberships"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "site"],
                name=constraint_error(
                    "site_membership_once",
                    field="site",
                    code="membership_exists",
                    message="The user is already a member of this site.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.site}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Bookings in these states hold no chair, no patient and no nurse time.
INACTIVE_STATUSES = (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Booking(models.Model):
    """A patient in a chair from start to end (aware UTC, on the site's grid)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="bookings")
    chair = models.ForeignKey(Chair, on_delete=models.PROTECT, related_name="bookings")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    note = models.CharField(max_length=500, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # When the patient confirmed they will come (from their reminder link); a move clears it.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "chair_id"]
        indexes = [
            models.Index(fields=["site", "start"]),
            models.Index(fields=["patient", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name=constraint_error(
                    "booking_ends_after_start",
                    field="end",
                    code="end_before_start",
                    message="A booking ends after it starts.",
                ),
            ),
            ExclusionConstraint(
                name=constraint_error(
                    "booking_chair_no_overlap",
                    field="chair",
                    code="chair_conflict",
                    message="The chair is already booked at this time.",
                ),
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("chair", RangeOperators.EQUAL),
                ],
                condition=~Q(status__in=INACTIVE_STATUSES),
            ),
            ExclusionConstraint(
                name=constraint_error(
                    "booking_patient_no_overlap",
                    field="patient",
                    code="patient_conflict",
                    message="The patient is already booked at this time.",
                ),
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("patient", RangeOperators.EQUAL),
                ],
                condition=~Q(status__in=INACTIVE_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        local = self.start.astimezone(self.site.zone) if self.site_id else self.start
        return f"Booking #{self.pk} {local:%Y-%m-%d %H:%M %Z}"

    @property
    def is_active(self) -> bool:
        return self.status not in INACTIVE_STATUSES

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def get_additional_data(self) -> dict:
        # django-auditlog stores this with each write, so a patient's whole trail can be found by id.
        return {"patient_id": self.patient_id}


class BookingEventKind(models.TextChoices):
    CREATED = "created", "Created"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "Marked no-show"
    STATUS = "status", "Status changed"
    CONFIRMED = "confirmed", "Confirmed by the patient"


class BookingEvent(models.Model):
    """One change to a booking, append-only: what it was before, what it became, who, when and why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=BookingEventKind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_start = models.DateTimeField(null=True, blank=True)
    from_end = models.DateTimeField(null=True, blank=True)
    from_chair = models.ForeignKey(Chair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_start = models.DateTimeField(null=True, blank=True)
    to_end = models.DateTimeField(null=True, blank=True)
    to_chair = models.ForeignKey(Chair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=12, blank=True, choices=BookingStatus.choices)
    to_status = models.CharField(max_length=12, blank=True, choices=BookingStatus.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["booking", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M} UTC"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.booking.patient_id}


audit_register(Site, OpeningHours, Closure, Chair, NurseShift, SiteMembership, Booking, BookingEvent)

# The optimiser's proposals live in their own module; importing it here registers the model.
from scheduling.proposal_models import Proposal, ProposalStatus  # noqa: E402, F401
