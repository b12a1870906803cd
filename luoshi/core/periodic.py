"""Time-driven work that `luoshi tick` runs: each app registers its steps from AppConfig.ready().

Every step must be idempotent and safe when two ticks run at once (cron every minute, a slow
run overlapping the next): it computes from the database and writes only what changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[dt.date], str]  # takes today's date, returns a one-line summary


_STEPS: dict[str, Step] = {}


def register(name: str, run: Callable[[dt.date], str]) -> None:
    _STEPS[name] = Step(name, run)


def steps() -> list[Step]:
    return [_STEPS[name] for name in sorted(_STEPS)]
