"""The supervision entries in the left navigation (registered from SupervisionConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection
from luoshi.orgs.permissions import scope_for

from .permissions import (
    bulletins_visible,
    can_manage_bulletins,
    can_register,
    items_visible,
    uses_leader_view,
)

SUPERVISION = NavSection("supervision", _("Supervision"), order=20)


def nav_sections(user: Any) -> list[NavSection]:
    """The entries the user may open and that have something for them: the items' pages only
    when an item is in their scope, the leader's view for those it is made for (permissions.
    uses_leader_view), the bulletins when one is published for them (or for the office, who
    compiles them). Two statements at most; registered with depends_on=("supervision",)."""
    if scope_for(user).is_empty:
        return []
    office = can_register(user)
    has_items = items_visible(user).select_related(None).order_by().exists()
    items: list[NavItem] = []
    if office:
        items.append(NavItem(_("Register an item"), "supervision:register", order=5))
    if has_items:
        items.append(NavItem(_("My items"), "supervision:my_items", order=10))
        items.append(NavItem(_("Supervision ledger"), "supervision:ledger", order=20))
        if uses_leader_view(user):
            items.append(NavItem(_("Leader's view"), "supervision:leader", order=30))
    if can_manage_bulletins(user) or bulletins_visible(user).order_by().exists():
        items.append(NavItem(_("Bulletins"), "supervision:bulletins", order=40))
    if office:
        items.append(NavItem(_("Supervision settings"), "supervision:settings", order=90))
    return [SUPERVISION.with_items(*items)]
