from __future__ import annotations

from typing import Any

from django import forms


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
