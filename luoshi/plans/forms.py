from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.apitypes import MAX_ID
from luoshi.core.forms import FastSelect, StyledFormMixin
from luoshi.orgs.models import OrgUnit, Person

from .models import Category, Indicator, KeyPoint, Milestone, Task, WorkPlan
from .selectors import TaskFilter
from .services import IndicatorIn, MilestoneIn, task_agency_id
from .services_categories import ledger_category_choices, task_category_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    preamble = forms.CharField(
        label=_("Preamble"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies


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
        help_text=_("One a line: name | target | unit | higher or lower, e.g. 培训 | 300 | 人次"),
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


def _parse_indicators(text: str) -> list[IndicatorIn]:
    """Indicators written one a line: name | target | unit | higher or lower."""
    out = []
    for number, line in enumerate(_lines(text), start=1):
        parts = [p.strip() for p in line.split("|")] + ["", ""]
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
        out.append(IndicatorIn(parts[0], target, parts[2], direction))
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


class LedgerFilterForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Code, title or text")}),
    )
    # Plain integers with a pre-rendered list: the selectors scope whatever id comes in, and a
    # ChoiceField would normalise and search hundreds of choices on every request.
    lead_unit = forms.IntegerField(
        label=_("Lead unit"), required=False, min_value=1, widget=FastSelect
    )
    leader_in_charge = forms.IntegerField(
        label=_("Leader in charge"), required=False, min_value=1, widget=FastSelect
    )
    light = forms.ChoiceField(
        label=_("Light"), required=False, choices=[("", _("All lights")), *Task.Light.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open tasks")), *Task.Status.choices]
    )
    category = forms.IntegerField(
        label=_("Category"), required=False, min_value=1, max_value=MAX_ID, widget=FastSelect
    )
    key_only = forms.BooleanField(label=_("Key tasks only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    plan = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        units: list[tuple[int, str]],
        leaders: list[tuple[int, str]],
        user: Any = None,
        categories: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        # The categories of the agencies the viewer's scope covers (a bounded list; without the
        # viewer, none is listed, and a category id in the query string still filters), or the
        # list the caller computed (plans.choices caches it).
        if categories is None:
            categories = []
            if user is not None:
                chosen = _int_or_none(self.data.get("category"))
                categories = ledger_category_choices(user, chosen)
        cast(FastSelect, self.fields["category"].widget).choices = [
            ("", _("All categories")),
            *categories,
        ]
        cast(FastSelect, self.fields["lead_unit"].widget).choices = [
            ("", _("All units")),
            *units,
        ]
        cast(FastSelect, self.fields["leader_in_charge"].widget).choices = [
            ("", _("All leaders")),
            *leaders,
        ]

    def to_filter(self) -> TaskFilter:
        if not self.is_valid():
            return TaskFilter()
        d = self.cleaned_data
        return TaskFilter(
            q=d["q"] or "",
            lead_unit=d["lead_unit"],
            leader_in_charge=d["leader_in_charge"],
            light=d["light"] or "",
            status=d["status"] or "",
            category=d["category"],
            key_only=d["key_only"],
            overdue=d["overdue"],
        )


class ReportForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Progress this period"), widget=forms.Textarea(attrs={"rows": 4})
    )
    percent = forms.IntegerField(
        label=_("Overall progress (%)"), min_value=0, max_value=100, required=False
    )

    def __init__(
        self,
        *args: Any,
        task: Task,
        is_lead: bool,
        milestones: list[Milestone] | None = None,
        indicators: list[Indicator] | None = None,
        **kwargs: Any,
    ) -> None:
        """`milestones` and `indicators`: the task's, when the caller has read them already."""
        super().__init__(*args, **kwargs)
        if not is_lead:
            del self.fields["percent"]
        if indicators is None:
            indicators = list(task.indicators.all())
        if milestones is None:
            milestones = list(task.milestones.all())
        self.indicator_fields = []
        for indicator in indicators:
            name = f"indicator_{indicator.pk}"
            self.fields[name] = forms.DecimalField(
                label=f"{indicator.name}（{_('target')} {indicator.target.normalize():f}"
                f"{indicator.unit}）",
                required=False,
                max_digits=14,
                decimal_places=2,
            )
            self.indicator_fields.append((indicator, name))
        self.milestone_fields = []
        for milestone in milestones:
            if milestone.done_on:
                continue
            name = f"milestone_{milestone.pk}"
            self.fields[name] = forms.DateField(
                label=_("“%(title)s” done on") % {"title": milestone.title},
                required=False,
                widget=DATE,
            )
            self.fields[name + "_evidence"] = forms.CharField(
                label=_("Evidence"), required=False, max_length=500
            )
            self.milestone_fields.append((milestone, name))
        self.style_fields()


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
    reason = forms.CharField(
        label=_("Reason or remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


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
        help_text=_("One a line: name | target | unit | higher or lower, e.g. 培训 | 300 | 人次"),
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


class CarryOverForm(StyledFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label=_("Into the plan"), queryset=WorkPlan.objects.none())
    deadline = forms.DateField(label=_("New deadline"), required=False, widget=DATE)

    def __init__(self, *args: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = plans


class CategoryForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)


class CategoryRenameForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReportOverviewForm(StyledFormMixin, forms.Form):
    """The report overview's filters (from the query string; page, drill-down and export)."""

    compact = True
    cadence = forms.ChoiceField(
        label=_("Report cadence"),
        required=False,
        choices=[
            (Task.Cadence.MONTHLY, _("Monthly")),
            (Task.Cadence.QUARTERLY, _("Quarterly")),
            (Task.Cadence.WEEKLY, _("Weekly")),
        ],
    )
    plan = forms.ModelChoiceField(
        label=_("Work plan"),
        queryset=WorkPlan.objects.none(),
        required=False,
        empty_label=_("All plans"),
    )
    lead_unit = forms.TypedChoiceField(
        label=_("Lead unit"), required=False, coerce=int, empty_value=None
    )
    period = forms.DateField(
        label=_("Period"), required=False, widget=forms.Select(choices=[("", "")])
    )

    def __init__(self, *args: Any, plans: Any, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = plans
        cast(forms.TypedChoiceField, self.fields["lead_unit"]).choices = [
            ("", _("All units")),
            *((u.pk, "\u3000" * max(0, u.depth - 1) + u.name) for u in units),
        ]
        self.units = {u.pk: u for u in units}

    def set_periods(self, periods: list[tuple[str, str]]) -> None:
        widget = cast(forms.Select, self.fields["period"].widget)
        widget.choices = [("", _("All periods")), *periods]
