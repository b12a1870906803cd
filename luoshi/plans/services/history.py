"""A task's history: the events written beside each change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from luoshi.core import audit

from ..models import (
    Task,
    TaskEvent,
)


def _event(
    task: Task,
    kind: str,
    actor: Any,
    *,
    before: Any = None,
    after: Any = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> None:
    TaskEvent.objects.create(
        task=task,
        kind=kind,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        before=audit._plain(before) if before is not None else None,
        after=audit._plain(after) if after is not None else None,
        note=note,
    )
