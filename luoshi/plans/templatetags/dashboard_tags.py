"""The dashboards' count tables as tags: a national board has a few hundred rows of eight
numbers, which the template engine renders at ~20 µs a cell; these build the same rows in Python
(escaped with format_html)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

_CELLS = '<td class="text-end">{}</td>' * 7


def _cells(counts: Any) -> SafeString:
    percent = counts.completion_percent
    return format_html(
        _CELLS,
        counts.total,
        counts.completed,
        "—" if percent is None else f"{percent}%",
        counts.red,
        counts.yellow,
        counts.green,
        counts.grey,
    )


@register.simple_tag
def count_rows(rows: Iterable[Any], colspan: int = 8) -> SafeString:
    """<tr>s of (row, url) pairs or rows: the label (a link when there is a url) and the counts."""
    parts = []
    for item in rows:
        row, url = item if isinstance(item, tuple) else (item, "")
        label = format_html('<a href="{}">{}</a>', url, row.label) if url else row.label
        parts.append((label, _cells(row.counts)))
    if not parts:
        return format_html(
            '<tr><td colspan="{}" class="text-secondary">{}</td></tr>',
            colspan,
            _("No tasks to show."),
        )
    return format_html_join("\n", "<tr><td>{}</td>{}</tr>", parts)
