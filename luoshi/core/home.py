"""Cards that apps add to the home page (core imports none of them).

An app registers `provider(user) -> HomeCard | None` from its AppConfig.ready(); the home page
renders each card's template with its context, in `order`. Each provider scopes what it shows to
the viewer and runs a fixed number of queries whatever the amount of data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HomeCard:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


Provider = Callable[[Any], "HomeCard | None"]

_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace) the card provider `name`."""
    _PROVIDERS[name] = provider


def cards_for(user: Any) -> list[HomeCard]:
    found = (_PROVIDERS[name](user) for name in sorted(_PROVIDERS))
    return sorted((card for card in found if card is not None), key=lambda c: c.order)
