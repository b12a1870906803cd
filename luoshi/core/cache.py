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

With several application processes, point `LUOSHI_CACHE_URL` at Redis so that they share one
cache (and one set of generations); the default local-memory cache is per process, so exact
figures (`shared_only=True`: the dashboards) are not cached in it at all.
"""

from __future__ import annotations

import hashlib
import secrets
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
    return int(getattr(settings, "LUOSHI_CACHE_SECONDS", 300))


def bump_now(*names: str) -> None:
    """Start a new generation of each named source (outside a transaction, or after commit)."""
    for name in names:
        key = _generation_key(name)
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or evicted): any new value orphans the old entries
            cache.set(key, _fresh_generation(), timeout=None)


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
    bump_now(*names)
    if transaction.get_connection().in_atomic_block:
        marks = {(name, cache.get(_generation_key(name))) for name in names}
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


def remember(
    key: str,
    generations: Sequence[str],
    compute: Callable[[], T],
    *,
    ttl: int | None = None,
    shared_only: bool = False,
) -> T:
    """The cached value of `compute()` for `key`, valid under the current `generations`.

    One cache round trip on a hit (the entry and the generations are read together).
    `shared_only`: figures that must be exact (the dashboards) are cached only in a cache that
    every process shares (LUOSHI_CACHE_URL); with a cache per process, another process's write
    could not orphan this process's entry.
    """
    ttl = _ttl() if ttl is None else ttl
    if ttl <= 0:  # LUOSHI_CACHE_SECONDS=0: no caching (measurements of the uncached path)
        return compute()
    if shared_only and not getattr(settings, "LUOSHI_CACHE_SHARED", False):
        return compute()
    entry_key = f"{_PREFIX}{key}"
    gen_keys = [_generation_key(name) for name in generations]
    found = cache.get_many([entry_key, *gen_keys])
    current = tuple(found.get(k) for k in gen_keys)
    if None in current:
        for name, value in zip(generations, current, strict=True):
            if value is None:
                cache.add(_generation_key(name), _fresh_generation(), timeout=None)
        current = tuple(cache.get_many(gen_keys).get(k) for k in gen_keys)
    entry = found.get(entry_key)
    if entry is not None and entry[0] == current:
        return entry[1]
    value = compute()
    marks = zip(generations, current, strict=True)
    if shared_only and _uncommitted and any(mark in _uncommitted for mark in marks):
        return value  # computed inside a transaction that changed its sources: not for others
    cache.set(entry_key, (current, value), timeout=ttl)
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


def invalidate_on(generation: str, models: Iterable[type[Model]]) -> None:
    """Bump `generation` after every save or delete of these models, and on `model_changed()`
    (call from ready())."""

    def handler(sender: Any, **kwargs: Any) -> None:
        if kwargs.get("raw"):  # fixtures
            return
        bump(generation)

    for model in models:
        _WATCHED.setdefault(model, set()).add(generation)
        uid = f"luoshi-cache-{generation}-{model._meta.label}"
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid + "-save")
        post_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid + "-delete")
