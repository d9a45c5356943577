from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "waitlist"
    verbose_name = "Waitlist"

    def ready(self) -> None:
        from scheduling.hooks import register_reschedule_check
        from scheduling.services import booking_status_changed
        from waitlist import freed

        # A cancelled booking, or one moved away, frees chair time: it is offered to the waitlist.
        booking_status_changed.connect(freed.booking_status_changed, dispatch_uid="waitlist.freed_on_cancel")
        register_reschedule_check(freed.booking_moved)
