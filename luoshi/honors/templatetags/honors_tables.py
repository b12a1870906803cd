"""The program page's nominations as a tag: a page of rows built in Python (the template engine
renders a cell at ~20 µs, and a {% url %} per row costs a reverse()), every text escaped."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from luoshi.honors import rules
from luoshi.honors.models import Nomination

register = template.Library()

_MARK = 987654321


@register.simple_tag
def nomination_rows(
    rows: Iterable[Nomination], officer: bool, filtered: bool = False
) -> SafeString:
    """The <tr>s of a page of nominations: award kind, the nominee linked to the nomination,
    unit, status and, for the officer, the vetting outcome (`outcome` set by the view)."""
    prefix, suffix = reverse("honors:nomination", args=[_MARK]).split(str(_MARK))
    kinds = {code: escape(str(label)) for code, label in rules.KIND_CHOICES}
    statuses = {v: escape(str(label)) for v, label in Nomination.Status.choices}
    outcome = {
        "pass": escape(_("Passed")),
        "fail": escape(pgettext("vetting", "Failed")),
        "": "—",
    }
    waiting = escape(_("Waiting"))
    label = {
        "kind": escape(_("Award kind")),
        "nominee": escape(_("Nominee")),
        "unit": escape(_("Unit")),
        "status": escape(_("Status")),
        "vetting": escape(_("Vetting")),
    }
    parts = []
    for n in rows:
        unit = escape(n.unit.name)
        nominee = escape(n.person.name) if n.person_id and n.person else unit
        row = (
            f'<tr><td data-label="{label["kind"]}">{kinds.get(n.kind, escape(n.kind))}</td>'
            f'<td data-label="{label["nominee"]}">'
            f'<a href="{prefix}{n.pk}{suffix}">{nominee}</a></td>'
            f'<td data-label="{label["unit"]}">{unit}</td>'
            f'<td data-label="{label["status"]}">{statuses.get(n.status, escape(n.status))}</td>'
        )
        if officer:
            found = getattr(n, "outcome", "")
            row += f'<td data-label="{label["vetting"]}">{outcome.get(found, waiting)}</td>'
        parts.append(row + "</tr>")
    if not parts:
        empty = _("No nomination matches these filters.") if filtered else _("No nominations yet.")
        return mark_safe(f'<tr><td colspan="5" class="text-secondary">{escape(empty)}</td></tr>')  # noqa: S308
    return mark_safe("\n".join(parts))  # noqa: S308 — every text above is escaped


@register.simple_tag(takes_context=True)
def allocation_rows(
    context: Any, allocations: Iterable[dict[str, Any]], changeable: bool
) -> SafeString:
    """The <tr>s of a quota's table by unit (from views._quota_rows): unit, headcount, places
    (with a commended unit's cap and the reason of a change), places taken and, while the
    officer may still change them, the small form that does."""
    label = {
        "unit": escape(_("Unit")),
        "headcount": escape(_("Headcount")),
        "places": escape(_("Places")),
        "taken": escape(_("Taken")),
        "change": escape(_("Change")),
    }
    commended_title = escape(_("The unit is itself commended this year"))
    form = ""
    if changeable:
        token = escape(get_token(context["request"]))
        reason = escape(_("Reason for the change"))
        form = (
            f'<td data-label="{label["change"]}">'
            '<form method="post" class="d-flex gap-1 flex-wrap">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            '<input type="hidden" name="action" value="allocation">'
            '<input type="hidden" name="allocation" value="{pk}">'
            '<input class="form-control form-control-sm ls-places-input" type="number" min="0"'
            f' name="places" value="{{places}}" aria-label="{label["places"]}">'
            '<input class="form-control form-control-sm ls-reason-input" name="reason"'
            f' maxlength="300" placeholder="{reason}" aria-label="{reason}" required>'
            f'<button class="btn btn-sm btn-outline-secondary" type="submit">{label["change"]}'
            "</button></form></td>"
        )
    parts = []
    for row in allocations:
        a = row["allocation"]
        places = str(a.places)
        if row["commended"]:
            cap = escape(_("commended unit: up to %(cap)s") % {"cap": row["cap"]})
            places += f' <span class="badge text-bg-light" title="{commended_title}">{cap}</span>'
        if a.override_reason:
            places += f' <span class="small text-secondary">（{escape(a.override_reason)}）</span>'
        parts.append(
            f'<tr><td data-label="{label["unit"]}">{escape(a.unit.name)}</td>'
            f'<td data-label="{label["headcount"]}">{a.headcount}</td>'
            f'<td data-label="{label["places"]}">{places}</td>'
            f'<td data-label="{label["taken"]}">{row["used"]}</td>'
            + (form.replace("{pk}", str(a.pk)).replace("{places}", str(a.places)) if form else "")
            + "</tr>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 — every text above is escaped
