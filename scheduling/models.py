"""Clinic sites. Chairs, nurse shifts, bookings and availability arrive with the scheduling issue."""

import zoneinfo

from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not an IANA time zone.", code="time_zone_invalid", params={"value": value}
        )


class Site(models.Model):
    """A clinic location. Opening hours and reminders are in its local time zone."""

    name = models.CharField(max_length=120, unique=True)
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    address = models.TextField(help_text="As it should appear in appointment reminders.")
    phone = models.CharField(max_length=20, blank=True, help_text="The number patients call to reschedule.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


auditlog.register(Site)
