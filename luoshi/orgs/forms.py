from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core.forms import StyledFormMixin

from .models import OrgUnit, Person, PoliticalStatus, Post, Rank, StaffCategory
from .roles import ADMIN_ROLES, Role, ScopeKind
from .selectors import PeopleFilter


class LoginForm(StyledFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Username or mobile"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OneTimeCodeForm(StyledFormMixin, forms.Form):
    """The 6 digits of the authenticator app (sign-in, enrolment, and the two-factor actions)."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "maxlength": "12",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
        help_text=_("The 6 digits the app shows now; they change every 30 seconds."),
    )


class RecoveryCodeForm(StyledFormMixin, forms.Form):
    """A recovery code instead of the app (letters and digits, e.g. abcde-fghij)."""

    recovery = forms.CharField(
        label=_("Recovery code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
        help_text=_("Each recovery code works once."),
    )


class PeopleFilterForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name or mobile"), "type": "search"}),
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    staff_category = forms.ModelChoiceField(
        label=_("Staff category"),
        queryset=StaffCategory.objects.all(),
        required=False,
        empty_label=_("All categories"),
    )
    rank = forms.ModelChoiceField(
        label=_("Rank"), queryset=Rank.objects.all(), required=False, empty_label=_("All ranks")
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", _("All")), *list(Person.Gender.choices)]
    )

    def __init__(self, *args: Any, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", _("All units"))] + [
            (u.pk, "\u3000" * max(0, u.depth - 1) + u.name) for u in units
        ]


def people_filter_from(form: PeopleFilterForm) -> PeopleFilter:
    """The selector filter a (bound) people filter form stands for; no filter if it is invalid."""
    if not form.is_valid():
        return PeopleFilter()
    data = form.cleaned_data
    return PeopleFilter(
        q=data["q"] or "",
        unit=data["unit"],
        staff_category=data["staff_category"].pk if data["staff_category"] else None,
        rank=data["rank"].pk if data["rank"] else None,
        gender=data["gender"] or "",
    )


class MonthField(forms.DateField):
    """A year and month, typed as 2016-07 or 2016.07; stored as the first of the month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y.%m", "%Y-%m-%d"]


class PersonForm(StyledFormMixin, forms.ModelForm):
    birth_month = MonthField(label=_("Birth month"), required=False)
    work_start = MonthField(label=_("Work start"), required=False)
    post_since = MonthField(label=_("Current post since"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "birth_month",
            "political_status",
            "unit",
            "post",
            "rank",
            "staff_category",
            "work_start",
            "post_since",
            "mobile",
            "is_active",
        ]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        cast(
            forms.ModelChoiceField, self.fields["political_status"]
        ).queryset = PoliticalStatus.objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["post"]).queryset = Post.objects.filter(
            is_active=True
        )
        cast(forms.ModelChoiceField, self.fields["rank"]).queryset = Rank.objects.filter(
            is_active=True
        )
        cast(
            forms.ModelChoiceField, self.fields["staff_category"]
        ).queryset = StaffCategory.objects.filter(is_active=True)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class TokenForm(StyledFormMixin, forms.Form):
    compact = True
    name = forms.CharField(
        label=_("Token name"),
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. monthly report script")}),
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"),
        required=False,
        min_value=1,
        max_value=settings.LUOSHI_TOKEN_MAX_DAYS,
        help_text=_("Empty: %(days)d days.") % {"days": settings.LUOSHI_TOKEN_DAYS},
    )


class PasswordChangeForm(StyledFormMixin, forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class AccountCreateForm(StyledFormMixin, forms.Form):
    compact = True
    username = forms.CharField(label=_("Username"), max_length=150)
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), required=False
    )
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = people


class RoleAssignForm(StyledFormMixin, forms.Form):
    """Roles granted on the accounts page: every role but the three administrators' (三员).

    The role starts empty and must be chosen: a preselected role is granted by whoever presses
    the button without looking (issue 15 finding 9)."""

    compact = True
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("Choose a role…")), *(c for c in Role.choices if c[0] not in ADMIN_ROLES)],
    )
    scope = forms.ChoiceField(
        label=_("Data scope"),
        choices=[("", _("Default for the role")), *ScopeKind.choices],
        required=False,
    )
    anchor = forms.ModelChoiceField(
        label=_("Scope unit"),
        queryset=OrgUnit.objects.all(),
        required=False,
        empty_label=_("The person's own unit"),
    )


class UnitForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    short_name = forms.CharField(label=_("Short name"), max_length=64, required=False)
    code = forms.CharField(label=_("Code"), max_length=32)
    kind = forms.ChoiceField(label=_("Unit type"), choices=OrgUnit.Kind.choices)
    level = forms.ChoiceField(label=_("Level"), choices=OrgUnit.Level.choices)
    sort_order = forms.IntegerField(label=_("Display order"), initial=0)
    parent = forms.ModelChoiceField(
        label=_("Parent unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("(top level)"),
    )
    head = forms.ModelChoiceField(label=_("Head"), queryset=Person.objects.none(), required=False)
    effective_date = forms.DateField(
        label=_("Effective date of a rename or move"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: Any, unit: OrgUnit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = units if unit is None else units.exclude(path__startswith=unit.path)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents
        heads = Person.objects.filter(unit=unit, is_active=True) if unit else Person.objects.none()
        cast(forms.ModelChoiceField, self.fields["head"]).queryset = heads
        if unit is None:
            del self.fields["head"]


class LeaderAssignForm(StyledFormMixin, forms.Form):
    compact = True
    leader = forms.ModelChoiceField(label=_("Leader in charge"), queryset=Person.objects.none())
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    start_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, units: Any, leaders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        cast(forms.ModelChoiceField, self.fields["leader"]).queryset = leaders


class ListItemForm(StyledFormMixin, forms.Form):
    compact = True
    name = forms.CharField(label=_("Name"), max_length=64)
    sort_order = forms.IntegerField(label=_("Display order"), initial=0)
    is_active = forms.BooleanField(
        label=pgettext_lazy("switched on", "Active"), required=False, initial=True
    )
    is_leadership = forms.BooleanField(label=_("Leadership post"), required=False)
    appraisal_family = forms.ChoiceField(
        label=_("Appraisal rules"), choices=StaffCategory.Family.choices, required=False
    )


class PasswordResetForm(StyledFormMixin, forms.Form):
    compact = True
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
