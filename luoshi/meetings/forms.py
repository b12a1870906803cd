"""Forms of the meeting pages (field checks only; the process rules are the services')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import OrgUnit, Person

from .models import AgendaItem, Meeting, Participant

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"})


class MeetingForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Agency"))
    year = forms.IntegerField(label=_("Year summed up"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=pgettext_lazy("meeting", "Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE)
    starts_at = forms.TimeField(label=_("Starts at"), required=False, widget=TIME)
    venue = forms.CharField(label=_("Venue"), max_length=200)
    presiding = forms.ModelChoiceField(
        queryset=Person.objects.none(), label=_("Presiding leader"), required=False
    )
    honour_side = forms.ChoiceField(label=_("Side of honour"), choices=Meeting.HonourSide.choices)

    def __init__(self, *args: Any, agencies: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["presiding"].queryset = people  # type: ignore[attr-defined]


class MeetingEditForm(StyledFormMixin, forms.Form):
    """A meeting's particulars, with the version read; the fields its state no longer lets
    change are shown disabled (the services' UPDATABLE_IN)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=pgettext_lazy("meeting", "Title"), max_length=200)
    # a date input's value must be ISO whatever the language's date format
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    starts_at = forms.TimeField(
        label=_("Starts at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    venue = forms.CharField(label=_("Venue"), max_length=200)
    presiding = forms.ModelChoiceField(
        queryset=Person.objects.none(), label=_("Presiding leader"), required=False
    )
    honour_side = forms.ChoiceField(label=_("Side of honour"), choices=Meeting.HonourSide.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: Any, editable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presiding"].queryset = people  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if name != "version" and name not in editable:
                field.disabled = True


class AgendaForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices)
    title = forms.CharField(label=pgettext_lazy("agenda item", "Title"), max_length=200)
    presenter = forms.ModelChoiceField(
        queryset=Person.objects.none(), label=_("Presenter"), required=False
    )
    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), label=_("Reporting unit"), required=False
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=240, required=False
    )
    reads = forms.ChoiceField(label=_("Reads"), choices=AgendaItem.Reads.choices, required=False)
    material_due = forms.DateField(label=_("Material due"), required=False, widget=DATE)

    def __init__(self, *args: Any, people: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = people  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class GuestForm(StyledFormMixin, forms.Form):
    guest_name = forms.CharField(label=_("Name"), max_length=64)
    guest_body = forms.CharField(label=_("Body"), max_length=128)
    guest_title = forms.CharField(
        label=pgettext_lazy("guest", "Title"), max_length=128, required=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)


class RequirementForm(StyledFormMixin, forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=99, required=False)
    text = forms.CharField(label=_("Requirement"), max_length=500)
    passage = forms.CharField(
        label=_("Passage of the speech"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SupervisionForm(StyledFormMixin, forms.Form):
    lead_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Lead unit"))
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]


class DecisionsForm(StyledFormMixin, forms.Form):
    decisions = forms.CharField(
        label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("Material (PDF)"))
