"""The organization's entries in the left navigation and the name in the top bar, and the
system administration entries of core's audit log and working-day calendar (whose pages live in
luoshi.orgs.views, because who may open them is decided by orgs' roles).

Registered with luoshi.core.navigation from OrgsConfig.ready().
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import SYSTEM_ADMINISTRATION, NavItem, NavSection

from . import permissions as perms
from .models import OrgUnit
from .selectors import units_visible

ORGANIZATION = NavSection("orgs", _("Organization"), order=60)

# Units whose name stands for the organization a user works in (a department or an affiliated
# unit stands under one of these).
_ORGANIZATION_KINDS = (OrgUnit.Kind.AGENCY, OrgUnit.Kind.LOCAL)


def nav_sections(user: Any) -> list[NavSection]:
    sections: list[NavSection] = []
    if perms.can_see_org(user):
        sections.append(
            ORGANIZATION.with_items(
                NavItem(_("Org tree"), "orgs:tree"),
                NavItem(_("People"), "orgs:people"),
                NavItem(_("Leaders in charge"), "orgs:leaders"),
            )
        )
    admin: list[NavItem] = []
    if perms.can_import_org_people(user):
        admin.append(NavItem(_("Import units and people"), "orgs:import", order=10))
    if perms.can_manage_org(user):
        admin.append(NavItem(_("Lists"), "orgs:lists", order=20))
    if perms.can_create_accounts(user) or perms.can_manage_security(user):
        admin.append(NavItem(_("Accounts"), "orgs:accounts", order=30))
    if perms.can_manage_org(user):  # core's calendar, kept by the system administrator
        admin.append(NavItem(_("Working-day calendar"), "core:calendar", order=40))
    if perms.can_read_audit(user):  # core's log, read by the audit administrator
        admin.append(NavItem(_("Audit log"), "core:audit", order=90))
    if admin:
        sections.append(SYSTEM_ADMINISTRATION.with_items(*admin))
    return sections


def agency_name(user: Any) -> str | None:
    """The organization of the topmost unit the user can see: that unit itself when it is an
    agency or a local federation, else the nearest one above it (a department's agency).

    None for a user who sees no unit. One query (two for a unit nested deeper), whatever the
    size of the tree.
    """
    top = (
        units_visible(user)
        .order_by("depth", "sort_order", "id")
        .values("name", "kind", "path", "parent__name", "parent__kind")
        .first()
    )
    if top is None:
        return None
    if top["kind"] in _ORGANIZATION_KINDS:
        return str(top["name"])
    if top["parent__kind"] in _ORGANIZATION_KINDS:  # the usual case: a department's agency
        return str(top["parent__name"])
    ancestor_ids = [int(part) for part in top["path"].split("/") if part][:-2]
    above = (
        OrgUnit.objects.filter(pk__in=ancestor_ids, kind__in=_ORGANIZATION_KINDS)
        .order_by("-depth")
        .values_list("name", flat=True)
        .first()
        if ancestor_ids
        else None
    )
    return str(above or top["name"])
