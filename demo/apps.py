from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`seed_demo` and the demo builders of every app. It may import every app; none imports it."""

    name = "demo"
    verbose_name = "Demo data"
