"""Pages for organizations, people, accounts and the signed-in user's profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from luoshi.core import home as home_cards
from luoshi.core.errors import DomainError, NotFound
from luoshi.core.forms import apply_domain_error
from luoshi.core.paging import paginate

from .. import permissions as perms
from .. import selectors, services, twofactor
from ..forms import (
    AccountCreateForm,
    LeaderAssignForm,
    ListItemForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    PeopleFilterForm,
    PersonForm,
    RoleAssignForm,
    TokenForm,
    UnitForm,
    people_filter_from,
)
from ..middleware import SESSION_PENDING, SESSION_VERIFIED
from ..models import (
    LeaderAssignment,
    OrgUnit,
    PoliticalStatus,
    Post,
    Rank,
    RoleAssignment,
    StaffCategory,
    User,
)
from ..roles import ADMIN_ROLES


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- session ----------------------------------------------------------------------------------


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    status, retry_after = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_authenticate(
                identifier=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            if exc.retry_after:  # slowed down: the message names the wait; 429 + Retry-After
                form.add_error(None, exc.message)
                status, retry_after = exc.status, exc.retry_after
            else:
                apply_domain_error(form, exc)
        else:
            if twofactor.is_enrolled(user):
                # The second step (views.twofactor.login_code): nobody is signed in until then.
                request.session.cycle_key()
                request.session[SESSION_PENDING] = {
                    "user": user.pk,
                    "at": timezone.now().timestamp(),
                    "next": _safe_next(request, reverse("home")),
                }
                return redirect("orgs:login_code")
            return complete_login(request, user, _safe_next(request, reverse("home")))
    response = render(
        request,
        "registration/login.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def complete_login(request: HttpRequest, user: User, target: str) -> HttpResponse:
    """Sign the account in (both factors passed, or the only one it needs) and go on."""
    from django.conf import settings

    login(request, user, backend="luoshi.orgs.auth.AccountBackend")
    if not twofactor.enrolment_needed(user):
        request.session[SESSION_VERIFIED] = "ok"
    response = redirect(target)
    if user.language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language; for a signed-in user the choice is kept on the account."""
    from django.conf import settings

    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request, reverse("home")))
    if language not in {code for code, _name in settings.LANGUAGES}:
        return response
    if request.user.is_authenticated:
        services.user_set_language(actor=request.user, user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
    )
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    person = user.person  # type: ignore[union-attr]
    # What the user is to do leads the page; the org tree's figures are for the one who keeps
    # it (issue 15 finding 12: a leader's home led with "units I can see 17").
    keeps_org = perms.maintains_org(user)
    business = not perms.scope_for(user).is_empty
    context = {
        "person": person,
        "roles": sorted(perms.roles_of(user)),
        "role_labels": [r.get_role_display() for r in user.role_assignments.all()],  # type: ignore[union-attr]
        "keeps_org": keeps_org,
        "is_administrator": bool(perms.roles_of(user) & ADMIN_ROLES),  # their pages, as links
        "unit_count": selectors.units_visible(user).count() if keeps_org else None,
        "people_count": (
            selectors.people_visible(user).filter(is_active=True).count() if keeps_org else None
        ),
        "todos": home_cards.todos_for(user),  # what waits for the user (core.home)
        "show_todos": business or perms.can_manage_security(user),
        "cards": home_cards.cards_for(user),  # what the apps add (core.home)
    }
    return render(request, "orgs/home.html", context)


# --- organization -----------------------------------------------------------------------------


@login_required
def org_tree(request: HttpRequest) -> HttpResponse:
    if not perms.can_see_org(request.user):
        raise NotFound()
    return render(
        request,
        "orgs/tree.html",
        {
            "roots": selectors.unit_tree(request.user),
            "can_manage_org": perms.can_manage_org(request.user),
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = perms.access_unit(request.user, pk)
    children = (
        selectors.units_visible(request.user).filter(parent=unit).order_by("sort_order", "id")
    )
    people = (
        selectors.people_visible(request.user)
        .filter(unit=unit, is_active=True)
        .order_by("post__sort_order", "id")
    )
    context = {
        "unit": unit,
        "children": children,
        "people_page": paginate(request, people),
        "leaders": selectors.leaders_in_charge(unit),
        "parent_visible": bool(
            unit.parent_id
            and selectors.units_visible(request.user).filter(pk=unit.parent_id).exists()
        ),
        "changes": selectors.unit_history(unit),
        "can_manage_org": perms.can_manage_org(request.user),
        "can_manage_people": perms.can_manage_people(request.user),
    }
    return render(request, "orgs/unit_detail.html", context)


@login_required
def leaders(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_see_org(user):
        raise NotFound()
    can_manage = perms.can_manage_org(user)
    units = selectors.units_visible(user).order_by("path")
    candidates = selectors.people_visible(user).filter(post__is_leadership=True, is_active=True)
    form = LeaderAssignForm(units=units, leaders=candidates)
    if request.method == "POST":
        perms.require(can_manage)
        if request.POST.get("action") == "end":
            row = LeaderAssignment.objects.filter(
                pk=request.POST.get("assignment") or 0, unit__in=units.values("pk")
            ).first()
            if row is None:
                raise NotFound()
            try:
                end = dt.date.fromisoformat(request.POST.get("end_date", ""))
                services.leader_assignment_end(actor=user, assignment=row, end_date=end)
            except ValueError:
                messages.error(request, _("Enter a valid end date."))
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("The assignment was ended."))
            return redirect("orgs:leaders")
        form = LeaderAssignForm(request.POST, units=units, leaders=candidates)
        if form.is_valid():
            try:
                services.leader_assign(actor=user, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The leader in charge was assigned."))
                return redirect("orgs:leaders")
    rows = selectors.leader_matrix(user)
    return render(
        request,
        "orgs/leaders.html",
        {
            "page_obj": paginate(request, rows, 50),
            "form": form,
            "can_manage": can_manage,
            "today": timezone.localdate(),
        },
    )


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    perms.require(perms.can_manage_org(user))
    units = selectors.units_visible(user).order_by("path")
    initial = {}
    parent_id = request.GET.get("parent")
    if parent_id:
        parent = perms.access_unit(user, parent_id)
        initial = {"parent": parent.pk, "level": parent.level, "kind": OrgUnit.Kind.DEPARTMENT}
    form = UnitForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.org_unit_create(
                actor=user,
                name=data["name"],
                short_name=data["short_name"],
                code=data["code"],
                kind=data["kind"],
                level=data["level"],
                sort_order=data["sort_order"] or 0,
                parent=data["parent"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The unit was created."))
            return redirect("orgs:unit", pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": None})


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = perms.access_unit(user, pk)
    perms.require(perms.can_manage_org(user))
    units = selectors.units_visible(user).order_by("path")
    initial = {
        "name": unit.name,
        "short_name": unit.short_name,
        "code": unit.code,
        "kind": unit.kind,
        "level": unit.level,
        "sort_order": unit.sort_order,
        "parent": unit.parent_id,
        "head": unit.head_id,
        "version": unit.version,
    }
    form = UnitForm(request.POST or None, units=units, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = ["name", "short_name", "code", "kind", "level", "sort_order"]
        changes = {f: data[f] for f in fields if data[f] != getattr(unit, f)}
        try:
            services.org_unit_edit(
                actor=user,
                unit=unit,
                version=data["version"],
                changes=changes,
                parent=data["parent"],
                head=data["head"],
                effective_date=data["effective_date"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:unit", pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": unit})


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    if not perms.can_see_org(request.user):
        raise NotFound()
    units = list(selectors.units_visible(request.user).order_by("path"))
    form = PeopleFilterForm(request.GET or None, units=units)
    f = people_filter_from(form)
    page = paginate(request, selectors.people_search(request.user, f))
    template = "orgs/people_list.html#results" if request.htmx else "orgs/people_list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"form": form, "page_obj": page, "can_manage": perms.can_manage_people(request.user)},
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = perms.access_person(request.user, pk)
    return render(
        request,
        "orgs/person_detail.html",
        {
            "person": person,
            "can_edit": perms.can_manage_people(request.user),
            "charge": person.charge_assignments.select_related("unit").order_by("-start_date"),
        },
    )


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = perms.access_person(request.user, pk)
    perms.require(perms.can_manage_people(request.user))
    units = selectors.units_visible(request.user)
    form = PersonForm(request.POST or None, instance=person, units=units)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k != "version"}
        try:
            services.person_update(
                actor=request.user,
                person=perms.access_person(request.user, pk),
                version=form.cleaned_data["version"],
                **changes,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            for detail in exc.details:
                if detail.get("field") in form.fields:
                    form.add_error(detail["field"], detail["message"])
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:person", pk=pk)
    return render(request, "orgs/person_edit.html", {"person": person, "form": form})


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    perms.require(perms.can_manage_people(user))
    units = selectors.units_visible(user)
    initial = {"version": 1}
    if request.GET.get("unit"):
        initial["unit"] = perms.access_unit(user, request.GET["unit"]).pk
    form = PersonForm(request.POST or None, units=units, initial=initial)
    form.fields["version"].required = False
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            person = services.person_create(actor=user, **fields)
        except DomainError as exc:
            apply_domain_error(form, exc)
            for detail in exc.details:
                if detail.get("field") in form.fields:
                    form.add_error(detail["field"], detail["message"])
        else:
            messages.success(request, _("The person was added."))
            return redirect("orgs:person", pk=person.pk)
    return render(request, "orgs/person_edit.html", {"person": None, "form": form})


# --- the signed-in user -----------------------------------------------------------------------


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token_form = TokenForm()
    password_form = PasswordChangeForm()
    new_token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "token":
            token_form = TokenForm(request.POST)
            if token_form.is_valid():
                _token, new_token = services.api_token_create(
                    actor=user,
                    user=user,
                    name=token_form.cleaned_data["name"],
                    expires_in_days=token_form.cleaned_data["expires_in_days"],
                )
                token_form = TokenForm()
        elif action == "revoke":
            token = perms.access_token(user, request.POST.get("token"))
            services.api_token_revoke(actor=user, token=token)
            messages.success(request, _("The token was revoked."))
            return redirect("orgs:profile")
        elif action == "password":
            password_form = PasswordChangeForm(request.POST)
            if password_form.is_valid():
                try:
                    services.password_change(
                        actor=user,
                        user=user,
                        old_password=password_form.cleaned_data["old_password"],
                        new_password=password_form.cleaned_data["new_password"],
                    )
                except DomainError as exc:
                    password_form.add_error(
                        "old_password" if exc.code == "wrong_password" else "new_password",
                        exc.message,
                    )
                else:
                    from django.contrib.auth import update_session_auth_hash

                    update_session_auth_hash(request, user)
                    messages.success(request, _("Your password was changed."))
                    return redirect("orgs:profile")
    return render(
        request,
        "orgs/profile.html",
        {
            "tokens": user.api_tokens.all(),
            "now": timezone.now(),
            "token_form": token_form,
            "password_form": password_form,
            "new_token": new_token,
            "role_assignments": user.role_assignments.select_related("anchor"),
            "two_factor_enrolled": twofactor.is_enrolled(user),
        },
    )


# --- accounts (system administrator creates; security administrator grants and unlocks) ------


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_create = perms.can_create_accounts(user)
    can_secure = perms.can_manage_security(user)
    if not (can_create or can_secure):
        raise NotFound()
    create_form = AccountCreateForm(people=selectors.people_visible(user).filter(user__isnull=True))
    if request.method == "POST" and request.POST.get("action") == "create":
        perms.require(can_create)
        create_form = AccountCreateForm(
            request.POST, people=selectors.people_visible(user).filter(user__isnull=True)
        )
        if create_form.is_valid():
            try:
                services.user_create(
                    actor=user,
                    username=create_form.cleaned_data["username"],
                    password=create_form.cleaned_data["password"],
                    person=create_form.cleaned_data["person"],
                )
            except DomainError as exc:
                apply_domain_error(create_form, exc)
            else:
                messages.success(request, _("The account was created."))
                return redirect("orgs:accounts")
    q = request.GET.get("q", "").strip()
    rows = selectors.accounts_search(user, q)
    page = paginate(request, rows)
    for account in page.object_list:
        # 三员 accounts are managed on the server only: the page offers no action on them.
        account.is_admin_account = any(
            a.role in ADMIN_ROLES for a in account.role_assignments.all()
        )
    return render(
        request,
        "orgs/accounts.html",
        {
            "page_obj": page,
            "create_form": create_form,
            "can_create": can_create,
            "can_secure": can_secure,
            "role_form": RoleAssignForm(),
            "q": q,
            "now": timezone.now(),
            "slowed_addresses": services.slowed_addresses().count() if can_secure else 0,
            "scope_units": OrgUnit.objects.only("name").order_by("path")[:500],
        },
    )


@login_required
@require_POST
def account_action(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action")
    if action in {"disable", "enable"}:
        perms.require(perms.can_create_accounts(request.user))
    else:
        perms.require(perms.can_manage_security(request.user))
    try:
        target = User.objects.get(pk=pk)
    except User.DoesNotExist:
        raise NotFound() from None
    try:
        if action in {"disable", "enable"}:
            services.user_set_active(actor=request.user, user=target, active=action == "enable")
            messages.success(
                request,
                _("The account was enabled.")
                if action == "enable"
                else _("The account was disabled."),
            )
        elif action == "reset":
            reset_form = PasswordResetForm(request.POST)
            if not reset_form.is_valid():
                raise DomainError(_("Enter the new password."))
            services.password_change(
                actor=request.user,
                user=target,
                old_password=None,
                new_password=reset_form.cleaned_data["new_password"],
            )
            messages.success(request, _("The password was reset. Tell its owner in person."))
        elif action == "unlock":
            services.account_unlock(actor=request.user, user=target)
            messages.success(request, _("The account was unlocked."))
        elif action == "assign":
            form = RoleAssignForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Choose a role."))
            services.role_assign(
                actor=request.user,
                user=target,
                role=form.cleaned_data["role"],
                scope=form.cleaned_data["scope"] or None,
                anchor=form.cleaned_data["anchor"],
            )
            messages.success(request, _("The role was granted."))
        elif action == "revoke":
            assignment = RoleAssignment.objects.filter(
                pk=request.POST.get("assignment") or 0, user=target
            ).first()
            if assignment is None:
                raise NotFound()
            services.role_revoke(actor=request.user, assignment=assignment)
            messages.success(request, _("The role was withdrawn."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(_safe_next(request, reverse("orgs:accounts")))


# --- editable lists ---------------------------------------------------------------------------

LISTS: dict[str, tuple[type[Any], Any]] = {
    "posts": (Post, _lazy("Posts")),
    "ranks": (Rank, _lazy("Ranks")),
    "staff-categories": (StaffCategory, _lazy("Staff categories")),
    "political-statuses": (PoliticalStatus, _lazy("Political statuses")),
}


@login_required
def lists(request: HttpRequest, kind: str = "posts") -> HttpResponse:
    """The editable lists: posts, ranks, staff categories, political statuses."""
    perms.require(perms.can_manage_org(request.user))
    if kind not in LISTS:
        raise NotFound()
    model, _title = LISTS[kind]
    form = ListItemForm()
    if request.method == "POST":
        form = ListItemForm(request.POST)
        item = None
        if request.POST.get("item"):
            item = model.objects.filter(pk=request.POST.get("item") or 0).first()
            if item is None:
                raise NotFound()
        if form.is_valid():
            data = form.cleaned_data
            extra: dict[str, Any] = {}
            if model is Post:
                extra["is_leadership"] = data["is_leadership"]
            if model is StaffCategory and data["appraisal_family"]:
                extra["appraisal_family"] = data["appraisal_family"]
            try:
                services.list_item_save(
                    actor=request.user,
                    model=model,
                    item=item,
                    name=data["name"],
                    sort_order=data["sort_order"] or 0,
                    is_active=data["is_active"],
                    extra=extra,
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Saved."))
                return redirect("orgs:lists", kind=kind)
        else:
            messages.error(request, _("Enter a name."))
    return render(
        request,
        "orgs/lists.html",
        {
            "kind": kind,
            "lists": [(k, str(v[1])) for k, v in LISTS.items()],
            "title": LISTS[kind][1],
            "items": model.objects.all(),
            "form": form,
            "is_post": model is Post,
            "is_category": model is StaffCategory,
            "families": StaffCategory.Family.choices,
        },
    )
