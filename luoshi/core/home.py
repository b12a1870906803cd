"""What the home page shows: the cards that apps add, and what waits for the user (core imports
none of the apps).

An app registers `provider(user) -> HomeCard | None` from its AppConfig.ready(); the home page
renders each card's template with its context, in `order`. Each provider scopes what it shows to
the viewer and runs a fixed number of queries whatever the amount of data.

What waits for the user leads the page (issue 15 finding 12: a leader's home led with "units I
can see" instead of the close-outs awaiting them). An app registers `todos(user) -> list[Todo]`
with `register_todos`: one row per kind of thing the user is to do now (plans to approve, red
items in their charge, reports owed, ballots to cast), each with how many and where to do it.
A provider asks only about what the user's roles make theirs to do, in a fixed number of
queries; rows with nothing waiting are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class HomeCard:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


@dataclass(frozen=True)
class Todo:
    """One kind of thing waiting for the user: `count` of them, done at `url`. `key` names the
    row for tests and styles ("plans.approve"); `urgent` rows (red, overdue) are marked."""

    key: str
    label: str | Promise
    count: int
    url: str
    order: int = 50
    urgent: bool = False


Provider = Callable[[Any], "HomeCard | None"]
TodoProvider = Callable[[Any], "list[Todo]"]

_PROVIDERS: dict[str, Provider] = {}
_TODO_PROVIDERS: dict[str, TodoProvider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace) the card provider `name`."""
    _PROVIDERS[name] = provider


def register_todos(name: str, provider: TodoProvider) -> None:
    """Add (or replace) the provider `name` of rows of what waits for a user."""
    _TODO_PROVIDERS[name] = provider


def cards_for(user: Any) -> list[HomeCard]:
    found = (_PROVIDERS[name](user) for name in sorted(_PROVIDERS))
    return sorted((card for card in found if card is not None), key=lambda c: c.order)


def todos_for(user: Any) -> list[Todo]:
    """Every provider's rows for `user` with something waiting, urgent first, then in order."""
    rows = [row for name in sorted(_TODO_PROVIDERS) for row in _TODO_PROVIDERS[name](user)]
    return sorted((r for r in rows if r.count > 0), key=lambda r: (not r.urgent, r.order, r.key))
