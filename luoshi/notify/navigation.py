"""The notify app's entries in the left navigation (registered from NotifyConfig.ready()).

Everyone reaches their inbox from the bell in the top bar (and their settings from the inbox);
the left navigation carries only the administrators' pages.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import SYSTEM_ADMINISTRATION, NavItem, NavSection

from .permissions import can_manage_webhooks


def nav_sections(user: Any) -> list[NavSection]:
    if not can_manage_webhooks(user):
        return []
    return [
        SYSTEM_ADMINISTRATION.with_items(
            NavItem(_("Webhooks"), "notify:webhooks", order=70),
            NavItem(_("Delivery log"), "notify:deliveries", order=71),
        )
    ]
