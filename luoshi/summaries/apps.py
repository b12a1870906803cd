from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummariesConfig(AppConfig):
    name = "luoshi.summaries"
    label = "summaries"
    verbose_name = _("Annual summaries")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, cache, demodata, home, navigation

        from . import exports  # noqa: F401  (registers the exporters)
        from .home import home_todos
        from .models import SummaryRound, UnitSummary
        from .navigation import nav_sections

        cache.invalidate_on("summaries", [SummaryRound, UnitSummary])
        navigation.register(nav_sections, depends_on=("summaries",))
        home.register_todos("summaries", home_todos)
        demodata.register("Demo annual summaries", _demo, order=60)
        audit.register_action_labels(
            {
                "summaries.round_create": _("Opened a summary round"),
                "summaries.edit": _("Edited a unit summary"),
                "summaries.submit": _("Submitted a unit summary"),
                "summaries.approve": _("Approved a unit summary"),
                "summaries.return": _("Returned a unit summary"),
                "summaries.accept": _("Accepted a unit summary"),
                "summaries.record_accepted": _(
                    "Recorded a unit summary accepted outside the system"
                ),
                "summaries.refresh": _("Refreshed the figures of a summary"),
                "summaries.compile": _("Compiled the agency summary"),
                "summaries.export_unit": _("Downloaded a unit summary"),
                "summaries.export_round": _("Downloaded the agency summary"),
                "summaries.export_indicators": _("Downloaded the indicator completion table"),
            }
        )


def _demo() -> str:
    # Imported when called: apps.py is loaded before the app registry is ready.
    from .demo import build_demo

    return build_demo()
