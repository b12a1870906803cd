from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import navigation


def site(request: HttpRequest) -> dict[str, Any]:
    """The agency's name, the user's display name and the navigation their roles open (see
    core.navigation)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"agency_name": None, "nav": [], "user_label": ""}
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match and match.namespace else ""
    nav, name, label = navigation.frame_for(user)
    return {"agency_name": name, "nav": nav, "nav_current": current, "user_label": label}
