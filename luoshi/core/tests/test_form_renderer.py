"""The fast form renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from luoshi.core.forms import FastFormRenderer, FastSelect


class Everything(forms.Form):
    q = forms.CharField(widget=forms.TextInput(attrs={"placeholder": 'say "<hi>" & go'}))
    n = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 0, "required": True}))
    email = forms.EmailField()
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.BooleanField(required=False)
    off = forms.BooleanField(required=False)
    choice = forms.ChoiceField(
        choices=[("", "—"), ("a", "A & <b>"), ("b", gettext_lazy("Task ledger")), (3, "three")]
    )
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("x", "Other")]
    )
    many = forms.MultipleChoiceField(choices=[("1", "one"), ("2", "two"), ("3", 'th"ree')])
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    empty_text = forms.CharField(widget=forms.Textarea, required=False)
    safe = forms.CharField(widget=forms.TextInput(attrs={"data-x": mark_safe("<ok>")}))
    disabled = forms.CharField(disabled=True, widget=forms.TextInput(attrs={"hidden": False}))


DATA = {
    "q": "<script>alert('x')</script> & \"quotes\"",
    "n": "0",
    "email": "a@b.cn",
    "secret": "p<a>ss",
    "hidden": "h&h",
    "day": "2026-11-27",
    "flag": "on",
    "choice": "a",
    "grouped": "pear",
    "many": ["1", "3"],
    "text": "line 1\n<line 2> & ‘引号’",
    "safe": "x",
    "disabled": "d",
}


@pytest.mark.parametrize("data", [DATA, None], ids=["bound", "unbound"])
def test_every_simple_widget_renders_exactly_as_the_templates(data) -> None:
    initial = {"day": dt.date(2026, 1, 2), "choice": 3, "flag": True, "text": "初始"}
    form = Everything(data, initial=initial)
    reference = Everything(data, initial=initial, renderer=DjangoTemplates())
    assert isinstance(form.renderer, FastFormRenderer)
    for name in form.fields:
        assert str(form[name]).strip() == str(reference[name]).strip(), name


def test_other_widgets_fall_back_to_their_templates() -> None:
    class Other(forms.Form):
        radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        upload = forms.FileField()

    form, reference = Other(), Other(renderer=DjangoTemplates())
    for name in form.fields:
        assert str(form[name]) == str(reference[name]), name


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", "2", 3, ["2"]])
def test_fast_select_writes_the_options_a_select_writes(value) -> None:
    choices = [("", "—"), (2, 'Two & "<2>"'), (3, gettext_lazy("Task ledger")), ("x", "x")]
    attrs = {"class": "form-select", "id": "id_unit"}
    fast = FastSelect(attrs=attrs, choices=choices).render("unit", value)
    plain = forms.Select(attrs=attrs, choices=choices).render("unit", value)
    assert _squeeze(fast) == _squeeze(plain)
    # the markup of a list is kept: the second rendering marks another entry, not both
    again = FastSelect(attrs=attrs, choices=choices).render("unit", "x")
    assert again.count(" selected") == 1 and '<option value="x" selected>x</option>' in again
