from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """`notify_unread`: the user's unread notices for the top bar's bell.

    Lazy: the one COUNT query runs only when a template shows it, never for anonymous users.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notify_unread": 0}
    return {"notify_unread": SimpleLazyObject(lambda: unread_count(user))}
