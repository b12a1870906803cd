"""`{% related_links "slot" obj %}`: the links other apps register for a page (core.related)."""

from __future__ import annotations

from typing import Any

from django import template

from luoshi.core.related import links_for

register = template.Library()


@register.inclusion_tag("core/includes/related_links.html", takes_context=True)
def related_links(context: Any, slot: str, obj: Any = None) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"related": links_for(slot, user, obj) if user is not None else [], "slot": slot}
