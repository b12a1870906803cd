"""Optimistic locking for models with a `version` counter (core.models.BaseModel).

A form or API call carries the version it read; the save succeeds only if the row still has it,
so a concurrent edit is refused (Conflict, HTTP 409) instead of silently overwritten.

A write without a client version has nothing to conflict with: `check_version(obj, None)` (or
`lock_current(obj)`) re-reads the row inside the caller's transaction with a row lock
(SELECT … FOR UPDATE; SQLite's IMMEDIATE transactions serialize writers already), so the service
decides on the current state and its save cannot meet a newer version. Concurrent writes without
a version then queue instead of failing (docs/security.md, "Concurrent writes").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import router, transaction
from django.db.models import F
from django.utils import timezone

from . import cache
from .errors import Conflict


def lock_current(obj: Any) -> None:
    """Re-read `obj`'s row and lock it until the transaction ends (its fields refreshed in
    place). Outside a transaction there is nothing to hold a lock for: nothing happens."""
    using = router.db_for_write(type(obj), instance=obj)
    if obj.pk is None or not transaction.get_connection(using).in_atomic_block:
        return
    manager = type(obj)._base_manager.db_manager(using)
    obj.refresh_from_db(using=using, from_queryset=manager.select_for_update())


def check_version(obj: Any, version: int | None) -> None:
    """Refuse when the caller read another version than the object now has.

    Without a client version, the row is re-read and locked instead (see `lock_current`): the
    write goes ahead on the current state, never a spurious Conflict.
    """
    if version is None:
        lock_current(obj)
    elif obj.version != version:
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
