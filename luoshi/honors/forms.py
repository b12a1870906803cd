"""Forms of the commendation pages (field checks only; the process rules are the services')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core import importflow
from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import OrgUnit, Person

from . import rules
from .models import Program

DATE = forms.DateInput(attrs={"type": "date"})
EMPTY = [("", "—")]


class ProgramForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Agency"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=pgettext_lazy("program", "Title"), max_length=200)
    scope = forms.ChoiceField(label=_("Scope"), choices=EMPTY + list(Program.Scope.choices))
    approval_reference = forms.CharField(
        label=_("Approval reference"),
        max_length=200,
        required=False,
        help_text=_(
            "Needed before the program opens when it spans the federation system or its title "
            "uses words such as 全国 or 中国."
        ),
    )
    nomination_deadline = forms.DateField(label=_("Nominations due"), required=False, widget=DATE)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class QuotaForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Award kind"), choices=EMPTY + rules.KIND_CHOICES)
    family = forms.ChoiceField(
        label=_("Staff family"),
        required=False,
        choices=[
            ("", _("Everyone (Party and collective honours)")),
            (rules.CIVIL_SERVANT, _("Civil servants and staff managed like them")),
            (rules.PUBLIC_INSTITUTION, _("Public institution staff")),
        ],
    )
    percent = forms.DecimalField(
        label=_("Share (%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    places = forms.IntegerField(label=_("Places"), required=False, min_value=0, max_value=100000)


class AllocationForm(StyledFormMixin, forms.Form):
    allocation = forms.IntegerField(widget=forms.HiddenInput)
    places = forms.IntegerField(label=_("Places"), min_value=0, max_value=100000)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300)


class ApprovalForm(StyledFormMixin, forms.Form):
    reference = forms.CharField(label=_("Approval reference"), max_length=200)


class PublicityForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=_("Publicity from"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start"].initial = today
        self.fields["start"].widget.attrs["min"] = today.isoformat()


class NumberForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label=_("Decision document number"), max_length=64)


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


EVIDENCE_HELP = _("PDF, images, Word, Excel, OFD or zip; each file within the size limit.")


def evidence_field() -> MultipleFileField:
    return MultipleFileField(label=_("Evidence files"), required=False, help_text=EVIDENCE_HELP)


class NominationForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Award kind"))
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(), label=_("Person"), required=False
    )
    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        label=_("Collective (unit)"),
        required=False,
        help_text=_("For a collective honour only."),
    )
    deeds_brief = forms.CharField(label=_("Brief deeds"), widget=forms.Textarea(attrs={"rows": 3}))
    deeds = forms.CharField(
        label=_("Deeds"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    unit_opinion = forms.CharField(
        label=_("Unit opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = evidence_field()

    def __init__(
        self, *args: Any, kinds: list[tuple[str, Any]], people: Any, units: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = EMPTY + kinds  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        pol = rules.policy()
        for name, limit in (
            ("deeds_brief", pol.deeds_brief_max),
            ("deeds", max(pol.deeds_person_max, pol.deeds_collective_max)),
        ):
            self.fields[name].widget.attrs.update({"data-counter": limit})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind and rules.kind(kind).collective:
            if not data.get("unit"):
                self.add_error("unit", _("Choose the unit for a collective honour."))
            data["person"] = None
        elif kind:
            if not data.get("person"):
                self.add_error("person", _("Choose the person nominated."))
            data["unit"] = None
        return data


class NominationEditForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    deeds_brief = forms.CharField(label=_("Brief deeds"), widget=forms.Textarea(attrs={"rows": 3}))
    deeds = forms.CharField(
        label=_("Deeds"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    unit_opinion = forms.CharField(
        label=_("Unit opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = evidence_field()

    def __init__(self, *args: Any, collective: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        brief, full = rules.deeds_limits(rules.policy(), collective=collective)
        self.fields["deeds_brief"].widget.attrs.update({"data-counter": brief})
        self.fields["deeds"].widget.attrs.update({"data-counter": full})


class MeritConfirmForm(StyledFormMixin, forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    document_number = forms.CharField(label=_("Document number"), max_length=64)


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class VetForm(StyledFormMixin, forms.Form):
    body = forms.ChoiceField(label=_("Vetting body"))
    verdict = forms.ChoiceField(
        label=_("Opinion"),
        widget=forms.RadioSelect,
        choices=[(v, rules.VERDICT_LABELS[v]) for v in rules.VERDICTS],
    )
    note = forms.CharField(
        label=pgettext_lazy("vetting", "Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, bodies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [  # type: ignore[attr-defined]
            (b, rules.body_label(b)) for b in bodies
        ]


class DecisionForm(StyledFormMixin, forms.Form):
    approved = forms.MultipleChoiceField(
        label=_("Approved"), widget=forms.CheckboxSelectMultiple, required=False
    )
    decision_body = forms.CharField(label=_("Deciding body"), max_length=100)
    decision_date = forms.DateField(label=_("Decision date"), widget=DATE)
    record = forms.CharField(label=_("Meeting record"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approved"].choices = choices  # type: ignore[attr-defined]
        self.fields["decision_date"].widget.attrs["max"] = timezone.localdate().isoformat()


class ObjectionForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(StyledFormMixin, forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))
    withdraw = forms.BooleanField(
        label=_("The objection holds: take the nominee off the list"), required=False
    )


class ExternalHonourForm(StyledFormMixin, forms.Form):
    """An honour received from a higher body, for a unit or one of its people."""

    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Unit"))
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label=_("Person"),
        required=False,
        help_text=_("Empty for an honour of the unit itself."),
    )
    kind = forms.ChoiceField(label=_("Award kind"), choices=EMPTY + rules.KIND_CHOICES)
    title = forms.CharField(label=_("Honour"), max_length=200)
    approving_body = forms.CharField(label=_("Awarding body"), max_length=200)
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    awarded_on = forms.DateField(label=_("Date"), widget=DATE)

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person, unit = data.get("person"), data.get("unit")
        if person is not None and unit is not None and person.unit_id != unit.pk:
            self.add_error("person", _("The person is not of this unit."))
        return data


class RevokeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    document_number = forms.CharField(label=_("Revocation document"), max_length=64)


class VerifyForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=64)


class ImportForm(StyledFormMixin, forms.Form):
    file = importflow.file_field(
        _("Excel workbook (.xlsx)"),
        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        help_id="honors-import-file-help",
    )
