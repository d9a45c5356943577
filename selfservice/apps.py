from django.apps import AppConfig


class SelfserviceConfig(AppConfig):
    name = "selfservice"
    verbose_name = "Patient self-service"

    def ready(self) -> None:
        from clinic.notifications import registry
        from scheduling import reminder_links
        from scheduling.hooks import register_reschedule_check
        from scheduling.services import booking_status_changed
        from selfservice import tokens

        # Scheduling cannot import selfservice: the links plug themselves in through explicit hooks.
        # A booking that moves or changes state takes its links down with it, inside its transaction.
        register_reschedule_check(tokens.links_revoke_on_move)
        booking_status_changed.connect(tokens.links_revoke_on_status, dispatch_uid="selfservice.links_revoke")
        # Every appointment reminder carries a fresh link, minted when the message is rendered.
        reminder_links.register_link_provider(tokens.reminder_link)
        registry.register_before_send(tokens.links_flush)
