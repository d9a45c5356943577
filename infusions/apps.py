from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    name = "infusions"

    def ready(self) -> None:
        from infusions import authorizations, catalogue, selectors  # noqa: F401  (catalogue: its receivers)
        from insurance.providers import register_clinical_summary
        from scheduling.hooks import register_reschedule_check
        from scheduling.limits import register_longest_session
        from scheduling.services import booking_status_changed

        # Insurance and scheduling cannot import infusions: infusions plugs itself into both here.
        register_clinical_summary(authorizations.clinical_summary)
        register_longest_session(selectors.longest_session)
        booking_status_changed.connect(
            authorizations.booking_status_changed, dispatch_uid="infusions.authorization_usage"
        )
        # A move a cycle's authorization does not cover is refused here, through an explicit hook.
        register_reschedule_check(authorizations.cycle_day_rescheduled)
