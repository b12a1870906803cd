"""Time-driven work of the plans app (run by `luoshi tick`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Value
from django.db.models.functions import Concat, Substr

from .models import Task, TaskStatusCount
from .services.lights import refresh_lights


def refresh_open_lights(today: dt.date) -> str:
    """Recompute the lights of the open tasks that can change by date as of `today` (each
    write recomputes its own task); idempotent."""
    open_tasks = Task.objects.exclude(status__in=[Task.Status.COMPLETED, Task.Status.CANCELLED])
    changed = refresh_lights(open_tasks, today=today, due_only=True)
    return f"{changed} lights changed"


def move_lead_unit_paths(old_path: str, new_path: str) -> None:
    """A unit moved in the org tree: rewrite the copies of its subtree's paths on tasks and on
    the ledger's count roll-up."""
    moved = Concat(Value(new_path), Substr("lead_unit_path", len(old_path) + 1))
    Task.objects.filter(lead_unit_path__startswith=old_path).update(lead_unit_path=moved)
    TaskStatusCount.objects.filter(lead_unit_path__startswith=old_path).update(lead_unit_path=moved)
