"""The form that creates a work plan."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import OrgUnit


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
