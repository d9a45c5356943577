"""The clinic app's models: the notification outbox (clinic/notifications/models.py) and each staff
member's preferences (clinic/preferences.py)."""

from clinic.notifications.models import Notification
from clinic.preferences import StaffPreference

__all__ = ["Notification", "StaffPreference"]
