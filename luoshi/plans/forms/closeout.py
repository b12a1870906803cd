"""Forms of the close-out (销号): the completion request and its verification."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("What was achieved, with the evidence"), widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class VerifyForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept and close out")), ("return", _("Return to the lead unit"))],
    )
    override = forms.BooleanField(
        label=_("Close out although the task is not ready (give the reason)"), required=False
    )
    reason = forms.CharField(
        label=_("Reason or remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, ready: bool = True, **kwargs: Any) -> None:
        """`ready`: the task's close-out readiness has nothing to name (then no override is
        offered: there is nothing to override)."""
        super().__init__(*args, **kwargs)
        if ready:
            del self.fields["override"]
