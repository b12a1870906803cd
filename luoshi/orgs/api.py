"""API for accounts, org units and people: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from luoshi.core.errors import NotFound

from . import permissions as perms
from . import selectors, services

router = Router(tags=["orgs"])
auth_router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    name: str = Field("", max_length=64, description="A label for the token")


class TokenOut(Schema):
    token: str
    name: str


class ErrorOut(Schema):
    code: str
    message: str
    details: list[dict[str, Any]]


@auth_router.post(
    "/token", auth=None, response={201: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
)
def create_token(request: HttpRequest, payload: TokenIn) -> tuple[int, dict[str, str]]:
    """Exchange a username (or mobile) and password for a personal access token."""
    user = services.account_authenticate(identifier=payload.username, password=payload.password)
    token, raw = services.api_token_create(actor=user, user=user, name=payload.name or "API")
    return 201, {"token": raw, "name": token.name}


class RoleOut(Schema):
    role: str
    label: str
    scope: str
    anchor: int | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    language: str
    person: int | None
    unit: int | None
    roles: list[RoleOut]


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    person = user.person
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "language": user.language,
        "person": person.pk if person else None,
        "unit": person.unit_id if person else None,
        "roles": [
            {"role": a.role, "label": a.get_role_display(), "scope": a.scope, "anchor": a.anchor_id}
            for a in user.role_assignments.all()
        ],
    }


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    parent: int | None = Field(None, alias="parent_id")
    kind: str
    level: str
    sort_order: int
    depth: int
    head: int | None = Field(None, alias="head_id")
    is_active: bool


class UnitTreeOut(UnitOut):
    children: list[UnitTreeOut] = []


class UnitDetailOut(UnitOut):
    version: int
    leaders_in_charge: list[int]


@router.get("/orgs", response=list[UnitTreeOut] | list[UnitOut])
def list_orgs(request: HttpRequest, parent: int | None = None, q: str = "") -> Any:
    """The visible tree (nested), or one unit's children with `?parent=`, or a search with `?q=`."""
    user = request.auth  # type: ignore[attr-defined]
    if parent is not None or q:
        return list(selectors.units_search(user, q=q[:100], parent=parent))

    def node(n: selectors.TreeNode) -> dict[str, Any]:
        data = UnitOut.from_orm(n.unit).model_dump()
        data["children"] = [node(c) for c in n.children]
        return data

    return [node(root) for root in selectors.unit_tree(user)]


@router.get("/orgs/{unit_id}", response=UnitDetailOut)
def get_org(request: HttpRequest, unit_id: int) -> Any:
    unit = perms.access_unit(request.auth, unit_id)  # type: ignore[attr-defined]
    unit.leaders_in_charge = [p.pk for p in selectors.leaders_in_charge(unit)]  # type: ignore[attr-defined]
    return unit


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_month: dt.date | None
    political_status: str | None
    unit: int = Field(..., alias="unit_id")
    unit_name: str
    post: str | None
    rank: str | None
    staff_category: str | None
    work_start: dt.date | None
    post_since: dt.date | None
    mobile: str
    is_active: bool

    @staticmethod
    def resolve_political_status(obj: Any) -> str | None:
        return obj.political_status.name if obj.political_status else None

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_post(obj: Any) -> str | None:
        return obj.post.name if obj.post else None

    @staticmethod
    def resolve_rank(obj: Any) -> str | None:
        return obj.rank.name if obj.rank else None

    @staticmethod
    def resolve_staff_category(obj: Any) -> str | None:
        return obj.staff_category.name if obj.staff_category else None


class PeoplePage(Schema):
    count: int
    page: int
    pages: int
    results: list[PersonOut]


class PeopleQuery(Schema):
    q: str = Field("", max_length=100)
    org: int | None = Field(None, description="Unit id; includes its sub-units")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=200)


@router.get("/people", response=PeoplePage)
def list_people(request: HttpRequest, filters: Query[PeopleQuery]) -> dict[str, Any]:
    from django.core.paginator import Paginator

    user = request.auth  # type: ignore[attr-defined]
    if filters.org is not None:
        try:
            perms.access_unit(user, filters.org)
        except NotFound:
            raise
    qs = selectors.people_search(user, selectors.PeopleFilter(q=filters.q, unit=filters.org))
    paginator = Paginator(qs, filters.page_size)
    page = paginator.get_page(filters.page)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "results": list(page.object_list),
    }


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> Any:
    return perms.access_person(request.auth, person_id)  # type: ignore[attr-defined]
