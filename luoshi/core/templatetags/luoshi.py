"""The project's template tags: pagination, light badges, navigation and the page frame.

What they buy, measured (docs/benchmarks.md, commit d109d6f; in-process CPU per request on the
national-scale bench database, interleaved runs): the frame cache (`frame`) 0.5 ms of the ledger
page's 6.0 ms (9 %: 6.6 ms rendering includes/frame.html each time), 0.5 ms of a province's
dashboard (7 %) and 0.3 ms of the task page (2 %); the pagination bar built here 0.3 ms of the
ledger page (5 %: 6.4 ms with the template it replaced). `nav_items` runs only when a frame is
rendered, which the frame cache makes rare.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.paginator import Page
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from luoshi.core import audit

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with some parameters replaced: filters stay in the URL."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def page_window(page: Page, radius: int = 2) -> list[int | None]:
    """Page numbers around the current one, with None for gaps."""
    last = page.paginator.num_pages
    numbers = sorted(
        {1, last, *range(max(1, page.number - radius), min(last, page.number + radius) + 1)}
    )
    out: list[int | None] = []
    for n in numbers:
        if out and out[-1] is not None and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


@register.simple_tag(takes_context=True)
def pagination(context: dict[str, Any], page: Page) -> SafeString:
    """includes/pagination.html: the count (or "more than" when capped), "page n of m" and the
    page links, keeping the other query parameters. Built in Python: every list page shows it."""
    paginator = page.paginator
    pages, count = paginator.num_pages, paginator.count
    if not (pages > 1 or count):
        return mark_safe("")
    if getattr(paginator, "count_capped", False):
        limit = paginator.count_limit  # type: ignore[attr-defined]
        total = _("More than %(limit)s records: narrow the filters to see them all") % {
            "limit": limit
        }
    else:
        total = ngettext("%(counter)s record", "%(counter)s records", count) % {"counter": count}
    where = _("page %(page)s of %(pages)s") % {"page": page.number, "pages": pages}
    head = format_html(
        '<nav class="d-flex align-items-center justify-content-between mt-2" aria-label="{}">\n'
        '  <div class="text-secondary small">\n    {}\n    · {}\n  </div>',
        _("Pages"),
        total,
        where,
    )
    if pages <= 1:
        return format_html("{}\n</nav>", head)
    query = context["request"].GET.copy()

    def href(number: int) -> str:
        query["page"] = str(number)
        return "?" + query.urlencode()

    def step(present: bool, number: int, rel: str, label: str) -> SafeString:
        if not present:
            return format_html(
                '<li class="page-item disabled"><span class="page-link">{}</span></li>', label
            )
        return format_html(
            '<li class="page-item"><a class="page-link" href="{}" rel="{}">{}</a></li>',
            href(number),
            rel,
            label,
        )

    items = [
        step(page.has_previous(), page.number - 1, "prev", _("Previous")),
    ]
    for number in page_window(page):
        if number is None:
            items.append(
                mark_safe('<li class="page-item disabled"><span class="page-link">…</span></li>')
            )
        else:
            active = " active" if number == page.number else ""
            items.append(
                format_html(
                    '<li class="page-item{}"><a class="page-link" href="{}">{}</a></li>',
                    active,
                    href(number),
                    number,
                )
            )
    items.append(step(page.has_next(), page.number + 1, "next", _("Next")))
    links = mark_safe("\n    ".join(items))  # noqa: S308 — every item comes from format_html
    return format_html(
        '{}\n  <ul class="pagination pagination-sm mb-0">\n    {}\n  </ul>\n</nav>', head, links
    )


@register.filter
def action_label(code: str) -> str:
    """The translated label of an audit action code."""
    return audit.action_label(code)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def light_badge(light: str, label: Any, reason: Any = "") -> str:
    """includes/light.html as a tag (tables render it once per row; a tag costs a tenth)."""
    title = format_html(' title="{}"', reason) if reason else ""
    return format_html('<span class="ls-light ls-light-{}"{}>{}</span>', light, title, label)


@register.simple_tag
def nav_items(nav: list[dict[str, Any]], current: str) -> str:
    """The left navigation's sections and links (core.navigation's as_context shape), built in
    Python: every page shows a few dozen of them."""
    parts = []
    for group in nav:
        parts.append(format_html('<li class="ls-nav-section">{}</li>', group["section"]))
        for item in group["items"]:
            active = " active" if item["key"] == current else ""
            parts.append(
                format_html(
                    '<li><a class="nav-link{}" href="{}">{}</a></li>',
                    active,
                    item["url"],
                    item["label"],
                )
            )
    return mark_safe("".join(parts))  # noqa: S308 — every part comes from format_html


# --- the page frame -------------------------------------------------------------------------------

# Markers for the per-request parts of a rendered frame. They hold "<", which escaped text (an
# agency's name, a user's label, a navigation label) can never contain, so only they are replaced.
_CSRF, _NEXT, _BELL = (mark_safe(f"<!--ls:{part}-->") for part in ("csrf", "next", "bell"))  # noqa: S308
_FRAMES: dict[str, str] = {}
_FRAMES_MAX = 512  # per process; a few kB each


@register.simple_tag(takes_context=True)
def frame(context: Any) -> SafeString:
    """The top bar and the navigation of every page (includes/frame.html).

    The markup depends only on the language, the agency's name, the user's label, the
    navigation their roles open (core.navigation.frame_for, cached) and the page's place in it,
    so it is rendered once per combination of these — the combination itself is the key, which
    makes a stale frame impossible — and the per-request parts are filled in each time: the
    CSRF token, the current path (the language form returns to it) and the unread notices."""
    request = context.get("request")  # None when a template is rendered without one
    match = getattr(request, "resolver_match", None)
    current = context.get("nav_current", "")
    inputs = (
        translation.get_language(),
        bool(getattr(context.get("user"), "is_authenticated", False)),
        context.get("agency_name"),
        context.get("user_label"),
        current,
        current == "" and getattr(match, "url_name", None) == "home",
        context.get("nav") or [],
    )
    key = repr(inputs)
    html = _FRAMES.get(key)
    if html is None:
        _language, is_authenticated, agency_name, user_label, current, is_home, nav = inputs
        html = render_to_string(
            "includes/frame.html",
            {
                "is_authenticated": is_authenticated,
                "agency_name": agency_name,
                "user_label": user_label,
                "nav": nav,
                "nav_current": current,
                "is_home": is_home,
                "csrf_placeholder": _CSRF,
                "next_placeholder": _NEXT,
                "bell_placeholder": _BELL,
            },
        )
        if len(_FRAMES) >= _FRAMES_MAX:
            _FRAMES.clear()
        _FRAMES[key] = html
    unread = context.get("notify_unread")
    bell = (
        format_html(
            ' <span class="badge rounded-pill text-bg-danger" id="ls-notices-unread">{}'
            '<span class="visually-hidden"> {}</span></span>',
            unread.label,
            _("unread"),
        )
        if unread
        else ""
    )
    token = escape(str(context.get("csrf_token") or ""))
    filled = (
        html.replace(_CSRF, token)
        .replace(_NEXT, escape(request.get_full_path() if request is not None else "/"))
        .replace(_BELL, bell)
    )
    return mark_safe(filled)  # noqa: S308 — rendered by the template engine, escaped parts added
