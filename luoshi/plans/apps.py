from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "luoshi.plans"
    label = "plans"
    verbose_name = _("Work plans")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, cache, demodata, home, navigation, periodic
        from luoshi.orgs import hooks

        from . import models, tasks
        from .home import home_card, home_todos
        from .navigation import nav_sections

        # What the cached dashboards show besides the roll-ups (rollup.refresh bumps too).
        cache.invalidate_on("tasks", (models.Task, models.WorkPlan, models.KeyPoint))
        cache.invalidate_on("categories", (models.Category,))  # the ledger's cached filter list

        navigation.register(nav_sections, depends_on=("tasks",))
        home.register("plans.work", home_card)
        home.register_todos("plans", home_todos)
        hooks.on_subtree_moved("plans.lead_unit_path", tasks.move_lead_unit_paths)
        periodic.register("plans.lights", tasks.refresh_open_lights)
        demodata.register("Demo work plan", _demo_plan, order=20)
        audit.register_action_labels(
            {
                "plan.create": _("Created a work plan"),
                "plan.approve": _("Approved a work plan"),
                "plan.issue": _("Issued a work plan"),
                "plan.import": _("Imported a work plan"),
                "key_point.create": _("Added a key point"),
                "task.create": _("Created a task"),
                "task.update": _("Changed a task"),
                "task.adjustment_request": _("Requested an adjustment"),
                "task.adjustment_decide": _("Decided an adjustment"),
                "task.report": _("Reported progress"),
                "task.report_correct": _("Corrected a progress report"),
                "task.completion_request": _("Requested close-out"),
                "task.completion_verify": _("Verified a close-out"),
                "task.completion_override": _("Closed out a task that was not ready (override)"),
                "task.attachment_add": _("Attached evidence"),
                "milestone.create": _("Added a milestone"),
                "indicator.create": _("Added an indicator"),
                "plan.import_breakdown": _("Imported a task breakdown table"),
                "plan.import_file": _("Imported a plan file"),
                "plan.export": _("Exported a work plan document"),
                "task_ledger.export": _("Exported the task ledger"),
            }
        )


def _demo_plan() -> str:
    # Imported when called: apps.py is loaded before the app registry is ready.
    from .demo import build_demo_plan

    return build_demo_plan()
