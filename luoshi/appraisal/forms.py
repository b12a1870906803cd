from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import OrgUnit

from . import rules
from .models import Appeal, Participant

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


def _grade_choices(family: str, *, blank: str = "") -> list[tuple[str, str]]:
    return [("", blank or "—"), *rules.grade_choices(family)]


class CycleForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    as_of = forms.DateField(
        label=_("Participants as of"),
        widget=DATE,
        required=False,
        help_text=_("Left empty: 31 December of the year."),
    )
    notice_issuer = forms.CharField(label=_("Issuing body"), max_length=200, required=False)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies


class SummaryForm(StyledFormMixin, forms.Form):
    duties = forms.CharField(label=_("Work done or in charge of"), required=False, widget=TEXT)
    self_summary = forms.CharField(
        label=_("Self-summary"), widget=forms.Textarea(attrs={"rows": 10})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProposalForm(StyledFormMixin, forms.Form):
    comments = forms.CharField(label=_("Comments"), widget=forms.Textarea(attrs={"rows": 5}))
    grade = forms.ChoiceField(label=_("Proposed grade"), required=False)

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["grade"]).choices = _grade_choices(
            participant.family, blank=str(_("No grade (comments only)"))
        )


# The committee's choices: a grade code, NO_GRADE (不定等次, for those not graded) or
# AS_PROPOSED (the supervising leader's proposal); "" is no choice, which the form refuses.
NO_GRADE = "none"
AS_PROPOSED = "proposed"  # services.AS_PROPOSED (forms sit below services: the word is repeated)


def decision_choices(p: Participant) -> list[tuple[str, str]]:
    """The committee's choices for one person: only what the rules allow them, "as proposed"
    first when there is a proposal — and nothing chosen for them by default."""
    elig = rules.Eligibility(
        p.eligibility, p.eligibility_reason, p.may_be_excellent, p.forced_grade
    )
    out: list[tuple[str, str]] = []
    if p.proposed_at is not None:
        proposed = rules.grade_label(p.family, p.proposed_grade) or str(_("No grade"))
        out.append((AS_PROPOSED, str(_("As proposed: %(grade)s") % {"grade": proposed})))
    if p.eligibility == rules.GRADED:
        out += [
            (g, label) for g, label in rules.grade_choices(p.family) if rules.grade_allowed(g, elig)
        ]
    else:
        out.append((NO_GRADE, str(_("No grade"))))
    return out


def decision_default(p: Participant) -> str:
    """What a person's choice shows before any change: the decision on record, else "as
    proposed" when there is a proposal, else nothing — never a grade picked for the committee."""
    if p.decided_at is not None:
        return p.decided_grade or NO_GRADE
    if p.proposed_at is not None:
        return AS_PROPOSED
    return ""


class DecisionForm(StyledFormMixin, forms.Form):
    grade = forms.ChoiceField(label=_("Grade"))
    note = forms.CharField(label=_("Committee opinion"), required=False, widget=TEXT)

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participant = participant
        cast(forms.ChoiceField, self.fields["grade"]).choices = [
            ("", _("— choose —")),
            *decision_choices(participant),
        ]

    def clean_grade(self) -> str:
        value = str(self.cleaned_data["grade"])
        if value == AS_PROPOSED:
            return self.participant.proposed_grade
        return "" if value == NO_GRADE else value


PENALTY_CHOICES = [("", "—"), *[(k, v) for k, v in rules.PENALTY_LABELS.items()]]
OVERRIDE_CHOICES = [
    ("", _("As the rules give it")),
    *[(k, v) for k, v in rules.ELIGIBILITY_LABELS.items()],
]


class EligibilityForm(StyledFormMixin, forms.Form):
    leave_days = forms.IntegerField(
        label=_("Days of sick or personal leave"), min_value=0, max_value=366
    )
    under_investigation = forms.BooleanField(label=_("Under investigation"), required=False)
    penalty = forms.ChoiceField(label=_("Penalty"), choices=PENALTY_CHOICES, required=False)
    penalty_year = forms.IntegerField(
        label=_("Penalty year"), min_value=2000, max_value=2100, required=False
    )
    override = forms.ChoiceField(label=_("Eligibility"), choices=OVERRIDE_CHOICES, required=False)
    reason = forms.CharField(label=_("Reason for the change"), widget=TEXT)


class QuotaForm(StyledFormMixin, forms.Form):
    percent = forms.DecimalField(
        label=_("Excellent quota (%)"), max_digits=5, decimal_places=2, min_value=0
    )
    approved_by = forms.CharField(label=_("Raise approved by"), max_length=200, required=False)
    approval_document = forms.CharField(
        label=_("Approval document"), max_length=200, required=False
    )
    approved_on = forms.DateField(label=_("Approved on"), widget=DATE, required=False)


class UnitQuotaForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    places = forms.IntegerField(label=_("Excellent places"), min_value=0, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units


class MeetingForm(StyledFormMixin, forms.Form):
    meeting_date = forms.DateField(label=_("Committee meeting date"), widget=DATE)
    members_present = forms.CharField(label=_("Members present"), widget=TEXT)


class PublicityForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=_("Publicity from"), widget=DATE)


class ObjectionForm(StyledFormMixin, forms.Form):
    participant = forms.ChoiceField(label=_("Concerning"), required=False)
    text = forms.CharField(label=_("Objection"), widget=TEXT)

    def __init__(self, *args: Any, listed: list[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["participant"]).choices = [
            ("", _("The list as a whole")),
            *[(str(p.pk), p.person.name) for p in listed],
        ]


class AnswerForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=TEXT)


class AckForm(StyledFormMixin, forms.Form):
    choice = forms.ChoiceField(
        label=_("Your opinion"), choices=Participant.Ack.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(label=_("Text"), required=False, widget=TEXT)


class AppealForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Appeal.Kind.choices)
    learned_on = forms.DateField(label=_("Learned of the result on"), widget=DATE, required=False)
    reason = forms.CharField(label=_("Reasons"), widget=TEXT)


class AppealDecisionForm(StyledFormMixin, forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=TEXT)
    new_grade = forms.ChoiceField(label=_("New grade"), required=False)

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["new_grade"]).choices = _grade_choices(
            participant.family, blank=str(_("Unchanged"))
        )


class PendingForm(StyledFormMixin, forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=TEXT)

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["grade"]).choices = _grade_choices(
            participant.family, blank=str(_("No grade"))
        )


class RoutineOpenForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.IntegerField(label=_("Quarter"), min_value=1, max_value=4)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units


class RoutineGradeForm(StyledFormMixin, forms.Form):
    grade = forms.ChoiceField(
        label=_("Grade"),
        choices=[("", "—"), *[(g, rules.ROUTINE_LABELS[g]) for g in rules.ROUTINE_GRADES]],
    )
    comments = forms.CharField(label=_("Comments"), required=False, widget=TEXT)


class LeadershipScoreForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    score = forms.DecimalField(
        label=_("Leadership evaluation score"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )
