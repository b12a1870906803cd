from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import OrgUnit

from .models import Campaign


class CampaignForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    family = forms.ChoiceField(label=_("Grade scale"), choices=Campaign.Family.choices)
    # no preselected mode: whether the system may know who voted is the officer's choice
    ballot_mode = forms.ChoiceField(
        label=_("Ballot mode"),
        choices=[("", _("— choose —")), *Campaign.BallotMode.choices],
        help_text=_(
            "Identified ballots: each voter on the list signs in and opens their own ballot; the "
            "system records that they voted, not how. Anonymous slips: codes assigned to nobody "
            "are printed per rater category and drawn at random at the meeting; the system does "
            "not know who holds which code. It can be changed until the ballots are issued."
        ),
    )
    min_ballots = forms.IntegerField(
        label=_("Minimum number of ballots"),
        min_value=1,
        max_value=10000,
        help_text=_("A candidate's result counts only with at least this many rated ballots."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=64,
        required=False,
        help_text=_("Optional, e.g. the annual appraisal it serves."),
    )

    def __init__(self, *args: Any, units: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["unit"]
            del self.fields["family"]
            self.fields["ballot_mode"].choices = Campaign.BallotMode.choices  # type: ignore[attr-defined]
        else:
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Ballot code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
