"""The audit log: every write records who did what, to which object, before → after.

Entries form a keyed hash chain: each entry's hash is an HMAC-SHA256, under a key from the
environment (settings.LUOSHI_AUDIT_KEY, never in the database), of its own content and the
previous entry's hash, so that someone who can write to the database cannot recompute the
chain after changing an entry. Appends are serialised (an advisory lock on PostgreSQL; SQLite's
immediate transactions already serialise writers), so the chain is a line, in id order; the ids
are assigned here, each the last one plus one under that lock, so that they run on without gaps
(a rolled-back append gives its id back) and a missing id is a deleted entry.

Anchors (`anchor_write`, run by `luoshi tick`) copy the chain's head — id, hash, time — to an
append-only file outside the database (settings.LUOSHI_AUDIT_ANCHOR_FILE) and to the log stream
(the logger "luoshi.audit.anchor", sent to syslog/journald in production), where another party
keeps it. `verify_chain` checks the chain against the latest anchor: deleting the last entries
(truncation) or rewriting entries and rehashing them without the key (a rewrite) is reported.

Entries written before the chain was keyed (plain SHA-256, releases before issue 20) are
accepted only below the cut-over: the id of the first keyed entry, recorded in the anchor file
by the first anchor (or set as settings.LUOSHI_AUDIT_KEYED_FROM). Above it, an entry whose hash
is a plain SHA-256 is a rewrite. See docs/security.md, "Audit log".
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
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
    return _canonical_of(
        entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
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
    )


def _canonical_of(*payload: Any) -> bytes:
    """The bytes an entry's hash covers: its fields (the time as UTC ISO text, before and after
    in their plain form) as canonical JSON."""
    return json.dumps(
        list(payload), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()


def _audit_key() -> bytes:
    key = settings.LUOSHI_AUDIT_KEY
    return key.encode() if isinstance(key, str) else bytes(key)


def compute_hash(entry: AuditEntry) -> str:
    """The entry's keyed hash: HMAC-SHA256 under settings.LUOSHI_AUDIT_KEY of its content and
    the previous entry's hash."""
    return hmac.new(_audit_key(), _canonical(entry), hashlib.sha256).hexdigest()


def legacy_hash(entry: AuditEntry) -> str:
    """The unkeyed SHA-256 that entries written before the keyed chain carry."""
    return hashlib.sha256(_canonical(entry)).hexdigest()


def next_id() -> int:
    """The id of the next entry: the last one plus one (call with the chain locked)."""
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    return (last or 0) + 1


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
        head = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
        entry = AuditEntry(
            id=(head[0] if head else 0) + 1,  # gap-free: see the module docstring
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
            prev_hash=head[1] if head else GENESIS_HASH,
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


_COPY_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "client_ip",
    "prev_hash",
    "hash",
)


def _plain_entry_value(value: dict[str, Any] | None) -> Any:
    """`_plain` of a before/after value, without walking a flat dict of plain values again (a
    snapshot's usual form): a dict with text keys whose values `_plain` keeps as they are
    (None, text, whole numbers and booleans, their subclasses too: a choice's enum member)."""
    if value is None:
        return None
    if type(value) is dict and all(
        type(k) is str and (v is None or isinstance(v, str | int)) for k, v in value.items()
    ):
        return value
    return _plain(value)


# The canonical JSON of one value, as _canonical_of writes each member of its list (an encoder
# made once: json.dumps with options builds a new one per call).
_canonical_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def record_many(entries: Iterable[Entry], *, actor: Any = None, batch: int = 1000) -> int:
    """Append many entries in the caller's transaction, in one pass: the chain is locked and
    its head read once, each entry's hash computed in sequence from the one before (the same
    HMAC over the same canonical bytes as `compute_hash`, without building a model instance
    per entry), and the entries inserted `batch` at a time — on PostgreSQL by COPY, elsewhere
    by bulk_create. The entries of one call share one time (they are one transaction's). The
    chain it leaves verifies as the one `record` called once per entry would leave
    (`verify_chain` holds). The canonical bytes are put together from each member's canonical
    JSON (what json.dumps of the list writes, member by member, between "[" "," and "]"), the
    members shared by every entry encoded once; on PostgreSQL the before and after are sent as
    those same texts (jsonb keeps the value, not the text). Returns the number of entries
    appended."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    actor_id = actor_obj.pk if actor_obj else None
    actor_name = (actor_obj.get_username() if actor_obj else "")[:150]
    ip = client_ip.get()
    copy = connection.vendor == "postgresql"
    key = _audit_key()
    at = timezone.now()
    at_text = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    encode = _canonical_json
    # _canonical_of(at, actor id, actor name, action, type, id, repr, before, after, ip, prev):
    # the members before the action and around the ip are the same for every entry
    head_json = "[" + ",".join(encode(v) for v in (at_text, actor_id, actor_name)) + ","
    ip_json = "," + encode(ip) + ","
    count = 0
    with transaction.atomic():
        _lock_chain()
        head = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
        last_id, prev = head if head else (0, GENESIS_HASH)
        pending: list[tuple[Any, ...]] = []

        def flush() -> None:
            if not pending:
                return
            if not copy:
                AuditEntry.objects.bulk_create(
                    AuditEntry(
                        id=row[0],
                        at=at,
                        actor_id=actor_id,
                        actor_name=actor_name,
                        action=row[1],
                        object_type=row[2],
                        object_id=row[3],
                        object_repr=row[4],
                        before=row[5],
                        after=row[6],
                        client_ip=ip,
                        prev_hash=row[7],
                        hash=row[8],
                    )
                    for row in pending
                )
                return
            table = connection.ops.quote_name(AuditEntry._meta.db_table)
            columns = ", ".join(_COPY_COLUMNS)
            with (
                connection.wrap_database_errors,
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream,
            ):
                for pk, action, o_type, o_id, o_repr, before, after, prev_hash, hash_ in pending:
                    stream.write_row(
                        (
                            pk,
                            at,
                            actor_id,
                            actor_name,
                            action,
                            o_type,
                            o_id,
                            o_repr,
                            before,
                            after,
                            ip,
                            prev_hash,
                            hash_,
                        )
                    )

        for item in entries:
            object_type, object_id, object_repr = item.object_type, item.object_id, item.object_repr
            if item.obj is not None:
                object_type = object_type or item.obj._meta.label_lower
                object_id = object_id or item.obj.pk
                object_repr = object_repr or str(item.obj)
            last_id += 1  # gap-free, as `record` numbers them
            object_id, object_repr = str(object_id or ""), str(object_repr)[:255]
            before = _plain_entry_value(item.before)
            after = _plain_entry_value(item.after)
            before_json, after_json = encode(before), encode(after)
            canonical = "".join(
                (
                    head_json,
                    encode(item.action),
                    ",",
                    encode(object_type),
                    ",",
                    encode(object_id),
                    ",",
                    encode(object_repr),
                    ",",
                    before_json,
                    ",",
                    after_json,
                    ip_json,
                    encode(prev),
                    "]",
                )
            )
            digest = hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
            if copy:  # the stored form: text for jsonb (None stays SQL NULL)
                before = None if before is None else before_json
                after = None if after is None else after_json
            pending.append(
                (
                    last_id,
                    item.action,
                    object_type,
                    object_id,
                    object_repr,
                    before,
                    after,
                    prev,
                    digest,
                )
            )
            prev = digest
            if len(pending) >= batch:
                flush()
                count += len(pending)
                pending = []
        flush()
        count += len(pending)
    return count


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain.

    `first_broken_id` is the first entry that does not hold, `reason` says why: "hash" (its
    content no longer matches its hash: it was changed after it was written), "unkeyed" (its
    hash is a plain SHA-256 where the keyed hash is due: it was rewritten and rehashed without
    the key), "link" (its `prev_hash` is not the hash of the entry before it: an entry was
    removed, inserted or the order changed), "gap" (its id does not follow the one before:
    entries were removed and the chain relinked), "anchor" (the entry the latest anchor names
    has another hash: the log was rewritten, or truncated and written on) or "truncated" (the
    log ends before the entry the latest anchor names: its last entries were deleted).
    `previous_id` is the last entry that still held, if any; `legacy` counts the unkeyed entries
    accepted below the cut-over; `anchor_id` is the id the latest anchor names.
    """

    checked: int
    first_broken_id: int | None
    reason: str = ""
    previous_id: int | None = None
    last_hash: str = GENESIS_HASH
    legacy: int = 0
    anchor_id: int | None = None
    anchor_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason

    def describe(self) -> str:
        if self.ok:
            text = f"OK: {self.checked} entries"
            if self.legacy:
                text += f" ({self.legacy} written before the chain was keyed)"
            if self.anchor_id is not None:
                text += f"; matches the latest anchor (entry #{self.anchor_id}, {self.anchor_at})"
            else:
                text += "; no anchor yet (run `luoshi tick`): truncation cannot be checked"
            return text
        if self.reason == "truncated":
            last = f"entry #{self.previous_id}" if self.previous_id is not None else "nothing"
            return (
                f"TRUNCATED: the log ends at {last}, but the latest anchor ({self.anchor_at}) "
                f"names entry #{self.anchor_id}: its last entries were deleted "
                f"(entries verified: {self.checked})"
            )
        where = f"entry #{self.first_broken_id}"
        before = f"entry #{self.previous_id}" if self.previous_id is not None else "the start"
        why = {
            "hash": "its content does not match its hash (it was changed after it was written)",
            "unkeyed": (
                "its hash is not keyed (it was rewritten and rehashed without the audit key)"
            ),
            "link": (
                f"its prev_hash does not match the hash of {before} "
                "(an entry was removed, inserted or reordered)"
            ),
            "gap": f"its id does not follow {before} (entries were removed)",
            "anchor": (
                f"its hash differs from the latest anchor ({self.anchor_at}): the log was "
                "rewritten, or truncated and written on"
            ),
        }[self.reason]
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
    """Walk the whole chain in id order; report the first entry whose hash, link or id does not
    hold, then check the chain against the latest anchor (see ChainReport).

    Streams the log in keyset batches: constant memory and one query per `batch_size` entries.
    """
    anchor = latest_anchor()
    anchor_id = int(anchor["id"]) if anchor else None
    anchor_at = str(anchor.get("at", "")) if anchor else ""
    cut_over = keyed_from()
    prev = GENESIS_HASH
    previous_id: int | None = None
    previous_keyed = False
    seen_keyed = False
    checked = legacy = 0
    anchor_seen = False

    def broken(entry_id: int | None, reason: str) -> ChainReport:
        return ChainReport(
            checked, entry_id, reason, previous_id, prev, legacy, anchor_id, anchor_at
        )

    for rows in iter_batches(AuditEntry.objects.all(), batch=batch_size):
        for entry in rows:
            if entry.prev_hash != prev:
                return broken(entry.id, "link")
            keyed = hmac.compare_digest(compute_hash(entry), entry.hash)
            if not keyed:
                if legacy_hash(entry) != entry.hash:
                    return broken(entry.id, "hash")
                below_cut = cut_over is None or entry.id < cut_over
                if seen_keyed or not below_cut:
                    return broken(entry.id, "unkeyed")
                legacy += 1
            elif previous_keyed and previous_id is not None and entry.id != previous_id + 1:
                return broken(entry.id, "gap")
            if entry.id == anchor_id:
                anchor_seen = True
                if entry.hash != anchor["hash"]:  # type: ignore[index]
                    return broken(entry.id, "anchor")
            seen_keyed = seen_keyed or keyed
            previous_keyed = keyed
            prev = entry.hash
            previous_id = entry.id
            checked += 1
    if anchor_id is not None and not anchor_seen:
        return broken(None, "truncated")
    return ChainReport(checked, None, "", previous_id, prev, legacy, anchor_id, anchor_at)


# --- anchors outside the database -----------------------------------------------------------

anchor_log = logging.getLogger("luoshi.audit.anchor")


def anchor_path() -> Path:
    return Path(settings.LUOSHI_AUDIT_ANCHOR_FILE)


def _anchor_lines() -> Iterator[dict[str, Any]]:
    path = anchor_path()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue  # a torn last line (a crash mid-write) is not an anchor


def latest_anchor() -> dict[str, Any] | None:
    """The last anchor in the anchor file, or None (reads only the file's tail)."""
    path = anchor_path()
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 8192))
        tail = handle.read().decode("utf-8", "replace").splitlines()
    for line in reversed(tail):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "id" in data and "hash" in data:
            return data
    return None


def keyed_from() -> int | None:
    """The cut-over: the id of the first keyed entry, from settings.LUOSHI_AUDIT_KEYED_FROM or
    the anchor file's first record of it; None when neither is known yet."""
    if settings.LUOSHI_AUDIT_KEYED_FROM:
        return int(settings.LUOSHI_AUDIT_KEYED_FROM)
    for data in _anchor_lines():
        if data.get("keyed_from") is not None:
            return int(data["keyed_from"])
    return None


def _first_keyed_id(head_id: int) -> int:
    """The id of the first entry whose hash is keyed (head + 1 when there is none yet)."""
    for rows in iter_batches(AuditEntry.objects.all()):
        for entry in rows:
            if hmac.compare_digest(compute_hash(entry), entry.hash):
                return entry.id
    return head_id + 1


def anchor_write(today: dt.date | None = None) -> str:
    """The `luoshi tick` step: append the chain's head (id, hash, time) to the anchor file and
    to the log stream, when it moved since the last anchor.

    The file is opened for appending only and flushed to disk before the step reports; with
    `chattr +a` (or a file on another host, or a write-once store) even this process cannot
    change what it wrote. The first anchor also records the cut-over (`keyed_from`)."""
    head = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    if head is None:
        return "audit log empty: no anchor"
    last = latest_anchor()
    if last and int(last["id"]) == head[0] and last["hash"] == head[1]:
        return f"audit head unchanged since the last anchor (entry #{head[0]})"
    record_ = {
        "id": head[0],
        "hash": head[1],
        "at": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "keyed_from": keyed_from() or _first_keyed_id(head[0]),
    }
    line = json.dumps(record_, sort_keys=True, separators=(",", ":"))
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    anchor_log.info("audit anchor %s", line)
    return f"audit head anchored: entry #{head[0]}"


# --- labels for action codes, registered by each app so the log reads in the user's language --

_ACTION_LABELS: dict[str, Any] = {}


def register_action_labels(labels: dict[str, Any]) -> None:
    """Apps call this from AppConfig.ready() with lazily translated labels for their codes."""
    _ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    label = _ACTION_LABELS.get(code)
    return str(label) if label is not None else code
