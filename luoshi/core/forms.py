"""Form helpers: Bootstrap classes on widgets, FastSelect and the fast form renderer.

What the hand-built HTML buys, measured (docs/benchmarks.md, commit d109d6f; in-process CPU per
request on the national-scale bench database, interleaved runs): FastFormRenderer 1.2 ms of the
ledger page's 6.0 ms (20 %: 7.2 ms with Django's DjangoTemplates renderer) and 1.3 ms of the task
page's 16.1 ms (8 %); FastSelect's cache of the options' markup (`_options_html`) 1.2 ms of the
ledger page (19 %: 7.2 ms without it) and 0.2 ms of a province's dashboard (3 %).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from .errors import DomainError


class StyledFormMixin:
    """Give every widget the Bootstrap class its kind needs, so templates stay plain."""

    compact = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        """(Re)apply the classes; forms that add fields after __init__ call it again."""
        size = " form-control-sm" if self.compact else ""
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select" + (" form-select-sm" if self.compact else "")
            elif isinstance(widget, forms.FileInput):
                css = "form-control" + size
            else:
                css = "form-control" + size
            existing = widget.attrs.get("class", "")
            if css not in existing:
                widget.attrs["class"] = f"{existing} {css}".strip()


class FastSelect(forms.Select):
    """A single select for long flat lists (hundreds of units or people).

    Django renders each <option> through the widget templates, about half a millisecond each;
    this builds the same markup in Python (escaped), and keeps the markup of the last few lists
    it built (a pure function of the choices), so a page that shows the same 1,000-entry list
    again only marks the chosen entry. Choices are kept as given (not normalised). Option
    groups are not supported.
    """

    @property  # type: ignore[override]
    def choices(self) -> list[Any]:
        return self._fast_choices

    @choices.setter
    def choices(self, value: Any) -> None:
        self._fast_choices = value if isinstance(value, list) else list(value)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        values = value if isinstance(value, list | tuple) else [value]
        chosen = {str(v) for v in values if v is not None and v != ""} or {""}
        options = _options_html(
            tuple(("" if v is None else str(v), str(label)) for v, label in self.choices)
        )
        for text in chosen:
            option = f'<option value="{escape(text)}">'
            options = options.replace(option, option[:-1] + " selected>", 1)
        head = f'<select name="{conditional_escape(name)}"{_attrs(final)}>'
        return mark_safe(f"{head}{options}</select>")  # noqa: S308 — every part is escaped


@functools.lru_cache(maxsize=64)
def _options_html(choices: tuple[tuple[str, str], ...]) -> str:
    return "".join(
        f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices
    )


def options_html(choices: list[tuple[Any, Any]]) -> SafeString:
    """<option> elements for (value, label) pairs, none selected (escaped; see FastSelect)."""
    return mark_safe(_options_html(tuple((str(v), str(label)) for v, label in choices)))  # noqa: S308


# --- fast widget rendering --------------------------------------------------------------------

_WIDGETS = "django/forms/widgets/"
_INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime",
        "time", "checkbox", "search", "tel", "color",
    )
)  # fmt: skip


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's widgets/attrs.html in Python: False leaves an attribute out, True is bare."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{shown}{_attrs(widget["attrs"])}>'


def _select(widget: dict[str, Any]) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option["template_name"] != f"{_WIDGETS}select_option.html":
                return None
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    body = conditional_escape(value) if value else ""
    name = conditional_escape(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{body}</textarea>'


class FastFormRenderer(DjangoTemplates):
    """Django's form renderer, with the common widgets built in Python.

    Rendering a text input, a checkbox, a select or a textarea through the widget templates
    costs a template render per widget and per option (a ledger's filter form: ~9 ms of a page's
    time); building the same markup here costs a few microseconds. The markup is exactly the
    templates' (escaped the same way; tests compare them). Every other template — file inputs,
    radio lists, whole-form layouts — is still rendered from its template.
    """

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        html: str | None = None
        if isinstance(widget, dict):
            if template_name in _INPUT_TEMPLATES:
                html = _input(widget)
            elif template_name == f"{_WIDGETS}select.html":
                html = _select(widget)
            elif template_name == f"{_WIDGETS}textarea.html":
                html = _textarea(widget)
        if html is None:
            return super().render(template_name, context, request)
        return mark_safe(html)  # noqa: S308 — every value is escaped above


# --- domain errors on a page's form -------------------------------------------------------------


def apply_domain_error(form: Any, exc: DomainError) -> None:
    """Put a service's refusal on the form the page shows again: the error's message once at the
    top, each detail next to its field; a detail about no field of this form goes to the top
    too (unless it repeats the message), so nothing the service said is lost."""
    form.add_error(None, exc.message)
    shown = {str(exc.message)}
    for detail in exc.details:
        name = detail.get("field")
        if name in form.fields:
            form.add_error(name, detail["message"])
        elif str(detail["message"]) not in shown:
            shown.add(str(detail["message"]))
            form.add_error(None, detail["message"])


def submit_form(
    request: HttpRequest,
    form: Any,
    run: Callable[[dict[str, Any]], Any],
    success: Any,
) -> tuple[bool, Any]:
    """Validate a posted form and call the service with its cleaned data.

    Returns (True, the service's result) after adding the success message (`success`, or
    `success(cleaned_data)` when it is callable), or (False, None) with the form's own errors
    or the domain error put on the form (`apply_domain_error`).
    """
    if not form.is_valid():
        return False, None
    try:
        result = run(form.cleaned_data)
    except DomainError as exc:
        apply_domain_error(form, exc)
        return False, None
    messages.success(request, success(form.cleaned_data) if callable(success) else success)
    return True, result
