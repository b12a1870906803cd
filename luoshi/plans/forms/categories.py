"""Forms of the office's task categories."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.forms import StyledFormMixin


class CategoryForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)


class CategoryRenameForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    version = forms.IntegerField(widget=forms.HiddenInput)
