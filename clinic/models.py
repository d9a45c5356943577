"""The clinic app's models: the notification outbox (clinic/notifications/models.py)."""

from clinic.notifications.models import Notification

__all__ = ["Notification"]
