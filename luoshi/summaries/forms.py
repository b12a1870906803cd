from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import OrgUnit

DATE = forms.DateInput(attrs={"type": "date"})


class RoundForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Agency"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Left empty: “<agency><year>年度工作总结”."),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    total_max = forms.IntegerField(label=_("At most (characters)"), min_value=1, max_value=100000)
    highlights_min = forms.IntegerField(
        label=_("Main work and results at least (characters)"), min_value=0, max_value=100000
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class SummaryForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    achievements = forms.CharField(
        label="主要工作和成效", widget=forms.Textarea(attrs={"rows": 14}), required=False
    )
    problems = forms.CharField(
        label="存在问题", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    next_year = forms.CharField(
        label="明年工作打算",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_(
            "One item a line; “key point：task” names the key point of next year's plan it "
            "belongs to."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("achievements", "problems", "next_year"):
            self.fields[name].widget.attrs.update(
                {"data-section": name, "class": "form-control ls-summary-text"}
            )


class ReviewForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("return", _("Return"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
