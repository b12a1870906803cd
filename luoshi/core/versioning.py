"""Optimistic locking for models with a `version` counter (core.models.BaseModel).

A form or API call carries the version it read; the save succeeds only if the row still has it,
so a concurrent edit is refused (Conflict, HTTP 409) instead of silently overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.utils import timezone

from . import cache
from .errors import Conflict


def check_version(obj: Any, version: int | None) -> None:
    """Refuse when the caller read another version than the object now has."""
    if version is not None and obj.version != version:
        raise Conflict()


def save_versioned(obj: Any, fields: Iterable[str]) -> None:
    """Write these fields if the row still carries the version we read; bump the version."""
    values = {f: getattr(obj, f) for f in fields}
    values["updated_at"] = timezone.now()
    updated = (
        type(obj)
        .objects.filter(pk=obj.pk, version=obj.version)
        .update(version=F("version") + 1, **values)
    )
    if updated != 1:
        raise Conflict()
    obj.version += 1
    cache.model_changed(type(obj))  # no post_save signal for an update: tell the cache
