"""Panels that apps above plans add to the task page (plans imports none of them).

An app registers `provider(user, task) -> Panel | None` from its AppConfig.ready(); the task
page renders each panel's template with its context. Each provider scopes what it shows to the
viewer and runs a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


Provider = Callable[[Any, Any], "Panel | None"]

_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    _PROVIDERS[name] = provider


def panels_for(user: Any, task: Any) -> list[Panel]:
    found = (_PROVIDERS[name](user, task) for name in sorted(_PROVIDERS))
    return [panel for panel in found if panel is not None]
