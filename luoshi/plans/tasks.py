"""Time-driven work of the plans app (run by `luoshi tick`)."""

from __future__ import annotations

import datetime as dt

from .models import Task
from .services import refresh_lights


def refresh_open_lights(today: dt.date) -> str:
    """Recompute the lights of every open task as of `today`; idempotent."""
    open_tasks = Task.objects.exclude(status__in=[Task.Status.COMPLETED, Task.Status.CANCELLED])
    changed = refresh_lights(open_tasks, today=today)
    return f"{changed} lights changed"
