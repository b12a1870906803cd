"""The plans' big tables as tags: the dashboards' count tables (a national board has a few hundred
rows of eight numbers), the overdue list and the ledger's rows. The template engine renders a
cell at ~20 µs; these build the same rows in Python (escaped with format_html).

What they buy, measured (docs/benchmarks.md, commit d109d6f; in-process CPU per request on the
national-scale bench database, interleaved runs, against the same rows through the template
engine): `ledger_rows` 1.2 ms of the ledger page's 6.0 ms (20 %); `count_rows` and
`overdue_rows` 1.9 ms of a province's dashboard (7.1 ms, 27 %) and 2.7 ms of the national one
(8.9 ms, 30 %)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from luoshi.plans.models import Task
from luoshi.plans.rules import stored_reason_text

register = template.Library()


def _labels(choices: Any) -> dict[str, str]:
    """A choices enum's labels in the active language, looked up once per table."""
    return {value: str(label) for value, label in choices.choices}


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


def task_urls() -> Callable[[int], str]:
    """Task pages' addresses from one reverse() per table instead of one per row."""
    prefix, suffix = reverse("plans:task", args=[_MARK]).split(str(_MARK))
    return lambda pk: f"{prefix}{pk}{suffix}"


_MARK = 987654321


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


@register.simple_tag
def overdue_rows(tasks: Iterable[Any]) -> SafeString:
    """The overdue list's <tr>s: code, linked title, lead unit, leader, deadline, progress, light
    with its reason."""
    lights = _labels(Task.Light)
    parts, task_url = [], task_urls()
    for task in tasks:
        leader = task.leader_in_charge.name if task.leader_in_charge_id else "—"
        deadline = task.deadline.strftime("%Y-%m-%d") if task.deadline else "—"
        parts.append(
            format_html(
                '<tr><td class="text-nowrap small">{}</td><td><a href="{}">{}</a></td>'
                '<td class="text-nowrap">{}</td><td class="text-nowrap">{}</td>'
                '<td class="text-nowrap">{}</td><td class="text-nowrap">{}%</td>'
                '<td><span class="ls-light ls-light-{}">{}</span>'
                '<div class="small text-secondary">{}</div></td></tr>',
                task.code,
                task_url(task.pk),
                task.title,
                task.lead_unit.name,
                leader,
                deadline,
                task.progress,
                task.light,
                lights.get(task.light, task.light),
                task.light_reason,
            )
        )
    if not parts:
        empty = '<tr><td colspan="7" class="text-secondary">{}</td></tr>'
        return format_html(empty, _("No task is overdue."))
    return mark_safe("\n".join(parts))  # noqa: S308 — every row comes from format_html


# The cells' classes and data-label attributes lay a row out as a card on a phone (luoshi.css,
# .ls-table-cards): the code and the light on the first line, the title across the card, the other
# cells labelled. The labels ({unit} …) are filled in once per table, the rows' values per row.
_LEDGER_ROW_LAYOUT = (
    '<tr><td class="text-nowrap small">{{}}</td>'
    '<td class="ls-cell-title"><a href="{{}}">{{}}</a>{{}}</td>'
    '<td class="text-nowrap" data-label="{unit}">{{}}</td>'
    '<td class="text-nowrap" data-label="{leader}">{{}}</td>'
    '<td class="text-nowrap" data-label="{deadline}">{{}}</td>'
    '<td class="text-nowrap" data-label="{progress}">{{}}%</td>'
    '<td class="text-nowrap" data-label="{status}">{{}}</td>'
    '<td class="text-nowrap ls-cell-end"><span class="ls-light ls-light-{{}}"{{}}>{{}}</span></td>'
    "</tr>"
)


def _ledger_row() -> str:
    """The ledger's row format with its cells' labels in the active language (escaped)."""
    labels = {
        "unit": _("Lead unit"),
        "leader": _("Leader in charge"),
        "deadline": _("Deadline"),
        "progress": _("Progress"),
        "status": _("Status"),
    }
    safe = {k: escape(str(v)).replace("{", "{{").replace("}", "}}") for k, v in labels.items()}
    return _LEDGER_ROW_LAYOUT.format(**safe)


@register.simple_tag
def ledger_rows(tasks: Iterable[dict[str, Any]]) -> SafeString:
    """The task ledger's <tr>s (20 a page, dicts of views.ledger.LEDGER_COLUMNS): code, linked
    title with the key-task badge, lead unit, leader in charge, deadline, progress, status,
    light with its reason as a tooltip.

    Built with str.format and html.escape (what format_html does, without its per-argument
    checks): every text is escaped; numbers, dates and our own markup are not text."""
    key = format_html(' <span class="badge text-bg-warning">{}</span>', _("Key"))
    statuses = {k: escape(v) for k, v in _labels(Task.Status).items()}  # get_FOO_display is slow
    lights = {k: escape(v) for k, v in _labels(Task.Light).items()}
    parts, task_url, row = [], task_urls(), _ledger_row()
    for task in tasks:
        leader = task["leader_in_charge__name"]
        deadline = task["deadline"]
        reason = stored_reason_text(task["light_code"])
        status, light = task["status"], task["light"]
        parts.append(
            row.format(
                escape(task["code"]),
                task_url(int(task["id"])),
                escape(task["title"]),
                key if task["is_key"] else "",
                escape(task["lead_unit__name"]),
                escape(leader) if leader is not None else "—",
                deadline.strftime("%Y-%m-%d") if deadline else "—",
                int(task["progress"]),
                statuses.get(status) or escape(status),
                escape(light),
                f' title="{escape(reason)}"' if reason else "",
                lights.get(light) or escape(light),
            )
        )
    if not parts:
        empty = '<tr><td colspan="8" class="text-secondary">{}</td></tr>'
        return format_html(empty, _("No task matches these filters."))
    return mark_safe("\n".join(parts))  # noqa: S308 — every text above is escaped


@register.simple_tag
def sort_th(sort_links: dict[str, dict[str, str]], column: str, label: Any) -> SafeString:
    """A sortable column's header: a link that sorts by it (again: the other way), with
    aria-sort and an arrow on the current one (the links come from views.ledger._sort_links)."""
    link = sort_links[column]
    state = link["state"]
    aria = {"asc": ' aria-sort="ascending"', "desc": ' aria-sort="descending"'}.get(state, "")
    arrow = {"asc": " ▲", "desc": " ▼"}.get(state, "")
    return format_html(
        '<th{}><a class="ls-sort link-body-emphasis text-decoration-none" href="?{}" hx-get="?{}"'
        ' hx-target="#ledger-results" hx-push-url="true" title="{}">{}{}</a></th>',
        mark_safe(aria),  # noqa: S308 — a constant
        link["query"],
        link["query"],
        _("Sort by this column"),
        label,
        arrow,
    )
