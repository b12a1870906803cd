from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import OrgUnit, Person
from luoshi.plans.models import Task

from .models import Feedback, SupervisionItem
from .selectors import ItemFilter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
Item = SupervisionItem


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the Django documentation's recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ItemForm(StyledFormMixin, forms.Form):
    """Register an item: paste the instruction, pick the units."""

    source = forms.ChoiceField(label=_("Source"), choices=Item.Source.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    instruction_text = forms.CharField(
        label=_("Instruction text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Paste the leader's instruction as written."),
    )
    instruction_by = forms.ModelChoiceField(
        label=_("Instruction by"), queryset=Person.objects.none(), required=False
    )
    instruction_on = forms.DateField(label=_("Instruction date"), required=False, widget=DATE)
    source_document = forms.CharField(
        label=_("Source document"),
        max_length=300,
        required=False,
        help_text=_("The document the instruction was written on, or the higher-level document."),
    )
    meeting = forms.CharField(label=_("Meeting"), max_length=200, required=False)
    meeting_item = forms.CharField(label=_("Meeting item"), max_length=300, required=False)
    task = forms.ModelChoiceField(label=_("Key task"), queryset=Task.objects.none(), required=False)
    content = forms.CharField(
        label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label=_("Type"), choices=Item.Kind.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Item.Urgency.choices)
    is_major = forms.BooleanField(label=_("Major item"), required=False)
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=OrgUnit.objects.none())
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("Cooperating units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    responsible_person = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=Person.objects.none(), required=False
    )
    leader_in_charge = forms.ModelChoiceField(
        label=_("Leader in charge"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Left empty: the leader in charge of the lead unit."),
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    deadline_working_days = forms.IntegerField(
        label=_("Or working days from assignment"),
        required=False,
        min_value=1,
        max_value=400,
        help_text=_("Counted on the working-day calendar, holidays and make-up days included."),
    )
    report_cadence = forms.ChoiceField(
        label=_("Report cadence"), choices=Item.Cadence.choices, initial=Item.Cadence.MONTHLY
    )
    remarks = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, units: Any, people: Any, leaders: Any, tasks: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        cast(forms.ModelChoiceField, f["lead_unit"]).queryset = units
        cast(forms.ModelMultipleChoiceField, f["cooperating_units"]).queryset = units
        cast(forms.ModelChoiceField, f["responsible_person"]).queryset = people
        cast(forms.ModelChoiceField, f["leader_in_charge"]).queryset = leaders
        cast(forms.ModelChoiceField, f["instruction_by"]).queryset = leaders
        cast(forms.ModelChoiceField, f["task"]).queryset = tasks


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FeedbackForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Feedback.Kind.choices)
    text = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 4}))
    percent = forms.IntegerField(
        label=_("Progress (%)"), required=False, min_value=0, max_value=100
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("return", _("Return"))]
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when returning."),
    )


class ExtensionForm(StyledFormMixin, forms.Form):
    new_deadline = forms.DateField(label=_("New deadline"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    note = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LedgerFilterForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, title or text")}),
    )
    lead_unit = forms.TypedChoiceField(
        label=_("Lead unit"), required=False, coerce=int, empty_value=None
    )
    leader_in_charge = forms.TypedChoiceField(
        label=_("Leader in charge"), required=False, coerce=int, empty_value=None
    )
    light = forms.ChoiceField(
        label=_("Light"), required=False, choices=[("", _("All lights")), *Item.Light.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open items")), *Item.Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Item.Kind.choices]
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("Any urgency")), *Item.Urgency.choices],
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *Item.Source.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue items only"), required=False)

    def __init__(self, *args: Any, units: list[OrgUnit], leaders: list[Person], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["lead_unit"]).choices = [
            ("", _("All units")),
            *((u.pk, "\u3000" * max(0, u.depth - 1) + u.name) for u in units),
        ]
        cast(forms.TypedChoiceField, self.fields["leader_in_charge"]).choices = [
            ("", _("All leaders")),
            *((p.pk, p.name) for p in leaders),
        ]

    def to_filter(self) -> ItemFilter:
        if not self.is_valid():
            return ItemFilter()
        d = self.cleaned_data
        return ItemFilter(
            q=d["q"] or "",
            lead_unit=d["lead_unit"],
            leader_in_charge=d["leader_in_charge"],
            light=d["light"] or "",
            status=d["status"] or "",
            kind=d["kind"] or "",
            urgency=d["urgency"] or "",
            source=d["source"] or "",
            overdue=d["overdue"],
        )


class BulletinCompileForm(StyledFormMixin, forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("Year and month, for example 2025-10."),
    )


class BulletinEditForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    closing = forms.CharField(
        label=_("Closing remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SettingsForm(StyledFormMixin, forms.Form):
    number_prefix = forms.CharField(
        label=_("Item number prefix"),
        max_length=16,
        help_text=_("Numbers read like 督办〔2025〕12号."),
    )
    urging_prefix = forms.CharField(label=_("Urging notice prefix"), max_length=16)
    issuing_body = forms.CharField(
        label=_("Issuing body"),
        max_length=64,
        required=False,
        help_text=_("Printed on assignment sheets, urging notices and bulletins."),
    )
    reminder_working_days = forms.IntegerField(
        label=_("Reminder before the deadline (working days)"), min_value=0, max_value=60
    )
    escalate_after_working_days = forms.IntegerField(
        label=_("Escalate after the first overdue working day (working days)"),
        min_value=0,
        max_value=60,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
