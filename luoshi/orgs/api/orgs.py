"""API for accounts, org units and people: the same selectors and services as the pages.

Every read is scoped to the calling account; a unit or person outside that scope answers 404
exactly like a missing one. Error answers (`{"code", "message", "details"}`) are documented on
each operation by luoshi.api.api.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from luoshi.core.apitypes import MAX_ID, Text, error_responses
from luoshi.core.errors import InvalidInput, NotFound
from luoshi.core.paging import EXACT_COUNT, FastPaginator, api_page

from .. import permissions as perms
from .. import selectors, services, twofactor
from ..models import AddressThrottle, OrgUnit, Person, User

router = Router(tags=["orgs"])
auth_router = Router(tags=["auth"])


# --- auth -------------------------------------------------------------------------------------


class TokenIn(Schema):
    username: Text = Field(..., min_length=1, max_length=150, description="Username or mobile")
    password: Text = Field(..., max_length=256)
    name: Text = Field("", max_length=64, description="A label for the token")
    expires_in_days: int | None = Field(
        None,
        ge=1,
        le=settings.LUOSHI_TOKEN_MAX_DAYS,
        description="How long the token lasts, in days (default 90, at most 365: settings "
        "LUOSHI_TOKEN_DAYS and LUOSHI_TOKEN_MAX_DAYS)",
    )
    code: Text = Field(
        "",
        max_length=16,
        description="For an account with two-factor sign-in: the 6-digit code of its "
        "authenticator app, or one of its recovery codes",
    )


class TokenOut(Schema):
    token: str = Field(..., description="Send it as `Authorization: Bearer <token>`")
    name: str
    expires_at: dt.datetime = Field(
        ..., description="The token is refused after this moment (and when the password changes)"
    )


@auth_router.post(
    "/token",
    auth=None,
    response={201: TokenOut},
    openapi_extra=error_responses(
        {
            401: "Wrong username or password (code `authentication_failed`), or the account "
            "signs in with two factors and no `code` was sent (code `two_factor_required`).",
            403: "The account is locked after too many failed log-ins (code `account_locked`), "
            "or it is an administrator's without two-factor sign-in set up on the pages yet "
            "(code `two_factor_enrolment_required`).",
            422: "The lifetime is out of range (code `token_lifetime`), or the two-factor "
            "code is wrong (code `wrong_code`) or was used already (code `code_reused`).",
            429: "Too many failed log-ins from this address: wait the seconds the message names "
            "(code `address_slowed_down`).",
        }
    ),
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """Exchange a username (or mobile) and password for a personal access token.

    The same lockout rule as the login page applies: after 5 wrong passwords the account is
    locked for 15 minutes (both configurable), and even the right password is refused meanwhile.
    An account with two-factor sign-in also sends the code of its authenticator app (or a
    recovery code) as `code`; a wrong code counts like a wrong password. Calls made with the
    token are not asked for a code (the token is itself the second secret).
    The token is shown once; it can be revoked on the profile page or with
    `DELETE /api/v1/auth/token`. It ends at `expires_at` and when the account's password
    changes or is reset; a locked account's tokens keep working (the lockout stops passwords).
    """
    services.token_expiry(payload.expires_in_days)  # a bad lifetime before the password check
    user = services.account_authenticate(identifier=payload.username, password=payload.password)
    if twofactor.is_enrolled(user):
        if not payload.code.strip():
            raise twofactor.TwoFactorRequired(
                _("This account signs in with two factors: send the code of its app as `code`.")
            )
        twofactor.second_factor_check(user=user, code=payload.code, sign_in=True)
    elif twofactor.enrolment_needed(user):
        raise twofactor.EnrolmentRequired(
            _("Administrators sign in with two factors: set up your authenticator app first.")
        )
    token, raw = services.api_token_create(
        actor=user, user=user, name=payload.name or "API", expires_in_days=payload.expires_in_days
    )
    return Status(201, {"token": raw, "name": token.name, "expires_at": token.expires_at})


class NoBearerToken(InvalidInput):
    code = "no_bearer_token"


@auth_router.delete(
    "/token",
    response={204: None},
    openapi_extra=error_responses(
        {422: "The call was not made with a bearer token (code `no_bearer_token`)."}
    ),
)
def revoke_token(request: HttpRequest) -> Status[None]:
    """Revoke the bearer token this call is made with (a script logging out).

    Tokens are revoked by their owner only; other tokens are managed on the profile page.
    """
    user = request.auth  # type: ignore[attr-defined]
    raw = getattr(request, "luoshi_bearer_token", None)  # set by luoshi.api.api.BearerToken
    token = services.api_token_find(raw) if raw else None
    if token is None or token.user_id != user.pk:
        raise NoBearerToken(_("This call revokes the bearer token it is made with; send one."))
    services.api_token_revoke(actor=user, token=token)
    return Status(204, None)


class SlowedAddressOut(Schema):
    id: int
    address: str = Field(..., description="The client address as the audit log keeps it")
    failures: int = Field(..., description="Failed log-ins from it in the current window")
    window_start: dt.datetime
    window_end: dt.datetime = Field(..., description="When the count starts again from nothing")
    delayed_until: dt.datetime | None = Field(
        ..., description="Attempts from it are refused (429) until then"
    )


class SlowedAddressPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[SlowedAddressOut]


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100000, description="A page past the end gives the last page")
    page_size: int = Field(20, ge=1, le=200)


@auth_router.get(
    "/slowed-addresses",
    response=SlowedAddressPage,
    openapi_extra=error_responses({404: "Not the security administrator (code `not_found`)."}),
)
def list_slowed_addresses(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    """The client addresses slowed down now (above the failed log-in threshold within the
    window, across every name), most failures first. The security administrator's."""
    if not perms.can_manage_security(request.auth):  # type: ignore[attr-defined]
        raise NotFound()

    def row(address: AddressThrottle) -> dict[str, Any]:
        return {
            "id": address.pk,
            "address": address.address,
            "failures": address.failures,
            "window_start": address.window_start,
            "window_end": services.address_window_end(address),
            "delayed_until": address.delayed_until,
        }

    return api_page(Paginator(services.slowed_addresses(), filters.page_size), filters.page, row)


@auth_router.delete(
    "/slowed-addresses/{throttle_id}",
    response={204: None},
    openapi_extra=error_responses(
        {404: "No such address, or not the security administrator (code `not_found`)."}
    ),
)
def clear_slowed_address(
    request: HttpRequest, throttle_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Status[None]:
    """Clear one slowed-down address: its count of failures starts again (audited
    `auth.address_cleared`)."""
    user = request.auth  # type: ignore[attr-defined]
    if not perms.can_manage_security(user):
        raise NotFound()
    row = AddressThrottle.objects.filter(pk=throttle_id).first()
    if row is None:
        raise NotFound()
    services.address_throttle_clear(actor=user, row=row)
    return Status(204, None)


# --- the account ------------------------------------------------------------------------------


class RoleOut(Schema):
    role: str
    label: str
    scope: str
    anchor: int | None = Field(..., description="The unit the scope is measured from")


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
    """The calling account, its person and its roles with their data scopes."""
    user: User = request.auth  # type: ignore[attr-defined]
    person = Person.objects.filter(pk=user.person_id).first() if user.person_id else None
    return {
        "id": user.pk,
        "username": user.username,
        "name": person.name if person else user.username,
        "language": user.language,
        "person": person.pk if person else None,
        "unit": person.unit_id if person else None,
        "roles": [
            {"role": a.role, "label": a.get_role_display(), "scope": a.scope, "anchor": a.anchor_id}
            for a in user.role_assignments.order_by("id")
        ],
    }


# --- org units --------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    parent: int | None = Field(..., description="Parent unit id (it may be outside your scope)")
    kind: str = Field(..., description="agency, department, affiliated or local")
    level: str = Field(..., description="national, provincial, municipal or county")
    sort_order: int
    depth: int
    head: int | None = Field(..., description="Person id of the unit's head")
    is_active: bool


class UnitTreeOut(UnitOut):
    children: list[UnitTreeOut] = Field(
        ..., description="Visible sub-units (nested); always empty with `parent` or `q`"
    )


class UnitDetailOut(UnitOut):
    version: int
    leaders_in_charge: list[int] = Field(
        ..., description="Person ids of the current leaders you can see"
    )


class UnitsQuery(Schema):
    parent: int | None = Field(
        None, ge=1, le=MAX_ID, description="A unit id: list its visible children (flat)"
    )
    q: Text = Field("", max_length=100, description="Search by name, short name or code")


def _unit_dict(unit: OrgUnit, children: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "name": unit.name,
        "short_name": unit.short_name,
        "code": unit.code,
        "parent": unit.parent_id,
        "kind": unit.kind,
        "level": unit.level,
        "sort_order": unit.sort_order,
        "depth": unit.depth,
        "head": unit.head_id,
        "is_active": unit.is_active,
        "children": children,
    }


@router.get("/orgs", response=list[UnitTreeOut])
def list_orgs(request: HttpRequest, filters: Query[UnitsQuery]) -> list[dict[str, Any]]:
    """The visible part of the org tree.

    Without parameters: the tree, nested through `children`; its roots are the visible units
    whose parent is not visible (the agency for most accounts, the city federation for its
    staff). With `parent`: that unit's visible children as a flat list (`children` empty); a
    parent outside your scope answers 404. With `q`: matching visible units, flat; Simplified
    and Traditional script match each other.
    """
    user = request.auth  # type: ignore[attr-defined]
    if filters.parent is not None:
        perms.access_unit(user, filters.parent)
    if filters.parent is not None or filters.q.strip():
        units = selectors.units_search(user, q=filters.q, parent=filters.parent)
        if filters.parent is not None:
            units = units.order_by("sort_order", "id")
        return [_unit_dict(u, []) for u in units]

    def node(n: selectors.TreeNode) -> dict[str, Any]:
        return _unit_dict(n.unit, [node(c) for c in n.children])

    return [node(root) for root in selectors.unit_tree(user)]


@router.get("/orgs/{unit_id}", response=UnitDetailOut)
def get_org(request: HttpRequest, unit_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> dict[str, Any]:
    """One unit, with its current leaders in charge."""
    unit = perms.access_unit(request.auth, unit_id)  # type: ignore[attr-defined]
    data = _unit_dict(unit, [])
    del data["children"]
    data["version"] = unit.version
    visible = selectors.people_visible(request.auth).values("pk")  # type: ignore[attr-defined]
    leaders = selectors.leaders_in_charge(unit).filter(pk__in=visible).order_by("id")
    data["leaders_in_charge"] = [p.pk for p in leaders]
    return data


# --- people -----------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    gender: str = Field(..., description="M or F")
    birth_month: dt.date | None
    political_status: str | None
    unit: int
    unit_name: str
    post: str | None
    rank: str | None
    staff_category: str | None
    work_start: dt.date | None
    post_since: dt.date | None
    mobile: str
    is_active: bool

    @staticmethod
    def resolve_unit(obj: Any) -> int:
        return int(obj.unit_id)

    @staticmethod
    def resolve_political_status(obj: Any) -> str | None:
        return obj.political_status.name if obj.political_status else None

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return str(obj.unit.name)

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
    count: int = Field(..., description="People matching, over all pages")
    page: int
    pages: int
    page_size: int
    results: list[PersonOut]


class PeopleQuery(Schema):
    q: Text = Field(
        "", max_length=100, description="Name or mobile; Simplified and Traditional match"
    )
    org: int | None = Field(
        None, ge=1, le=MAX_ID, description="Unit id; includes its sub-units (404 if not visible)"
    )
    page: int = Field(1, ge=1, le=100000, description="A page past the end gives the last page")
    page_size: int = Field(20, ge=1, le=200)


@router.get("/people", response=PeoplePage)
def list_people(request: HttpRequest, filters: Query[PeopleQuery]) -> dict[str, Any]:
    """Active people you may see, ordered by unit; searchable and paged."""
    user = request.auth  # type: ignore[attr-defined]
    if filters.org is not None:
        perms.access_unit(user, filters.org)
    f = selectors.PeopleFilter(q=filters.q, unit=filters.org)
    qs = selectors.people_search(user, f)
    # The page's keys first, then only its rows with their relations (a search for a common
    # name otherwise joins every match before the LIMIT); the count stays exact.
    count = selectors.people_count(user, f, qs)
    paginator = FastPaginator(qs, filters.page_size, count=count, count_limit=EXACT_COUNT)
    return api_page(paginator, filters.page)


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Person:
    """One person you may see."""
    return perms.access_person(request.auth, person_id)  # type: ignore[attr-defined]
