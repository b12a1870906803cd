from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import cached_property

from .selectors import unread_count


class UnreadBadge:
    """The user's unread count, counted (one query) only when a template first shows it."""

    def __init__(self, user: Any) -> None:
        self._user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self._user)

    @property
    def label(self) -> str:
        return "99+" if self.count > 99 else str(self.count)

    def __bool__(self) -> bool:
        return self.count > 0

    def __str__(self) -> str:
        return str(self.count)


def unread(request: HttpRequest) -> dict[str, Any]:
    """`notify_unread` for the top bar's bell: no query for anonymous users, at most one else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notify_unread": None}
    return {"notify_unread": UnreadBadge(user)}
