from importlib import import_module

from django.apps import AppConfig

# Each module here registers its reports (`reports.registry.register`) when imported. A new report is a
# module of its own plus one line in this tuple; the API, the admin pages and the dashboard list them
# in this order.
REPORT_MODULES = (
    "reports.chairs",
    "reports.nurses",
    "reports.flow",
    "reports.safety",
    "reports.authorizations",
    "reports.drug",
)


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        for module in REPORT_MODULES:
            import_module(module)
