"""The appraisal entries in the left navigation (registered from AppraisalConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role

from . import permissions as perms
from .models import AnnualCycle, Participant, RoutineCycle, RoutineEntry

APPRAISAL = NavSection("appraisal", _("Appraisal"), order=30)


def nav_sections(user: Any) -> list[NavSection]:
    """The annual appraisals for the personnel officer (who opens them), for those who take part
    in one, and for the committee and the leaders once a cycle exists; "My appraisal" only for
    someone with a cycle or a confirmed routine appraisal of their own (three statements at
    most).
    Registered with depends_on=("appraisal",)."""
    if scope_for(user).is_empty:
        return []
    pid = perms.person_id(user) or 0
    mine = Participant.objects.filter(person_id=pid).exists()
    items: list[NavItem] = []
    follows = has_role(user, Role.COMMITTEE_MEMBER, *perms.LEADER_ROLES)
    if perms.can_open_cycle(user) or mine or (follows and AnnualCycle.objects.exists()):
        items.append(NavItem(_("Annual appraisals"), "appraisal:cycles", order=10))
    confirmed = RoutineEntry.objects.filter(
        person_id=pid, cycle__status=RoutineCycle.Status.CONFIRMED
    )
    if mine or confirmed.exists():
        items.append(NavItem(_("My appraisal"), "appraisal:mine", order=20))
    if perms.leader_scope(user).subtree_paths or has_role(user, Role.PERSONNEL_OFFICER):
        items.append(NavItem(_("Routine appraisal"), "appraisal:routine_list", order=30))
    if has_role(user, Role.PERSONNEL_OFFICER, Role.AGENCY_LEADER):
        items.append(NavItem(_("Unit performance"), "appraisal:units", order=40))
    return [APPRAISAL.with_items(*items)]
