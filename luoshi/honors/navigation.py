"""The commendation entries in the left navigation (registered from HonorsConfig.ready()):
offered only to those who have something to do there."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role

from . import rules

HONORS = NavSection("honors", _("Commendation"), order=40)


def nav_sections(user: Any) -> list[NavSection]:
    if scope_for(user).is_empty:
        return []
    items = []
    pol = rules.policy()
    vetting_roles = [
        pol.vetting_roles[b] for b in rules.vetting_bodies(pol) if b in pol.vetting_roles
    ]
    if has_role(user, Role.PERSONNEL_OFFICER, Role.UNIT_HEAD, Role.AGENCY_LEADER):
        items.append(NavItem(_("Commendation programs"), "honors:programs", order=10))
    if has_role(user, *vetting_roles):
        items.append(NavItem(_("Joint vetting"), "honors:vetting", order=20))
    if getattr(user, "person_id", None):
        items.append(NavItem(_("My honours"), "honors:mine", order=30))
    return [HONORS.with_items(*items)] if items else []
