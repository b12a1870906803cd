"""The appraisal entries in the left navigation (registered from AppraisalConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role

from . import permissions as perms

APPRAISAL = NavSection("appraisal", _("Appraisal"), order=30)


def nav_sections(user: Any) -> list[NavSection]:
    if scope_for(user).is_empty:
        return []
    items = [
        NavItem(_("Annual appraisals"), "appraisal:cycles", order=10),
        NavItem(_("My appraisal"), "appraisal:mine", order=20),
    ]
    if perms.leader_scope(user).subtree_paths or has_role(user, Role.PERSONNEL_OFFICER):
        items.append(NavItem(_("Routine appraisal"), "appraisal:routine_list", order=30))
    if has_role(user, Role.PERSONNEL_OFFICER, Role.AGENCY_LEADER):
        items.append(NavItem(_("Unit performance"), "appraisal:units", order=40))
    return [APPRAISAL.with_items(*items)]
