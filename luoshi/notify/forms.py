from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core.forms import StyledFormMixin
from luoshi.orgs.models import OrgUnit

from .models import Delivery, WebhookEndpoint


class PreferenceForm(StyledFormMixin, forms.Form):
    email = forms.BooleanField(label=_("Send me notices by e-mail too"), required=False)
    email_families = forms.MultipleChoiceField(
        label=_("E-mail for these kinds of notices"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, families: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["email_families"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = families
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs["class"] = "form-check-input"


class WebhookForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The robot's webhook address, e.g. https://qyapi.weixin.qq.com/…"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=WebhookEndpoint.Kind.choices)
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "DingTalk robots with 加签 only: the secret starting with SEC. Left empty when "
            "editing, the current secret is kept."
        ),
    )
    clear_secret = forms.BooleanField(label=_("Stop signing"), required=False)
    events = forms.CharField(
        label=_("Events"),
        required=False,
        max_length=1000,
        help_text=_(
            "Event codes or families separated by commas, e.g. supervision, "
            "appraisal.published; empty: every event."
        ),
    )
    org_unit = forms.ModelChoiceField(
        label=_("Org unit"),
        required=False,
        queryset=OrgUnit.objects.none(),
        help_text=_("Only messages about this unit and the units below it; empty: all."),
    )
    active = forms.BooleanField(
        label=pgettext_lazy("switched on", "Active"), required=False, initial=True
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OrgUnit.objects.filter(is_active=True).order_by("path")

    def clean_events(self) -> list[str]:
        raw = self.cleaned_data.get("events") or ""
        return [e for e in re.split(r"[\s,，;；]+", raw) if e]


class DeliveryFilterForm(StyledFormMixin, forms.Form):
    compact = True
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Delivery.Status.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Delivery.Channel.choices]
    )
