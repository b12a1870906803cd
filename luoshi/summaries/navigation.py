"""The summaries' entry in the left navigation: offered to the office (which runs the rounds)
and to anyone with a summary to see. One or two statements."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection
from luoshi.orgs.permissions import scope_for

from . import permissions as perms

SUMMARIES = NavSection("summaries", _("Annual summaries"), order=44)


def nav_sections(user: Any) -> list[NavSection]:
    if scope_for(user).is_empty:
        return []
    if perms.office_agencies(user).exists() or perms.summaries_visible(user).exists():
        return [SUMMARIES.with_items(NavItem(_("Annual summaries"), "summaries:rounds", order=10))]
    return []
