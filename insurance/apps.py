from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "insurance"

    def ready(self):
        from insurance import tokens  # noqa: F401  (drops cached tokens when they change)
