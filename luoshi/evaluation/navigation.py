"""The evaluation's entries in the left navigation (registered from EvaluationConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from luoshi.core.cache import remember
from luoshi.core.home import Todo
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
    """ "My ballots", only while a ballot waits for the user: registered with cached=False,
    since a vote or a new campaign changes it without touching the roles. Whether one waits
    is kept in the shared cache under the "ballots" generation (every campaign or voter-list
    write and every vote bumps it; no time or ballot is stored with it)."""
    if getattr(user, "person_id", None) and _ballot_waits(user):
        return [APPRAISAL.with_items(NavItem(_("My ballots"), "evaluation:my_ballots", order=45))]
    return []


def _ballot_waits(user: Any) -> bool:
    return remember(
        f"ballot-waits:{user.person_id}",
        ("ballots",),
        lambda: my_voter_rows(user).filter(has_voted=False).exists(),
        shared_only=True,
    )


def home_todos(user: Any) -> list[Todo]:
    """ "Ballots waiting for you" on the home page: the open campaigns where the user is on the
    voter list and has not voted (one query; nothing of any vote is read)."""
    if not getattr(user, "person_id", None):
        return []
    waiting = remember(  # kept like "My ballots" (a count, nothing of any vote)
        f"ballots-waiting:{user.person_id}",
        ("ballots",),
        lambda: my_voter_rows(user).filter(has_voted=False).order_by().count(),
        shared_only=True,
    )
    url = reverse("evaluation:my_ballots")
    return [Todo("evaluation.vote", _("Ballots to cast"), waiting, url, 5)]
