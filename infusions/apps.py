from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    name = "infusions"

    def ready(self) -> None:
        from infusions import authorizations, selectors
        from insurance.providers import register_clinical_summary
        from scheduling.limits import register_longest_session
        from scheduling.services import booking_rescheduled, booking_status_changed

        # Insurance and scheduling cannot import infusions: infusions plugs itself into both here.
        register_clinical_summary(authorizations.clinical_summary)
        register_longest_session(selectors.longest_session)
        booking_status_changed.connect(
            authorizations.booking_status_changed, dispatch_uid="infusions.authorization_usage"
        )
        booking_rescheduled.connect(
            authorizations.booking_rescheduled, dispatch_uid="infusions.authorization_dates"
        )
