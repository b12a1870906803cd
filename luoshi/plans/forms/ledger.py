"""The ledger's filter form (the query string of /tasks/)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.core.apitypes import MAX_ID
from luoshi.core.forms import FastSelect, StyledFormMixin

from ..models import Task
from ..selectors.categories import ledger_category_choices
from ..selectors.ledger import TaskFilter
from .tasks import _int_or_none


class LedgerFilterForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Code, title or text")}),
    )
    # Plain integers with a pre-rendered list: the selectors scope whatever id comes in, and a
    # ChoiceField would normalise and search hundreds of choices on every request.
    lead_unit = forms.IntegerField(
        label=_("Lead unit"), required=False, min_value=1, widget=FastSelect
    )
    leader_in_charge = forms.IntegerField(
        label=_("Leader in charge"), required=False, min_value=1, widget=FastSelect
    )
    light = forms.ChoiceField(
        label=_("Light"), required=False, choices=[("", _("All lights")), *Task.Light.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open tasks")), *Task.Status.choices]
    )
    category = forms.IntegerField(
        label=_("Category"), required=False, min_value=1, max_value=MAX_ID, widget=FastSelect
    )
    key_only = forms.BooleanField(label=_("Key tasks only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    plan = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        units: list[tuple[int, str]],
        leaders: list[tuple[int, str]],
        user: Any = None,
        categories: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        # The categories of the agencies the viewer's scope covers (a bounded list; without the
        # viewer, none is listed, and a category id in the query string still filters), or the
        # list the caller computed (plans.selectors.choices caches it).
        if categories is None:
            categories = []
            if user is not None:
                chosen = _int_or_none(self.data.get("category"))
                categories = ledger_category_choices(user, chosen)
        cast(FastSelect, self.fields["category"].widget).choices = [
            ("", _("All categories")),
            *categories,
        ]
        cast(FastSelect, self.fields["lead_unit"].widget).choices = [
            ("", _("All units")),
            *units,
        ]
        cast(FastSelect, self.fields["leader_in_charge"].widget).choices = [
            ("", _("All leaders")),
            *leaders,
        ]

    def to_filter(self) -> TaskFilter:
        if not self.is_valid():
            return TaskFilter()
        d = self.cleaned_data
        return TaskFilter(
            q=d["q"] or "",
            lead_unit=d["lead_unit"],
            leader_in_charge=d["leader_in_charge"],
            light=d["light"] or "",
            status=d["status"] or "",
            category=d["category"],
            key_only=d["key_only"],
            overdue=d["overdue"],
        )
