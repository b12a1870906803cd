"""The commendation entries in the left navigation (registered from HonorsConfig.ready() with
depends_on=("honors",)): offered only to those who have something to do there — the personnel
officer (who runs the programs), the vetting roles while a program takes nominations or is
vetted, the agency's people once a program of theirs is open, and "My honours" to someone with
an honour. Three statements at most."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection
from luoshi.core.related import RelatedLink
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role

from . import permissions as perms
from . import rules, services
from .models import Honour, Program

HONORS = NavSection("honors", _("Commendation"), order=40)


def nav_sections(user: Any) -> list[NavSection]:
    if scope_for(user).is_empty:
        return []
    items = []
    pol = rules.policy()
    vetting_roles = [
        pol.vetting_roles[b] for b in rules.vetting_bodies(pol) if b in pol.vetting_roles
    ]
    if has_role(user, Role.PERSONNEL_OFFICER) or perms.programs_visible(user).exists():
        items.append(NavItem(_("Commendation programs"), "honors:programs", order=10))
    if has_role(user, *vetting_roles) and (
        perms.programs_visible(user)
        .filter(status__in=(Program.Status.NOMINATION, Program.Status.VETTING))
        .exists()
    ):
        items.append(NavItem(_("Joint vetting"), "honors:vetting", order=20))
    pid = getattr(user, "person_id", None)
    if pid and Honour.objects.filter(person_id=pid).exists():
        items.append(NavItem(_("My honours"), "honors:mine", order=30))
    return [HONORS.with_items(*items)] if items else []


def consequences_links(user: Any, cycle: Any) -> list[RelatedLink]:
    """On appraisal's consequences page (core.related slot "appraisal.consequences"): the merit
    candidates after three consecutive years Excellent, which honors computes, for the officer
    who confirms them (a fixed number of queries)."""
    if cycle is None or not perms.is_officer(user, cycle.agency):
        return []
    waiting = sum(
        1 for c in services.merit_candidates(cycle.agency, cycle.year) if not c["confirmed"]
    )
    url = f"{reverse('honors:merit')}?agency={cycle.agency_id}&year={cycle.year}"
    return [
        RelatedLink(
            _("Merit candidates (three consecutive years Excellent)"),
            url,
            note=_g("%(n)d to confirm") % {"n": waiting},
            key="honors-merit",
        )
    ]
