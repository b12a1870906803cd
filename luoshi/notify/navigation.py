"""The notify app's entries in the left navigation (registered from NotifyConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import SYSTEM_ADMINISTRATION, NavItem, NavSection

from .permissions import can_manage_webhooks

NOTICES = NavSection("notices", _("Notices"), order=80)


def nav_sections(user: Any) -> list[NavSection]:
    if not getattr(user, "is_authenticated", False):
        return []
    sections = [
        NOTICES.with_items(
            NavItem(_("Inbox"), "notify:inbox", order=10),
            NavItem(_("Notification settings"), "notify:preferences", order=20),
        )
    ]
    if can_manage_webhooks(user):
        sections.append(
            SYSTEM_ADMINISTRATION.with_items(
                NavItem(_("Webhooks"), "notify:webhooks", order=70),
                NavItem(_("Delivery log"), "notify:deliveries", order=71),
            )
        )
    return sections
