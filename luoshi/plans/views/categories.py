"""The office's task categories page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from luoshi.core.errors import DomainError, NotFound
from luoshi.core.forms import submit_form
from luoshi.core.paging import paginate
from luoshi.orgs.models import OrgUnit

from ..forms.categories import CategoryForm, CategoryRenameForm
from ..models import Category
from ..selectors.categories import agency_categories
from ..services.categories import (
    access_category,
    category_create,
    category_deactivate,
    category_delete,
    category_move,
    category_reactivate,
    category_rename,
    office_agency,
)


def _categories_page(
    request: HttpRequest,
    agency: OrgUnit,
    *,
    form: CategoryForm | None = None,
    rename: tuple[int, CategoryRenameForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "1"
    categories = agency_categories(agency, include_inactive=show_inactive, with_counts=True)
    return render(
        request,
        "plans/categories.html",
        {
            "agency": agency,
            "page_obj": paginate(request, categories),
            "show_inactive": show_inactive,
            "inactive_count": Category.objects.filter(agency=agency, is_active=False).count(),
            "form": form or CategoryForm(),
            "rename_pk": rename[0] if rename else None,
            "rename_form": rename[1] if rename else None,
        },
        status=status,
    )


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    """The office keeps its own agency's list: add, rename, reorder, deactivate, reactivate and
    remove (others, and other agencies' categories: 404)."""
    user = request.user
    agency = office_agency(user)
    if request.method != "POST":
        return _categories_page(request, agency)
    action = request.POST.get("action", "")
    if action == "create":
        form = CategoryForm(request.POST)
        ok, _category = submit_form(
            request,
            form,
            lambda d: category_create(actor=user, agency=agency, name=d["name"]),
            _("The category was added."),
        )
        if not ok:
            return _categories_page(request, agency, form=form, status=422)
        return redirect(_back(request))
    category = access_category(user, request.POST.get("pk"))
    if action == "rename":
        rename_form = CategoryRenameForm(request.POST)
        ok, _category = submit_form(
            request,
            rename_form,
            lambda d: category_rename(
                actor=user, category=category, name=d["name"], version=d["version"]
            ),
            _("The category was renamed."),
        )
        if not ok:
            return _categories_page(request, agency, rename=(category.pk, rename_form), status=422)
    elif action in {"up", "down"}:
        category_move(
            actor=user,
            category=category,
            step=-1 if action == "up" else 1,
            among_active=request.GET.get("inactive") != "1",
        )
    elif action in {"deactivate", "reactivate", "delete"}:
        done = {
            "deactivate": _("The category was deactivated: its tasks keep it."),
            "reactivate": _("The category was reactivated."),
            "delete": _("The category was removed."),
        }[action]
        version = _int(request.POST.get("version"))
        try:
            if action == "delete":
                category_delete(actor=user, category=category)
            elif action == "deactivate":
                category_deactivate(actor=user, category=category, version=version)
            else:
                category_reactivate(actor=user, category=category, version=version)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, done)
    else:
        raise NotFound()
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """The page as it was (its page number and the show-inactive toggle)."""
    return f"{request.path}?{request.GET.urlencode()}" if request.GET else request.path


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
