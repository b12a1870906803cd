"""The evaluation's entries in the left navigation (registered from EvaluationConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection

from .permissions import can_see_campaigns
from .selectors import my_voter_rows

APPRAISAL = NavSection("appraisal", _("Appraisal"), order=30)


def nav_sections(user: Any) -> list[NavSection]:
    if can_see_campaigns(user):
        return [
            APPRAISAL.with_items(
                NavItem(_("Democratic evaluation"), "evaluation:campaigns", order=40)
            )
        ]
    return []


def ballot_sections(user: Any) -> list[NavSection]:
    """ "My ballots", only while a ballot waits for the user (one indexed query): registered
    with cached=False, since a vote or a new campaign changes it without touching the roles."""
    if getattr(user, "person_id", None) and my_voter_rows(user).filter(has_voted=False).exists():
        return [APPRAISAL.with_items(NavItem(_("My ballots"), "evaluation:my_ballots", order=45))]
    return []
