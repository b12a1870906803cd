"""API for the task categories an agency keeps: the same services as the office's page.

Reading a list: the caller's own agency, or one their data scope covers. Changing it: the office
of that agency only — anyone else gets 404, as for a category that does not exist."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from luoshi.core.apitypes import MAX_ID, Text, error_responses
from luoshi.core.errors import NotFound
from luoshi.orgs.selectors import organization_of

from ..models import Category
from ..selectors.categories import agency_categories
from ..services.categories import (
    access_agency_list,
    access_category,
    category_create,
    category_deactivate,
    category_delete,
    category_reactivate,
    category_rename,
    office_agency,
)

router = Router(tags=["plans"])


Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class PlansCategoryOut(Schema):
    id: int
    agency: int = Field(..., alias="agency_id")
    name: str
    sort_order: int
    is_active: bool = Field(description="Inactive: kept on its tasks, not offered for new use")
    task_count: int = Field(description="Tasks tagged with it (a category in use is not removed)")
    version: int


class PlansCategoryQuery(Schema):
    agency: int | None = Field(
        None, ge=1, le=MAX_ID, description="The agency whose list; default: your own"
    )
    include_inactive: bool = False


class PlansCategoryCreateIn(Schema):
    name: Text = Field(..., min_length=1, max_length=64)
    agency: int | None = Field(
        None, ge=1, le=MAX_ID, description="Your office's agency (the only one you may change)"
    )


class PlansCategoryRenameIn(Schema):
    name: Text = Field(..., min_length=1, max_length=64)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="The version you read")


class PlansCategoryVersionIn(Schema):
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="The version you read")


def _out(category: Category) -> Category:
    """The category with its task count, as the list shows it."""
    return agency_categories(category.agency_id, with_counts=True).get(pk=category.pk)


@router.get(
    "/task-categories",
    response=list[PlansCategoryOut],
    openapi_extra=error_responses({404: "The agency is not yours nor in your scope."}),
)
def list_categories(request: HttpRequest, filters: Query[PlansCategoryQuery]) -> Any:
    """An agency's task categories in their order (inactive ones only when asked)."""
    user = _user(request)
    if filters.agency is not None:
        agency = access_agency_list(user, filters.agency)
    else:
        person = getattr(user, "person", None)
        if person is None:
            raise NotFound()
        agency = organization_of(person.unit)
    return list(
        agency_categories(agency, include_inactive=filters.include_inactive, with_counts=True)
    )


@router.post(
    "/task-categories",
    response={201: PlansCategoryOut},
    openapi_extra=error_responses(
        {
            404: "You are not the office of that agency.",
            422: "No name, or the agency already has that name.",
        }
    ),
)
def create_category(request: HttpRequest, payload: PlansCategoryCreateIn) -> Any:
    """Add a category at the end of your office's agency's list."""
    user = _user(request)
    agency = office_agency(user)
    if payload.agency is not None and payload.agency != agency.pk:
        raise NotFound()
    category = category_create(actor=user, agency=agency, name=payload.name)
    return Status(201, _out(category))


@router.patch(
    "/task-categories/{category_id}",
    response=PlansCategoryOut,
    openapi_extra=error_responses(
        {409: "The category changed since you read it.", 422: "The name is empty or taken."}
    ),
)
def rename_category(request: HttpRequest, category_id: Id, payload: PlansCategoryRenameIn) -> Any:
    user = _user(request)
    category = access_category(user, category_id)
    category_rename(actor=user, category=category, name=payload.name, version=payload.version)
    return _out(category)


@router.post(
    "/task-categories/{category_id}/deactivate",
    response=PlansCategoryOut,
    openapi_extra=error_responses({409: "The category changed since you read it."}),
)
def deactivate_category(
    request: HttpRequest, category_id: Id, payload: PlansCategoryVersionIn
) -> Any:
    """No longer offered for new use; the tasks that have it keep it."""
    user = _user(request)
    category = access_category(user, category_id)
    category_deactivate(actor=user, category=category, version=payload.version)
    return _out(category)


@router.post(
    "/task-categories/{category_id}/reactivate",
    response=PlansCategoryOut,
    openapi_extra=error_responses({409: "The category changed since you read it."}),
)
def reactivate_category(
    request: HttpRequest, category_id: Id, payload: PlansCategoryVersionIn
) -> Any:
    user = _user(request)
    category = access_category(user, category_id)
    category_reactivate(actor=user, category=category, version=payload.version)
    return _out(category)


@router.delete(
    "/task-categories/{category_id}",
    response={204: None},
    openapi_extra=error_responses({422: "Tasks use the category: deactivate it instead."}),
)
def delete_category(request: HttpRequest, category_id: Id) -> Any:
    """Remove a category no task uses."""
    user = _user(request)
    category_delete(actor=user, category=access_category(user, category_id))
    return Status(204, None)
