from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "waitlist"
    verbose_name = "Waitlist"

    def ready(self) -> None:
        from scheduling.hooks import register_reschedule_check
        from scheduling.services import booking_status_changed
        from selfservice.hooks import register_visit_panel
        from waitlist import freed, visit_panel

        # A cancelled booking, or one moved away, frees chair time: it is offered to the waitlist.
        booking_status_changed.connect(freed.booking_status_changed, dispatch_uid="waitlist.freed_on_cancel")
        register_reschedule_check(freed.booking_moved)
        # The patient asks for an earlier time from the visit page (selfservice's explicit hook).
        register_visit_panel("waitlist", visit_panel.visit_panel)
