"""Hooks for apps above orgs that keep copies of org-tree data (dependencies point one way, so
orgs cannot call them by name). Each hook runs inside the transaction of the change."""

from __future__ import annotations

from collections.abc import Callable

SubtreeMoved = Callable[[str, str], None]  # (old path prefix, new path prefix)

_SUBTREE_MOVED: dict[str, SubtreeMoved] = {}


def on_subtree_moved(name: str, hook: SubtreeMoved) -> None:
    """Register `hook(old_path, new_path)`, called after a unit and its subtree moved."""
    _SUBTREE_MOVED[name] = hook


def subtree_moved(old_path: str, new_path: str) -> None:
    for name in sorted(_SUBTREE_MOVED):
        _SUBTREE_MOVED[name](old_path, new_path)
