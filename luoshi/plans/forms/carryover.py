"""The form that carries an unfinished task into a later plan."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin

from ..models import WorkPlan
from .tasks import DATE


class CarryOverForm(StyledFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label=_("Into the plan"), queryset=WorkPlan.objects.none())
    deadline = forms.DateField(label=_("New deadline"), required=False, widget=DATE)

    def __init__(self, *args: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = plans
