"""Links from a page of one app to pages of apps above it (core imports none of the apps).

A page that wants such links names a slot ("appraisal.consequences") and renders
`{% related_links "appraisal.consequences" obj %}` (template tag library `related_links`). An app
above registers, from its AppConfig.ready(), `provider(user, obj) -> list[RelatedLink]` for that
slot; each provider offers only what the user may open, in a fixed number of queries. A page
below thus links to an app above it without importing it (issue 16: appraisal's consequences
link to the merit candidates that honors computes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class RelatedLink:
    label: str | Promise
    url: str
    note: str | Promise = ""  # a line under the link (e.g. how many wait)
    key: str = ""  # names the link for tests and styles


Provider = Callable[[Any, Any], "list[RelatedLink]"]

_PROVIDERS: dict[str, dict[str, Provider]] = {}


def register(slot: str, name: str, provider: Provider) -> None:
    """Add (or replace) the provider `name` of the links shown in `slot`."""
    _PROVIDERS.setdefault(slot, {})[name] = provider


def links_for(slot: str, user: Any, obj: Any = None) -> list[RelatedLink]:
    """Every provider's links for this slot, user and record, in the order of registration."""
    out: list[RelatedLink] = []
    for provider in _PROVIDERS.get(slot, {}).values():
        out.extend(provider(user, obj))
    return out
