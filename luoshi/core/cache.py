"""Derived data kept between requests in Django's cache, invalidated by generations.

What is cached here is always derived from the database and safe to recompute at any time (the
left navigation, the agency's name, the choice lists of a filter form). What decides access — a
user's data scope and roles (orgs.permissions.scope_for) — is cached only in a cache that every
process shares, where the generations below make it exact; with the per-process default it is
computed on every request.

A *generation* is a counter per kind of source data ("org": units, people, accounts, roles and
the leader-in-charge matrix). Writing such data bumps its generation once the transaction
commits, which orphans every entry computed from the older data; each entry is stored with the
generations it was computed under and is used only while they are current. Entries also expire
after `LUOSHI_CACHE_SECONDS` at the latest, which bounds staleness where a write escapes the
signals or where processes do not share one cache. Writes that bypass `save()` on a watched
model — the versioned updates of luoshi.core.versioning — call `model_changed()`, and every
generation is bumped after `migrate` (data migrations write without signals too).

Within a request the generations are read once (with the first entry) and kept as the
request's snapshot, and entries found are also kept in this process's memory (`_near`, small,
bounded): a page that asks for several entries makes one cache round trip, not one each. A
write in the request moves its own snapshot at once; other processes' writes are seen by the
next request, as if this one had started a moment earlier.

With several application processes, point `LUOSHI_CACHE_URL` at Redis so that they share one
cache (and one set of generations); the default local-memory cache is per process, so exact
figures (`shared_only=True`: the dashboards) are not cached in it at all.

What it buys, measured (docs/benchmarks.md, commit d109d6f; in-process CPU per request on the
national-scale bench database, Redis cache, interleaved runs): the ledger page at 6.0 ms
(5.6-6.4) takes 18.3 ms (18.2-18.5) and 20 statements instead of 2 with `LUOSHI_CACHE_SECONDS=0`.
Of that, this process's copies (`_near`) buy 0.7 ms (12 %: 6.8 without them) and the request's
snapshot of the generations 0.8 ms (14 %: 6.9 without it, one Redis round trip per entry);
the task page 0.6 ms of 16.1 (4 %). The uncommitted marks are for exactness, not speed.
"""

from __future__ import annotations

import hashlib
import pickle
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_PREFIX = "luoshi:"


def _generation_key(name: str) -> str:
    return f"{_PREFIX}gen:{name}"


def _ttl() -> int:
    return int(settings.LUOSHI_CACHE_SECONDS)


def bump_now(*names: str) -> dict[str, int]:
    """Start a new generation of each named source (outside a transaction, or after commit);
    returns the new values."""
    snapshot, started = _request.generations, {}
    for name in names:
        key = _generation_key(name)
        try:
            value = cache.incr(key)
        except ValueError:  # not there yet (or evicted): any new value orphans the old entries
            value = _fresh_generation()
            cache.set(key, value, timeout=None)
        started[name] = value
        if snapshot is not None:
            snapshot[name] = value  # this request's own later reads see its write
    return started


def _fresh_generation() -> int:
    # A random start: a generation that was evicted and comes back must not repeat an old number.
    return secrets.randbits(31) + 1


# Generation values this process started inside a transaction that has not committed yet: an
# exact entry (`shared_only`) computed under one of them may have read uncommitted rows, and the
# transaction may still roll back (no bump then), so such entries are computed but not stored.
_uncommitted: set[tuple[str, Any]] = set()


def bump(*names: str) -> None:
    """Bump the named generations now and again when the current transaction commits.

    Now: this transaction's own later reads see the change. At commit: an entry that another
    request computed from the old data in between is orphaned too.
    """
    started = bump_now(*names)
    if transaction.get_connection().in_atomic_block:
        marks = set(started.items())
        if len(_uncommitted) > 1000:  # marks of rolled-back transactions (no hook removes them)
            _uncommitted.clear()
        _uncommitted.update(marks)

        def committed() -> None:
            _uncommitted.difference_update(marks)
            bump_now(*names)

        transaction.on_commit(committed)


def fingerprint(*parts: Any) -> str:
    """A short stable key part for arbitrary values (sorted collections, ids, paths)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


class _RequestState(threading.local):
    generations: dict[str, Any] | None = None  # the request's snapshot; None outside requests


_request = _RequestState()


def request_started(**kwargs: Any) -> None:
    _request.generations = {}


def request_finished(**kwargs: Any) -> None:
    _request.generations = None


# Entries this process has read or computed: key → (generations, expiry, pickled value). Values are
# unpickled on every use, so no two requests share (and could change) one object.
_near: OrderedDict[str, tuple[tuple[Any, ...], float, bytes]] = OrderedDict()
_near_lock = threading.Lock()
NEAR_ENTRIES = 512


def clear_local() -> None:
    """Forget this process's copies and the request's snapshot (tests start from nothing)."""
    with _near_lock:
        _near.clear()
    _request.generations = None
    _uncommitted.clear()


def _near_get(entry_key: str, current: tuple[Any, ...]) -> tuple[bool, Any]:
    with _near_lock:
        held = _near.get(entry_key)
        if held is None or held[0] != current or held[1] < time.monotonic():
            return False, None
        _near.move_to_end(entry_key)
    return True, pickle.loads(held[2])  # noqa: S301 — bytes this process pickled itself


def _near_put(entry_key: str, current: tuple[Any, ...], ttl: int, value: Any) -> None:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    with _near_lock:
        _near[entry_key] = (current, time.monotonic() + ttl, data)
        _near.move_to_end(entry_key)
        while len(_near) > NEAR_ENTRIES:
            _near.popitem(last=False)


def _read(entry_key: str, generations: Sequence[str]) -> tuple[tuple[Any, ...], Any, bool]:
    """The current generations, the stored entry (None if absent) and whether it came from this
    process's copies: one round trip at most (none when the request's snapshot has the
    generations and this process the entry)."""
    snapshot = _request.generations
    missing = [n for n in generations if snapshot is None or n not in snapshot]
    if snapshot is not None and not snapshot:  # a request's first read: every shared generation
        missing += sorted({n for names in _WATCHED.values() for n in names} - set(missing))
    if snapshot is not None and not missing:
        current = tuple(snapshot[n] for n in generations)
        hit, value = _near_get(entry_key, current)
        if hit:
            return current, (current, value), True
        return current, cache.get(entry_key), False
    gen_keys = [_generation_key(name) for name in missing]
    found = cache.get_many([entry_key, *gen_keys])
    values = {name: found.get(k) for name, k in zip(missing, gen_keys, strict=True)}
    if None in (values[n] for n in generations if n in values):
        for name, value in values.items():
            if value is None:
                cache.add(_generation_key(name), _fresh_generation(), timeout=None)
        again = cache.get_many(gen_keys)
        values = {name: again.get(k) for name, k in zip(missing, gen_keys, strict=True)}
    if snapshot is not None:
        snapshot.update((n, v) for n, v in values.items() if v is not None)  # absent: read again
        current = tuple(values[n] if n in values else snapshot[n] for n in generations)
    else:
        current = tuple(values[n] for n in generations)
    return current, found.get(entry_key), False


def remember(
    key: str,
    generations: Sequence[str],
    compute: Callable[[], T],
    *,
    ttl: int | None = None,
    shared_only: bool = False,
    keep_none: bool = True,
) -> T:
    """The cached value of `compute()` for `key`, valid under the current `generations`.

    One cache round trip on a hit (the entry and the generations are read together), none when
    the request has read the generations already and this process holds the entry.
    `shared_only`: figures that must be exact (the dashboards) are cached only in a cache that
    every process shares (LUOSHI_CACHE_URL); with a cache per process, another process's write
    could not orphan this process's entry.
    `keep_none=False`: a None result is not stored (look-ups keyed by what a client sends, such
    as a token, so that junk values do not fill the cache).
    """
    ttl = _ttl() if ttl is None else ttl
    if ttl <= 0:  # LUOSHI_CACHE_SECONDS=0: no caching (measurements of the uncached path)
        return compute()
    if shared_only and not settings.LUOSHI_CACHE_SHARED:
        return compute()
    entry_key = f"{_PREFIX}{key}"
    current, entry, near = _read(entry_key, generations)
    if entry is not None and entry[0] == current:
        if _request.generations is not None and not near:
            _near_put(entry_key, current, ttl, entry[1])
        return entry[1]
    value = compute()
    if value is None and not keep_none:
        return value
    marks = zip(generations, current, strict=True)
    if shared_only and _uncommitted and any(mark in _uncommitted for mark in marks):
        return value  # computed inside a transaction that changed its sources: not for others
    cache.set(entry_key, (current, value), timeout=ttl)
    if _request.generations is not None:
        _near_put(entry_key, current, ttl, value)
    return value


_WATCHED: dict[type[Model], set[str]] = {}  # model → the generations derived from it


def model_changed(model: type[Model]) -> None:
    """Bump the generations derived from `model` (for writes that bypass save(): `.update()`)."""
    names = _WATCHED.get(model)
    if names:
        bump(*sorted(names))


def bump_all(**kwargs: Any) -> None:
    """Bump every watched generation (after `migrate`: its data migrations send no signals)."""
    bump_now(*sorted({name for names in _WATCHED.values() for name in names}))


_BOOKKEEPING: dict[type[Model], frozenset[str]] = {}  # model → fields nothing derives from


def ignore_updates_of(model: type[Model], fields: Iterable[str]) -> None:
    """Saves of `model` that write only these fields (`update_fields`) bump nothing: bookkeeping
    such as an account's last log-in, which no cached entry derives from (call from ready())."""
    _BOOKKEEPING[model] = frozenset(fields)


def invalidate_on(generation: str, models: Iterable[type[Model]]) -> None:
    """Bump `generation` after every save or delete of these models, and on `model_changed()`
    (call from ready())."""

    def handler(sender: Any, **kwargs: Any) -> None:
        if kwargs.get("raw"):  # fixtures
            return
        written = kwargs.get("update_fields")
        if written and sender in _BOOKKEEPING and set(written) <= _BOOKKEEPING[sender]:
            return
        bump(generation)

    for model in models:
        _WATCHED.setdefault(model, set()).add(generation)
        uid = f"luoshi-cache-{generation}-{model._meta.label}"
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid + "-save")
        post_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid + "-delete")
