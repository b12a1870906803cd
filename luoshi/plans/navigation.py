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
    if scope_for(user).is_empty:
        return []
    items = [
        NavItem(_("Dashboard"), "plans:dashboard", order=5),
        NavItem(_("My work"), "plans:my_work", order=10),
        NavItem(_("Work plans"), "plans:plans", order=20),
        NavItem(_("Task ledger"), "plans:ledger", order=30),
    ]
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
