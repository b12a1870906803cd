"""The news entry in the left navigation: for those who write or review news (anyone of an
agency with a business role). One query at most (the user's unit)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.navigation import NavItem, NavSection

from . import permissions as perms

NEWS = NavSection("news", _("News"), order=46)


def nav_sections(user: Any) -> list[NavSection]:
    if not perms.may_write(user):
        return []
    return [NEWS.with_items(NavItem(_("News releases"), "news:list", order=10))]
