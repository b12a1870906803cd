"""The frame of every page: the left navigation and the agency's name in the top bar.

Core knows no domain app. Each app registers, from its AppConfig.ready(), a provider: a callable
that takes the user and returns the navigation sections (with only the items that user may open).
The context processor asks every provider and merges sections that share a key, so several apps
can add items to one section (system administration, for one).

Section order (the architecture's modules, then the organization and the administrators'
pages): work plans 10, supervision 20, appraisal 30, commendations 40, statistics 50,
organization 60, system administration 90. Items within a section follow their own `order`,
then the order the apps were installed in.

The agency's name works the same way: LUOSHI_AGENCY_NAME when it is set, else the first
registered name provider that has a name for the user, else the product's name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Label = str | Promise


@dataclass(frozen=True)
class NavItem:
    label: Label
    url_name: str  # "namespace:name", reversed without arguments
    key: str = ""  # the page that lights the item up ("namespace:url_name"); url_name if empty
    order: int = 50

    @property
    def current_key(self) -> str:
        return self.key or self.url_name


@dataclass(frozen=True)
class NavSection:
    key: str
    label: Label
    order: int
    items: tuple[NavItem, ...] = ()

    def with_items(self, *items: NavItem) -> NavSection:
        return replace(self, items=tuple(items))


NavProvider = Callable[[Any], Iterable[NavSection]]
NameProvider = Callable[[Any], str | None]

# Sections that more than one app fills are declared here, so their key, label and order are one.
SYSTEM_ADMINISTRATION = NavSection("admin", _("System administration"), order=90)

_NAV_PROVIDERS: list[NavProvider] = []
_NAME_PROVIDERS: list[NameProvider] = []


def register(provider: NavProvider) -> NavProvider:
    """Add a navigation provider (call from AppConfig.ready(); registering twice adds it once)."""
    if provider not in _NAV_PROVIDERS:
        _NAV_PROVIDERS.append(provider)
    return provider


def register_agency_name(provider: NameProvider) -> NameProvider:
    """Add a provider of the top bar's name for a user (None: it has no name for them)."""
    if provider not in _NAME_PROVIDERS:
        _NAME_PROVIDERS.append(provider)
    return provider


def sections_for(user: Any) -> list[NavSection]:
    """Every provider's sections for `user`, merged by key, empty ones left out, in order."""
    merged: dict[str, NavSection] = {}
    for provider in _NAV_PROVIDERS:
        for section in provider(user):
            known = merged.get(section.key)
            merged[section.key] = (
                section if known is None else known.with_items(*known.items, *section.items)
            )
    sections = [
        s.with_items(*sorted(s.items, key=lambda item: item.order))  # stable: ties keep app order
        for s in merged.values()
        if s.items
    ]
    return sorted(sections, key=lambda s: (s.order, s.key))


def agency_name(user: Any) -> str:
    if settings.LUOSHI_AGENCY_NAME:
        return str(settings.LUOSHI_AGENCY_NAME)
    for provider in _NAME_PROVIDERS:
        name = provider(user)
        if name:
            return name
    return ""  # the top bar then shows the product's name alone


def as_context(sections: Iterable[NavSection]) -> list[dict[str, Any]]:
    """The sections in the shape base.html reads: section, items (label, url, key)."""
    return [
        {
            "key": section.key,
            "section": section.label,
            "items": [
                {"label": item.label, "url": reverse(item.url_name), "key": item.current_key}
                for item in section.items
            ],
        }
        for section in sections
    ]


# --- core's own entry ---------------------------------------------------------------------------


def core_sections(user: Any) -> list[NavSection]:
    """The audit log, for the audit administrator."""
    from .views import can_read_audit

    if not can_read_audit(user):
        return []
    return [
        SYSTEM_ADMINISTRATION.with_items(
            NavItem(_("Audit log"), "core:audit", order=90),
        )
    ]
