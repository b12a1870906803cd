"""The supervision entries in the left navigation (registered from SupervisionConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection
from luoshi.orgs.permissions import scope_for

from .permissions import can_register

SUPERVISION = NavSection("supervision", _("Supervision"), order=20)


def nav_sections(user: Any) -> list[NavSection]:
    if scope_for(user).is_empty:
        return []
    items = [
        NavItem(_("My items"), "supervision:my_items", order=10),
        NavItem(_("Supervision ledger"), "supervision:ledger", order=20),
        NavItem(_("Leader's view"), "supervision:leader", order=30),
        NavItem(_("Bulletins"), "supervision:bulletins", order=40),
    ]
    if can_register(user):
        items.insert(0, NavItem(_("Register an item"), "supervision:register", order=5))
        items.append(NavItem(_("Supervision settings"), "supervision:settings", order=90))
    return [SUPERVISION.with_items(*items)]
