"""The progress report form and the report overview's filter form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import OrgUnit

from ..models import Indicator, Milestone, Task, WorkPlan
from .tasks import DATE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Any number of files (none is fine); each is checked by the report service."""

    MAX_FILES = 10

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > self.MAX_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)d files at once.") % {"count": self.MAX_FILES}
            )
        return [super(EvidenceField, self).clean(f, initial) for f in files]


class ReportForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Progress this period"), widget=forms.Textarea(attrs={"rows": 4})
    )
    percent = forms.IntegerField(
        label=_("Overall progress (%)"), min_value=0, max_value=100, required=False
    )

    drop_reason = forms.CharField(
        label=_("Reason for the lower progress"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence = EvidenceField(
        label=_("Evidence files"),
        help_text=_("PDF, images, Office documents, OFD, zip or text; optional."),
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
        """`milestones` and `indicators`: the task's, when the caller has read them already.

        The lead unit sees the progress it reported last and a field for the reason of a drop
        (the report service refuses a lower progress without one)."""
        super().__init__(*args, **kwargs)
        if not is_lead:
            del self.fields["percent"]
            del self.fields["drop_reason"]
        else:
            self.previous_percent = task.progress
            percent = self.fields["percent"]
            percent.help_text = _("Last reported: %(n)d%%") % {"n": task.progress}
            percent.widget.attrs["data-previous"] = str(task.progress)
            self.fields["drop_reason"].help_text = _(
                "Needed when the progress is lower than the %(n)d%% last reported."
            ) % {"n": task.progress}
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
            if not indicator.allows_negative:  # the report service refuses below zero
                self.fields[name].widget.attrs["min"] = "0"
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
