"""The meeting entries of the left navigation (registered from MeetingsConfig.ready() with
depends_on=("meetings",)): the office's meetings to those who run or oversee them, and "My
meetings" to anyone invited to one. Two statements at most."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role

from .models import Meeting, Participant

MEETINGS = NavSection("meetings", _("Meetings"), order=45)


def nav_sections(user: Any) -> list[NavSection]:
    if scope_for(user).is_empty:
        return []
    items = []
    if has_role(user, Role.SUPERVISOR, Role.AGENCY_LEADER):
        items.append(NavItem(_("Work meetings"), "meetings:list", order=10))
    pid = getattr(user, "person_id", None)
    if (
        pid
        and Participant.objects.filter(person_id=pid)
        .exclude(meeting__state=Meeting.State.PLANNING)
        .exists()
    ):
        items.append(NavItem(_("My meetings"), "meetings:mine", order=20))
    return [MEETINGS.with_items(*items)] if items else []
