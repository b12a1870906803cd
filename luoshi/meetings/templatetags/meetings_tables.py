"""The participants page's table as tags: a page of rows with the office's small forms, built in
Python (the template engine renders a cell at ~20 µs; a row here has a dozen of them and up to
three forms), escaped as format_html would (html.escape on every text)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from luoshi.meetings.models import Meeting, Participant

register = template.Library()


def _labels(choices: Any) -> dict[str, str]:
    return {value: escape(str(label)) for value, label in choices.choices}


def _form(csrf: str, action: str, pk: int, inner: str, cls: str = "d-inline") -> str:
    return (
        f'<form method="post" class="{cls}">{csrf}<input type="hidden" name="action"'
        f' value="{action}"><input type="hidden" name="participant" value="{pk}">{inner}</form>'
    )


@register.simple_tag(takes_context=True)
def participant_rows(
    context: Any,
    rows: Iterable[Participant],
    meeting: Meeting,
    organizer: bool,
    editable: bool,
    people_options: str = "",
) -> SafeString:
    """The <tr>s of a page of participants: name (presidium badge, person number), unit or body,
    post and rank or the guest's title, source and role, reply, sign-in time; for the office the
    forms of what can still be done (remove, guest code, leave or a substitute).

    `rows` come from views._participant_rows (person, post, rank, unit and the substituted
    participant's person joined; `has_substitute` annotated): no query per row."""
    sources, roles, replies = (
        _labels(Participant.Source),
        _labels(Participant.Role),
        _labels(Participant.Reply),
    )
    label = {
        "name": escape(_("Name")),
        "unit": escape(_("Unit or body")),
        "post": escape(_("Post or title")),
        "source": escape(_("Source")),
        "reply": escape(_("Reply")),
        "signed": escape(_("Signed in")),
    }
    presidium = escape(_("Presidium"))
    live = meeting.state in (Meeting.State.NOTIFIED, Meeting.State.IN_SESSION)
    forms: dict[str, str] = {}
    if organizer:
        csrf = (
            '<input type="hidden" name="csrfmiddlewaretoken" value="'
            f'{escape(get_token(context["request"]))}">'
        )
        forms = {
            "remove": '<button class="btn btn-sm btn-outline-danger" type="submit">'
            f"{escape(_('Remove'))}</button>",
            "code": '<button class="btn btn-sm btn-outline-secondary" type="submit">'
            f"{escape(_('Guest code'))}</button>",
            "substitute": '<select name="person" class="form-select form-select-sm w-auto"'
            f' aria-label="{escape(_("Substitute"))}">{people_options}</select>'
            '<button class="btn btn-sm btn-outline-secondary" type="submit">'
            f"{escape(_('Name a substitute'))}</button>",
            "leave": '<input name="leave_reason" class="form-control form-control-sm w-auto"'
            f' placeholder="{escape(_("Reason for leave"))}"'
            f' aria-label="{escape(_("Reason for leave"))}">'
            '<button class="btn btn-sm btn-outline-secondary" type="submit">'
            f"{escape(_('Record leave'))}</button>",
        }
    parts = []
    shown: dict[tuple[Any, Any], str] = {}
    for p in rows:
        person = p.person if p.person_id else None
        name = escape(person.name if person is not None else p.guest_name)
        if p.presidium:
            name += (
                f' <span class="badge text-bg-light">{presidium} {p.protocol_order or ""}</span>'
            )
        if p.person_id:
            name += f' <span class="small text-secondary">#{p.person_id}</span>'
        unit = escape(p.unit.name if p.unit_id and p.unit else p.guest_body)
        if person is not None:
            key = (person.post_id, person.rank_id)
            post = shown.get(key)
            if post is None:  # a post's and a rank's names in the viewer's script, once each
                post = shown[key] = (
                    f"{escape(str(person.post or ''))} {escape(str(person.rank or ''))}"
                )
        else:
            post = escape(p.guest_title)
        source = sources.get(p.source, escape(p.source))
        sub = p.substitute_for
        if sub is not None:
            sub_name = sub.person.name if sub.person_id and sub.person else sub.guest_name
            source += f" ({escape(sub_name)})"
        source += f" · {roles.get(p.role, escape(p.role))}"
        reply = replies.get(p.reply, escape(p.reply))
        if p.leave_reason:
            reply += f" · {escape(p.leave_reason)}"
        signed = timezone.localtime(p.signed_in_at).strftime("%H:%M") if p.signed_in_at else "—"
        cells = (
            f'<tr><td data-label="{label["name"]}">{name}</td>'
            f'<td data-label="{label["unit"]}">{unit}</td>'
            f'<td data-label="{label["post"]}">{post}</td>'
            f'<td data-label="{label["source"]}">{source}</td>'
            f'<td data-label="{label["reply"]}">{reply}</td>'
            f'<td data-label="{label["signed"]}">{signed}</td>'
        )
        if organizer:
            actions = []
            if not p.signed_in_at:
                if editable:
                    actions.append(_form(csrf, "remove", p.pk, forms["remove"]))
                if p.person_id is None:
                    actions.append(_form(csrf, "code", p.pk, forms["code"]))
                if live:
                    if p.reply == Participant.Reply.LEAVE:
                        if not getattr(p, "has_substitute", False):
                            actions.append(
                                _form(
                                    csrf,
                                    "substitute",
                                    p.pk,
                                    forms["substitute"],
                                    "d-inline-flex gap-1",
                                )
                            )
                    elif p.person_id:
                        actions.append(
                            _form(csrf, "leave", p.pk, forms["leave"], "d-inline-flex gap-1")
                        )
            cells += f'<td class="text-nowrap">{" ".join(actions)}</td>'
        parts.append(cells + "</tr>")
    if not parts:
        total = (context.get("counts") or {}).get("total")
        empty = (
            _("Nobody on the list matches these filters.")
            if total
            else _("Nobody is on the list yet.")
        )
        return mark_safe(f'<tr><td colspan="7" class="text-secondary">{escape(empty)}</td></tr>')  # noqa: S308
    return mark_safe("\n".join(parts))  # noqa: S308 — every text above is escaped
