"""The work plans' entries in the left navigation (registered from PlansConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core import audit
from luoshi.core.navigation import NavItem, NavSection
from luoshi.orgs.permissions import scope_for

from . import permissions as perms

WORK_PLANS = NavSection("plans", _("Deployment"), order=10)


def nav_sections(user: Any) -> list[NavSection]:
    """The entries the user may open and that have something for them: the ledger, my work and
    the dashboard only when a task is in their scope, the plans when a plan is (or for the
    office, who drafts them), the dashboard for those it is made for (permissions.
    uses_dashboard). Two statements at most; registered with depends_on=("tasks",)."""
    if scope_for(user).is_empty:
        return []
    has_tasks = perms.tasks_visible(user).select_related(None).order_by().exists()
    has_plans = has_tasks or perms.plans_visible(user).select_related(None).order_by().exists()
    items: list[NavItem] = []
    if has_tasks:
        if perms.uses_dashboard(user):
            items.append(NavItem(_("Dashboard"), "plans:dashboard", order=5))
        items.append(NavItem(_("My work"), "plans:my_work", order=10))
    if has_plans or perms.can_manage_plans(user):
        items.append(NavItem(_("Work plans"), "plans:plans", order=20))
    if has_tasks:
        items.append(NavItem(_("Task ledger"), "plans:ledger", order=30))
        if perms.can_view_report_overview(user):
            items.append(NavItem(_("Progress reports"), "plans:report_overview", order=40))
    if perms.can_manage_categories(user):
        items.append(NavItem(_("Task categories"), "plans:categories", order=50))
    return [WORK_PLANS.with_items(*items)]


def register_audit_labels() -> None:
    """The office pages' audit actions (categories, classification, the report overview's
    export). Called when this module is imported, i.e. from PlansConfig.ready()."""
    audit.register_action_labels(
        {
            "category.create": _("Added a task category"),
            "category.rename": _("Renamed a task category"),
            "category.reorder": _("Reordered the task categories"),
            "category.delete": _("Removed a task category"),
            "category.deactivate": _("Deactivated a task category"),
            "category.reactivate": _("Reactivated a task category"),
            "task.classify": _("Changed a task's categories or source"),
            "report_overview.export": _("Exported the progress report overview"),
        }
    )


register_audit_labels()
