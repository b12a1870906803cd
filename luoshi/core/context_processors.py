from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import navigation


def site(request: HttpRequest) -> dict[str, Any]:
    """The agency's name and the navigation the user's roles open (see core.navigation)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"agency_name": None, "nav": []}
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match and match.namespace else ""
    return {
        "agency_name": navigation.agency_name(user),
        "nav": navigation.as_context(navigation.sections_for(user)),
        "nav_current": current,
    }
