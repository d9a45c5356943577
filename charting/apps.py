from django.apps import AppConfig


class ChartingConfig(AppConfig):
    name = "charting"
    verbose_name = "Charting"

    def ready(self) -> None:
        from charting import selectors
        from infusions.providers import register_reactions

        # Infusions cannot import charting: its checks and the insurer's summary read reactions here.
        register_reactions(worst_reaction=selectors.worst_reaction, order_reactions=selectors.order_reactions)
