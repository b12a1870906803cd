"""The news desk's list as a tag: a page of rows (dicts of views.DESK_COLUMNS) built in Python,
the items' addresses from one reverse() per table, every text escaped."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from luoshi.news.models import NewsItem

register = template.Library()

_MARK = 987654321


@register.simple_tag
def desk_rows(rows: Iterable[dict[str, Any]]) -> SafeString:
    """The <tr>s of a page of the desk's list: linked title, department, status, last update."""
    prefix, suffix = reverse("news:item", args=[_MARK]).split(str(_MARK))
    statuses = {v: escape(str(label)) for v, label in NewsItem.Status.choices}
    label = {
        "title": escape(_("Title")),
        "unit": escape(_("Department")),
        "status": escape(_("Status")),
        "updated": escape(_("Updated")),
    }
    parts = []
    for item in rows:
        updated = item["updated_at"]
        parts.append(
            f'<tr><td data-label="{label["title"]}"><a href="{prefix}{int(item["id"])}{suffix}">'
            f"{escape(item['title'])}</a></td>"
            f'<td data-label="{label["unit"]}">{escape(item["unit__name"] or "")}</td>'
            f'<td data-label="{label["status"]}">'
            f"{statuses.get(item['status'], escape(item['status']))}</td>"
            f'<td data-label="{label["updated"]}">'
            f"{timezone.localtime(updated).strftime('%Y-%m-%d %H:%M') if updated else ''}</td></tr>"
        )
    if not parts:
        empty = escape(_("No news items."))
        return mark_safe(f'<tr><td colspan="4" class="text-secondary">{empty}</td></tr>')  # noqa: S308
    return mark_safe("\n".join(parts))  # noqa: S308 — every text above is escaped
