"""The frame of every page: the left navigation and the agency's name in the top bar.

Core knows no domain app. Each app registers, from its AppConfig.ready(), a provider: a callable
that takes the user and returns the navigation sections (with only the items that user may open).
The context processor asks every provider and merges sections that share a key, so several apps
can add items to one section (system administration, for one).

Section order (the architecture's modules, then the organization and the administrators'
pages): work plans 10, supervision 20, appraisal 30, commendations 40, statistics 50,
organization 60, system administration 90. Items within a section follow their own `order`,
then the order the apps were installed in.

The navigation and the agency's name are computed once per user and language and kept in the
cache (luoshi.core.cache) until the "org" generation changes (accounts, roles, people, units,
the leader-in-charge matrix) or the entry expires. A provider whose items also depend on the
records in the user's scope — an entry is offered only when its module has something for the
user (issue 15 finding 12: staff were offered an empty leader's view and bulletins) — names
those records' generations with `depends_on` ("tasks", "supervision"), and the cached frame is
recomputed when one of them changes; each provider decides with a fixed number of queries. A
provider whose items change more often than that (a ballot waiting for the user) registers with
`cached=False` and is asked on every request.

The agency's name works the same way: LUOSHI_AGENCY_NAME when it is set, else the first
registered name provider that has a name for the user, else the product's name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .cache import remember

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
_DYNAMIC_PROVIDERS: list[NavProvider] = []
_NAME_PROVIDERS: list[NameProvider] = []
_FRAME_GENERATIONS: list[str] = ["org"]  # what the cached frame derives from


def register(
    provider: NavProvider, *, cached: bool = True, depends_on: Iterable[str] = ()
) -> NavProvider:
    """Add a navigation provider (call from AppConfig.ready(); registering twice adds it once).

    `depends_on`: the cache generations (luoshi.core.cache) of the records the provider reads
    besides the user's roles and units; the cached frame is kept only while they are current.
    `cached=False`: the provider reads data that changes too often to keep, so it is asked on
    every request instead of being kept with the rest of the navigation.
    """
    target = _NAV_PROVIDERS if cached else _DYNAMIC_PROVIDERS
    if provider not in target:
        target.append(provider)
    for generation in depends_on:
        if generation not in _FRAME_GENERATIONS:
            _FRAME_GENERATIONS.append(generation)
    return provider


def register_agency_name(provider: NameProvider) -> NameProvider:
    """Add a provider of the top bar's name for a user (None: it has no name for them)."""
    if provider not in _NAME_PROVIDERS:
        _NAME_PROVIDERS.append(provider)
    return provider


def sections_for(user: Any, providers: Iterable[NavProvider] | None = None) -> list[NavSection]:
    """Every provider's sections for `user`, merged by key, empty ones left out, in order."""
    merged: dict[str, NavSection] = {}
    for provider in (*_NAV_PROVIDERS, *_DYNAMIC_PROVIDERS) if providers is None else providers:
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
    """The sections in the shape base.html reads: section, items (label, url, key), with the
    labels translated into the active language (plain strings, so the result can be cached)."""
    return [
        {
            "key": section.key,
            "section": str(section.label),
            "order": section.order,
            "items": [
                {
                    "label": str(item.label),
                    "url": reverse(item.url_name),
                    "key": item.current_key,
                    "order": item.order,
                }
                for item in section.items
            ],
        }
        for section in sections
    ]


def _merge(first: list[dict[str, Any]], more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`more` sections (as_context shape) merged into `first` by key, in order."""
    if not more:
        return first
    merged = {s["key"]: dict(s, items=list(s["items"])) for s in first}
    for section in more:
        known = merged.get(section["key"])
        if known is None:
            merged[section["key"]] = section
        else:
            known["items"] = sorted([*known["items"], *section["items"]], key=lambda i: i["order"])
    return sorted(merged.values(), key=lambda s: (s["order"], s["key"]))


def frame_for(user: Any) -> tuple[list[dict[str, Any]], str, str]:
    """The navigation (as_context shape), the agency's name and the user's display name for
    `user`, from the cache when nothing they derive from has changed since; the dynamic
    providers are asked every time."""

    def compute() -> tuple[list[dict[str, Any]], str, str]:
        return as_context(sections_for(user, _NAV_PROVIDERS)), agency_name(user), str(user)

    language = translation.get_language() or settings.LANGUAGE_CODE
    nav, name, label = remember(f"frame:{user.pk}:{language}", tuple(_FRAME_GENERATIONS), compute)
    dynamic = sections_for(user, _DYNAMIC_PROVIDERS) if _DYNAMIC_PROVIDERS else []
    return _merge(nav, as_context(dynamic)), name, label
