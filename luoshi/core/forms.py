from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


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
    this builds the same markup in Python (escaped), so a 1,000-entry list costs a millisecond.
    Option groups are not supported.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        values = value if isinstance(value, list | tuple) else [value]
        chosen = {str(v) for v in values if v is not None and v != ""}
        parts = [f"<select{flatatt(final)}>"]
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            selected = " selected" if text in chosen or (not chosen and text == "") else ""
            parts.append(f'<option value="{escape(text)}"{selected}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every part is escaped above
