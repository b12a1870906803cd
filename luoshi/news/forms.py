"""Forms of the news pages (field checks only; the rules are the services')."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin

from . import drafting

DATE = forms.DateInput(attrs={"type": "date"})


class ItemForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    lead_title = forms.CharField(label=_("Lead title"), max_length=200, required=False)
    subtitle = forms.CharField(label=_("Subtitle"), max_length=200, required=False)
    source = forms.CharField(label=_("Source"), max_length=100, required=False)
    authors = forms.CharField(label=_("Authors"), max_length=200, required=False)
    photographers = forms.CharField(label=_("Photographers"), max_length=200, required=False)
    editors = forms.CharField(label=_("Responsible editors"), max_length=200, required=False)
    event_date = forms.DateField(label=_("Date of the event"), required=False, widget=DATE)
    digest = forms.CharField(
        label=_("Digest"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("At most 120 characters for WeChat; empty: the start of the first paragraph."),
    )


class EditForm(ItemForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    blocks = forms.CharField(
        label=_("Body (blocks)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace", "id": "id_blocks"}),
    )

    def clean_blocks(self) -> Any:
        raw = self.cleaned_data.get("blocks") or "[]"
        try:
            return json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("The body could not be read.")) from None


class PhotoForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Photo (JPEG or PNG)"))


class ReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return with comments"))],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accept_warnings = forms.BooleanField(
        label=_("I have read the roster's warnings and accept them"), required=False
    )


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


def _lines(text: str, parts: int) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.replace("｜", "|").split("|")]
        if len(cells) != parts:
            raise forms.ValidationError(
                _("Each line needs %(n)d parts separated by “|”: %(line)s")
                % {"n": parts, "line": line}
            )
        rows.append(cells)
    return rows


class FactsForm(StyledFormMixin, forms.Form):
    organization = forms.CharField(label=_("Holder"), max_length=64, required=False)
    title = forms.CharField(label=_("Meeting"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE)
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    presiding_name = forms.CharField(label=_("Presided by"), max_length=64, required=False)
    presiding_title = forms.CharField(label=_("Their title"), max_length=64, required=False)
    speakers = forms.CharField(
        label=_("Speakers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: name | title | what they spoke or read"),
    )
    reporting_units = forms.IntegerField(label=_("Units that reported"), min_value=0, initial=0)
    exchange_speeches = forms.IntegerField(label=_("Exchange speeches"), min_value=0, initial=0)
    awards = forms.CharField(
        label=_("Awards"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: what | to whom"),
    )
    attendance = forms.CharField(label=_("Who attended"), max_length=300, required=False)

    def clean_speakers(self) -> Any:
        return tuple(drafting.Speaker(*row) for row in _lines(self.cleaned_data["speakers"], 3))

    def clean_awards(self) -> Any:
        return tuple(drafting.Award(*row) for row in _lines(self.cleaned_data["awards"], 2))

    def facts(self) -> drafting.MeetingFacts:
        d = self.cleaned_data
        return drafting.MeetingFacts(
            date=d["date"] or dt.date.today(),
            title=d["title"],
            venue=d["venue"],
            presiding_name=d["presiding_name"],
            presiding_title=d["presiding_title"],
            speakers=d["speakers"],
            reporting_units=d["reporting_units"] or 0,
            exchange_speeches=d["exchange_speeches"] or 0,
            awards=d["awards"],
            attendance=d["attendance"],
            organization=d["organization"],
        )
