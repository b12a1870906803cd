"""Forms of adjustments: proposing changes to an issued task and deciding them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import Person

from ..models import Indicator, Milestone
from ..services.tasks import IndicatorIn, MilestoneIn
from .tasks import DATE, _parse_indicators, _parse_milestones


class AdjustForm(StyledFormMixin, forms.Form):
    """An adjustment request: a new deadline or responsible person, and changes to the roadmap
    (each undone milestone and each indicator can be changed or removed; new ones added)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("New deadline"), required=False, widget=DATE)
    responsible_person = forms.ModelChoiceField(
        label=_("New responsible person"), queryset=Person.objects.none(), required=False
    )
    new_milestones = forms.CharField(
        label=_("New milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: title | due date, e.g. 印发方案 | 2026-03-31"),
    )
    new_indicators = forms.CharField(
        label=_("New indicators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One a line: name | target | unit | higher or lower | negative (only for an "
            "indicator whose values may be below zero), e.g. 培训 | 300 | 人次"
        ),
    )

    def __init__(
        self,
        *args: Any,
        people: Any,
        milestones: Sequence[Milestone] = (),
        indicators: Sequence[Indicator] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["responsible_person"]).queryset = people
        self.milestone_rows: list[tuple[Milestone, str]] = []
        for m in milestones:
            if m.done_on:
                continue  # a done milestone stays as it is
            name = f"milestone_{m.pk}"
            self.fields[name + "_title"] = forms.CharField(
                label=_("Title"), max_length=300, initial=m.title
            )
            self.fields[name + "_due"] = forms.DateField(
                label=_("Due date"), initial=m.due_date, widget=DATE
            )
            self.fields[name + "_remove"] = forms.BooleanField(label=_("Remove"), required=False)
            self.milestone_rows.append((m, name))
        self.indicator_rows: list[tuple[Indicator, str]] = []
        for i in indicators:
            name = f"indicator_{i.pk}"
            self.fields[name + "_name"] = forms.CharField(
                label=_("Name"), max_length=200, initial=i.name
            )
            self.fields[name + "_target"] = forms.DecimalField(
                label=_("Target"), max_digits=14, decimal_places=2, initial=i.target
            )
            if not i.allows_negative:  # the roadmap validator refuses below zero
                self.fields[name + "_target"].widget.attrs["min"] = "0"
            self.fields[name + "_unit"] = forms.CharField(
                label=_("Unit of measure"), max_length=32, required=False, initial=i.unit
            )
            self.fields[name + "_direction"] = forms.ChoiceField(
                label=_("Direction"), choices=Indicator.Direction.choices, initial=i.direction
            )
            self.fields[name + "_remove"] = forms.BooleanField(label=_("Remove"), required=False)
            self.indicator_rows.append((i, name))
        self.style_fields()

    def clean_new_milestones(self) -> list[MilestoneIn]:
        return _parse_milestones(self.cleaned_data["new_milestones"])

    def clean_new_indicators(self) -> list[IndicatorIn]:
        return _parse_indicators(self.cleaned_data["new_indicators"])

    @property
    def milestone_fields(self) -> list[tuple[Milestone, Any, Any, Any]]:
        return [
            (m, self[name + "_title"], self[name + "_due"], self[name + "_remove"])
            for m, name in self.milestone_rows
        ]

    @property
    def indicator_fields(self) -> list[tuple[Indicator, Any, Any, Any, Any, Any]]:
        return [
            (
                i,
                self[name + "_name"],
                self[name + "_target"],
                self[name + "_unit"],
                self[name + "_direction"],
                self[name + "_remove"],
            )
            for i, name in self.indicator_rows
        ]

    def roadmap_changes(self) -> dict[str, list[dict[str, Any]]]:
        """The milestone and indicator operations the cleaned form proposes (only real changes)."""
        d = self.cleaned_data
        milestones: list[dict[str, Any]] = []
        for m, name in self.milestone_rows:
            if d.get(name + "_remove"):
                milestones.append({"op": "remove", "id": m.pk})
            elif (d[name + "_title"].strip(), d[name + "_due"]) != (m.title, m.due_date):
                milestones.append(
                    {
                        "op": "change",
                        "id": m.pk,
                        "title": d[name + "_title"],
                        "due_date": d[name + "_due"],
                    }
                )
        milestones += [
            {"op": "add", "title": m.title, "due_date": m.due_date} for m in d["new_milestones"]
        ]
        indicators: list[dict[str, Any]] = []
        for i, name in self.indicator_rows:
            new = {
                "name": d[name + "_name"].strip(),
                "target": d[name + "_target"],
                "unit": d[name + "_unit"].strip(),
                "direction": d[name + "_direction"],
            }
            if d.get(name + "_remove"):
                indicators.append({"op": "remove", "id": i.pk})
            elif new != {
                "name": i.name,
                "target": i.target,
                "unit": i.unit,
                "direction": i.direction,
            }:
                indicators.append({"op": "change", "id": i.pk, **new})
        indicators += [
            {
                "op": "add",
                "name": i.name,
                "target": i.target,
                "unit": i.unit,
                "direction": i.direction,
                **({"allows_negative": True} if i.allows_negative else {}),
            }
            for i in d["new_indicators"]
        ]
        out: dict[str, list[dict[str, Any]]] = {}
        if milestones:
            out["milestones"] = milestones
        if indicators:
            out["indicators"] = indicators
        return out


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    note = forms.CharField(label=_("Remarks"), required=False)
