"""Forms that create and edit a task (with its milestones and indicators as lines)."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.apitypes import MAX_ID
from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import OrgUnit, Person

from ..models import Category, Indicator, KeyPoint, Task, WorkPlan
from ..selectors.categories import task_category_choices
from ..services.roadmap import check_rows
from ..services.tasks import IndicatorIn, MilestoneIn, task_agency_id

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _int_or_none(raw: Any) -> int | None:
    try:
        value = int(raw) if raw else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and 1 <= value <= MAX_ID else None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class TaskForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=500)
    key_point = forms.ModelChoiceField(
        label=_("Key point"), queryset=KeyPoint.objects.none(), required=False
    )
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=OrgUnit.objects.none())
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("Cooperating units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    leader_in_charge = forms.ModelChoiceField(
        label=_("Leader in charge"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Left empty: the leader in charge of the lead unit."),
    )
    responsible_person = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=Person.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    is_key = forms.BooleanField(label=_("Key task"), required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=Task.Source.choices, initial=Task.Source.WORK_PLAN
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    goal = forms.CharField(
        label=_("Goal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    measures = forms.CharField(
        label=_("Measures"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: title | due date, e.g. 印发方案 | 2026-03-31"),
    )
    indicators = forms.CharField(
        label=_("Indicators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line: name | target | unit | higher or lower | negative (only for an "
            "indicator whose values may be below zero), e.g. 培训 | 300 | 人次"
        ),
    )

    def __init__(
        self,
        *args: Any,
        key_points: Any,
        units: Any,
        people: Any,
        plan: WorkPlan | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        # The active categories of the plan's agency (the task services refuse any other).
        cast(
            forms.ModelMultipleChoiceField, self.fields["categories"]
        ).queryset = task_category_choices(plan.agency_id if plan is not None else None)
        cast(forms.ModelChoiceField, self.fields["key_point"]).queryset = key_points
        cast(forms.ModelChoiceField, self.fields["lead_unit"]).queryset = units
        cast(forms.ModelMultipleChoiceField, self.fields["cooperating_units"]).queryset = units
        cast(forms.ModelChoiceField, self.fields["leader_in_charge"]).queryset = people
        cast(forms.ModelChoiceField, self.fields["responsible_person"]).queryset = people

    def clean_milestones(self) -> list[MilestoneIn]:
        return _parse_milestones(self.cleaned_data["milestones"])

    def clean_indicators(self) -> list[IndicatorIn]:
        return _parse_indicators(self.cleaned_data["indicators"])

    def clean(self) -> dict[str, Any]:
        """The roadmap's rows through the roadmap's one check (the one task_create runs), so
        each problem shows next to its field: milestones[2].title under Milestones."""
        d = super().clean() or {}
        if "milestones" in d and "indicators" in d:
            problems: list[dict[str, Any]] = []
            check_rows(
                d["milestones"], d["indicators"], deadline=d.get("deadline"), problems=problems
            )
            for name in ("milestones", "indicators"):
                found = [p["message"] for p in problems if p["field"].startswith(name + "[")]
                if found:
                    self.add_error(name, list(dict.fromkeys(found)))
        return d


def _parse_milestones(text: str) -> list[MilestoneIn]:
    """Milestones written one a line: title | YYYY-MM-DD."""
    out = []
    for number, line in enumerate(_lines(text), start=1):
        parts = [p.strip() for p in line.split("|")]
        try:
            out.append(MilestoneIn(parts[0], dt.date.fromisoformat(parts[1])))
        except (IndexError, ValueError):
            raise forms.ValidationError(
                _("Line %(n)d: write “title | YYYY-MM-DD”.") % {"n": number}
            ) from None
    return out


# The fifth column of an indicator line that declares its values may be below zero.
NEGATIVE_WORDS = frozenset({"negative", "可为负", "可为负数", "允许负值"})


def _parse_indicators(text: str) -> list[IndicatorIn]:
    """Indicators written one a line: name | target | unit | higher or lower | negative."""
    out = []
    for number, line in enumerate(_lines(text), start=1):
        parts = [p.strip() for p in line.split("|")] + ["", "", ""]
        try:
            target = decimal.Decimal(parts[1])
        except (IndexError, decimal.InvalidOperation):
            raise forms.ValidationError(
                _("Line %(n)d: write “name | target | unit | higher or lower”.") % {"n": number}
            ) from None
        direction = (
            Indicator.Direction.LOWER
            if parts[3].lower() in {"lower", "低", "越低越好"}
            else Indicator.Direction.HIGHER
        )
        allows_negative = parts[4].lower() in NEGATIVE_WORDS
        out.append(IndicatorIn(parts[0], target, parts[2], direction, allows_negative))
    return out


class TaskEditForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    goal = forms.CharField(
        label=_("Goal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    measures = forms.CharField(
        label=_("Measures"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_key = forms.BooleanField(label=_("Key task"), required=False)
    report_cadence = forms.ChoiceField(label=_("Report cadence"), choices=Task.Cadence.choices)
    report_due_day = forms.IntegerField(label=_("Reports due by day"), min_value=1, max_value=28)
    source = forms.ChoiceField(label=_("Source"), choices=Task.Source.choices)
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    CLASSIFICATION = ("source", "categories")

    def __init__(self, *args: Any, task: Task | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The active categories of the task's agency, and the ones it has (an inactive one
        # stays on the task when it is saved).
        initial = self.initial.get("categories")
        if initial is None and task is not None:
            initial = list(task.categories.all())
        keep = [getattr(c, "pk", c) for c in initial or ()]
        agency_id = task_agency_id(task) if task is not None else None
        cast(
            forms.ModelMultipleChoiceField, self.fields["categories"]
        ).queryset = task_category_choices(agency_id, keep)
