import datetime as dt
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "luoshi.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, cache, demodata, navigation, periodic
        from luoshi.notify.events import register_events, register_family

        from . import models
        from .navigation import nav_sections

        register_family("supervision", _("Supervision"))
        register_events(
            {
                "supervision.assigned": _("Supervision item assigned"),
                "supervision.reviewed": _("Feedback passed for the leader"),
                "supervision.returned": _("Feedback returned"),
                "supervision.closed": _("Supervision item closed out"),
                "supervision.extension": _("Extension decided"),
                "supervision.reminder": _("Deadline reminder"),
                "supervision.urging": _("Urging notice"),
                "supervision.escalation": _("Overdue item escalated"),
                "supervision.bulletin": _("Supervision bulletin published"),
            }
        )

        navigation.register(nav_sections, depends_on=("supervision",))
        # What the navigation's supervision entries derive from (supervision.navigation).
        cache.invalidate_on("supervision", (models.SupervisionItem, models.Bulletin))
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.plans import panels

        panels.register("supervision.items", _task_panel)
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import home

        from .home import home_card, home_todos

        home.register("supervision.mine", home_card)
        home.register_todos("supervision", home_todos)
        periodic.register("supervision.ladder", _tick)
        demodata.register("Demo supervision items", _demo, order=30)
        audit.register_action_labels(
            {
                "supervision.register": _("Registered a supervision item"),
                "supervision.update": _("Changed a supervision item"),
                "supervision.assign": _("Assigned a supervision item"),
                "supervision.accept": _("Accepted a supervision item"),
                "supervision.feedback": _("Fed back on a supervision item"),
                "supervision.review": _("Reviewed supervision feedback"),
                "supervision.close_out": _("Decided a supervision close-out"),
                "supervision.suspend": _("Suspended a supervision item"),
                "supervision.resume": _("Resumed a supervision item"),
                "supervision.extension_request": _("Requested an extension"),
                "supervision.extension_decide": _("Decided an extension"),
                "supervision.reminder": _("Sent a supervision reminder"),
                "supervision.urging": _("Issued an urging notice"),
                "supervision.escalation": _("Escalated an overdue item"),
                "supervision.settings": _("Changed the supervision settings"),
                "supervision.export": _("Exported a supervision document"),
                "supervision.bulletin_compile": _("Compiled a supervision bulletin"),
                "supervision.bulletin_update": _("Edited a supervision bulletin"),
                "supervision.bulletin_publish": _("Published a supervision bulletin"),
            }
        )


def _tick(today: dt.date) -> str:
    # Imported when called: apps.py is loaded before the app registry is ready.
    from .services import tick

    return tick(today)


def _demo() -> str:
    # Imported when called: apps.py is loaded before the app registry is ready.
    from .demo import build_demo_items

    return build_demo_items()


def _task_panel(user: Any, task: Any) -> Any:
    """The supervision items linked to a task, as far as the viewer may see them (1 query)."""
    # Imported when called: apps.py is loaded before the app registry is ready.
    from luoshi.plans.panels import Panel

    from .selectors import items_visible

    # Only the columns the panel shows (items_visible joins six tables for the ledger).
    items = list(
        items_visible(user)
        .filter(task=task)
        .select_related(None)
        .only("id", "number", "title", "status", "light", "light_code")
        .order_by("id")
    )
    return Panel("supervision/task_panel.html", {"items": items}) if items else None
