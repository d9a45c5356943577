from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    name = "infusions"

    def ready(self) -> None:
        from infusions import authorizations
        from insurance.providers import register_clinical_summary
        from scheduling.services import booking_rescheduled, booking_status_changed

        # Insurance and scheduling cannot import infusions: infusions plugs itself into both here.
        register_clinical_summary(authorizations.clinical_summary)
        booking_status_changed.connect(
            authorizations.booking_status_changed, dispatch_uid="infusions.authorization_usage"
        )
        booking_rescheduled.connect(
            authorizations.booking_rescheduled, dispatch_uid="infusions.authorization_dates"
        )
