"""Further demo steps that `luoshi demo` runs after the demo agency exists.

Each app registers a step from AppConfig.ready(); a step is idempotent (it checks whether its
data is already there) and returns a one-line summary for the console.
"""

from __future__ import annotations

from collections.abc import Callable

_STEPS: dict[str, tuple[int, Callable[[], str]]] = {}


def register(name: str, run: Callable[[], str], *, order: int = 50) -> None:
    _STEPS[name] = (order, run)


def steps() -> list[tuple[str, Callable[[], str]]]:
    return [(name, run) for name, (_order, run) in sorted(_STEPS.items(), key=lambda i: i[1][0])]
