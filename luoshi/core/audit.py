"""The audit log: every write records who did what, to which object, before → after.

Entries form a hash chain: each entry's hash covers its own content and the previous entry's
hash. Appends are serialised (an advisory lock on PostgreSQL; SQLite's immediate transactions
already serialise writers), so the chain is a line, in id order.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .context import client_ip
from .models import AuditEntry

GENESIS_HASH = "0" * 64
_LOCK_KEY = 0x4C756F736869  # "Luoshi": the advisory-lock key for appending to the chain


def _plain(value: Any) -> Any:
    """A JSON-safe, stable form of a field value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, ready for before/after."""
    skip = {"created_at", "updated_at", "password", "search_text", "path", "token_hash"}
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        name = field.attname
        if fields is not None and field.name not in fields and name not in fields:
            continue
        if field.name in skip:
            continue
        data[field.name] = _plain(getattr(obj, name))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose values changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _canonical(entry: AuditEntry) -> bytes:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = [
        at,
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        _plain(entry.before),
        _plain(entry.after),
        entry.client_ip,
        entry.prev_hash,
    ]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        _lock_chain()
        prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry(
            at=timezone.now(),
            actor=actor_obj,
            actor_name=(actor_obj.get_username() if actor_obj else "")[:150],
            action=action,
            object_type=object_type,
            object_id=str(object_id or ""),
            object_repr=str(object_repr)[:255],
            before=_plain(before) if before is not None else None,
            after=_plain(after) if after is not None else None,
            client_ip=client_ip.get(),
            prev_hash=prev or GENESIS_HASH,
        )
        entry.hash = compute_hash(entry)
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class Entry:
    """One entry for `record_many`: the arguments of `record` but the actor."""

    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: Any = ""
    object_repr: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def record_many(entries: Iterable[Entry], *, actor: Any = None, batch: int = 1000) -> int:
    """Append many entries in the caller's transaction, in one pass: the chain is locked and
    its head read once, each entry's hash computed in sequence from the one before (by
    `compute_hash`, as `record` does), and the entries inserted `batch` at a time. The chain it
    leaves is the one `record` called once per entry would leave (`verify_chain` holds).
    Returns the number of entries appended."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = (actor_obj.get_username() if actor_obj else "")[:150]
    ip = client_ip.get()
    count = 0
    with transaction.atomic():
        _lock_chain()
        prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        prev = prev or GENESIS_HASH
        pending: list[AuditEntry] = []
        for item in entries:
            object_type, object_id, object_repr = item.object_type, item.object_id, item.object_repr
            if item.obj is not None:
                object_type = object_type or item.obj._meta.label_lower
                object_id = object_id or item.obj.pk
                object_repr = object_repr or str(item.obj)
            entry = AuditEntry(
                at=timezone.now(),
                actor=actor_obj,
                actor_name=actor_name,
                action=item.action,
                object_type=object_type,
                object_id=str(object_id or ""),
                object_repr=str(object_repr)[:255],
                before=_plain(item.before) if item.before is not None else None,
                after=_plain(item.after) if item.after is not None else None,
                client_ip=ip,
                prev_hash=prev,
            )
            entry.hash = prev = compute_hash(entry)
            pending.append(entry)
            if len(pending) >= batch:
                AuditEntry.objects.bulk_create(pending)
                count += len(pending)
                pending = []
        if pending:
            AuditEntry.objects.bulk_create(pending)
            count += len(pending)
    return count


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain.

    `first_broken_id` is the first entry that does not hold, `reason` says why: "hash" (its
    content no longer matches its hash: it was changed after it was written) or "link" (its
    `prev_hash` is not the hash of the entry before it: an entry was removed, inserted or the
    order changed). `previous_id` is the last entry that still held, if any.
    """

    checked: int
    first_broken_id: int | None
    reason: str = ""
    previous_id: int | None = None
    last_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.checked} entries"
        where = f"entry #{self.first_broken_id}"
        before = f"entry #{self.previous_id}" if self.previous_id is not None else "the start"
        if self.reason == "hash":
            why = "its content does not match its hash (it was changed after it was written)"
        else:
            why = (
                f"its prev_hash does not match the hash of {before} "
                "(an entry was removed, inserted or reordered)"
            )
        return f"BROKEN at {where}: {why} (entries verified before it: {self.checked})"


def iter_batches(
    qs: models.QuerySet[AuditEntry], *, newest_first: bool = False, batch: int = 1000
) -> Iterator[list[AuditEntry]]:
    """The rows of `qs` in id order (oldest first, or newest first), one list per batch.

    Keyset pagination on the primary key: one query per batch and constant memory whatever the
    size of the log (no OFFSET, no server-side cursor, so it behaves the same on SQLite and
    PostgreSQL, inside a transaction or not).
    """
    qs = qs.order_by("-id" if newest_first else "id")
    last: int | None = None
    while True:
        page = qs
        if last is not None:
            page = qs.filter(id__lt=last) if newest_first else qs.filter(id__gt=last)
        rows = list(page[:batch])
        if rows:
            yield rows
        if len(rows) < batch:
            return
        last = rows[-1].id


def verify_chain(batch_size: int = 1000) -> ChainReport:
    """Walk the whole chain in id order; report the first entry whose hash or link does not hold.

    Streams the log in keyset batches: constant memory and one query per `batch_size` entries.
    """
    prev = GENESIS_HASH
    previous_id: int | None = None
    checked = 0
    for rows in iter_batches(AuditEntry.objects.all(), batch=batch_size):
        for entry in rows:
            if entry.prev_hash != prev:
                return ChainReport(checked, entry.id, "link", previous_id, prev)
            if compute_hash(entry) != entry.hash:
                return ChainReport(checked, entry.id, "hash", previous_id, prev)
            prev = entry.hash
            previous_id = entry.id
            checked += 1
    return ChainReport(checked, None, "", previous_id, prev)


# --- labels for action codes, registered by each app so the log reads in the user's language --

_ACTION_LABELS: dict[str, Any] = {}


def register_action_labels(labels: dict[str, Any]) -> None:
    """Apps call this from AppConfig.ready() with lazily translated labels for their codes."""
    _ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    label = _ACTION_LABELS.get(code)
    return str(label) if label is not None else code
