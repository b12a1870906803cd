"""The work plans' entries in the left navigation (registered from PlansConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection
from luoshi.orgs.permissions import scope_for

WORK_PLANS = NavSection("plans", _("Deployment"), order=10)


def nav_sections(user: Any) -> list[NavSection]:
    if scope_for(user).is_empty:
        return []
    return [
        WORK_PLANS.with_items(
            NavItem(_("Dashboard"), "plans:dashboard", order=5),
            NavItem(_("My work"), "plans:my_work", order=10),
            NavItem(_("Work plans"), "plans:plans", order=20),
            NavItem(_("Task ledger"), "plans:ledger", order=30),
        )
    ]
