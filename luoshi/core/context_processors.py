from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _agency_name() -> str:
    if settings.LUOSHI_AGENCY_NAME:
        return settings.LUOSHI_AGENCY_NAME
    from luoshi.orgs.models import OrgUnit

    root = (
        OrgUnit.objects.filter(parent__isnull=True, kind=OrgUnit.Kind.AGENCY).order_by("id").first()
    )
    return root.name if root else str(_("Luoshi"))


def site(request: HttpRequest) -> dict[str, Any]:
    """The agency's name and the navigation the user's roles open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"agency_name": None, "nav": []}
    from luoshi.orgs import permissions as perms

    nav: list[dict[str, Any]] = []
    org_items = []
    if perms.can_see_org(user):
        org_items.append({"label": _("Org tree"), "url": reverse("orgs:tree"), "key": "orgs:tree"})
        org_items.append(
            {"label": _("People"), "url": reverse("orgs:people"), "key": "orgs:people"}
        )
        org_items.append(
            {"label": _("Leaders in charge"), "url": reverse("orgs:leaders"), "key": "orgs:leaders"}
        )
    if org_items:
        nav.append({"section": _("Organization"), "items": org_items})
    admin_items = []
    if perms.can_import_org_people(user):
        admin_items.append(
            {
                "label": _("Import units and people"),
                "url": reverse("orgs:import"),
                "key": "orgs:import",
            }
        )
    if perms.can_manage_org(user):
        admin_items.append({"label": _("Lists"), "url": reverse("orgs:lists"), "key": "orgs:lists"})
    if perms.can_create_accounts(user) or perms.can_manage_security(user):
        admin_items.append(
            {"label": _("Accounts"), "url": reverse("orgs:accounts"), "key": "orgs:accounts"}
        )
    if perms.can_read_audit(user):
        admin_items.append(
            {"label": _("Audit log"), "url": reverse("core:audit"), "key": "core:audit"}
        )
    if admin_items:
        nav.append({"section": _("System administration"), "items": admin_items})
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match and match.namespace else ""
    return {"agency_name": _agency_name(), "nav": nav, "nav_current": current}
