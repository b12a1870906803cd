"""The notify app's JSON API (mounted by luoshi.api.api): one's own notices only."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from luoshi.core.apitypes import MAX_ID, error_responses
from luoshi.core.paging import api_page

from . import permissions as perms
from . import selectors, services

router = Router(tags=["notify"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class NoticeOut(Schema):
    id: int
    event: str
    subject: str
    body: str
    link: str
    actor: int | None = Field(None, alias="actor_id")
    org_unit: int | None = Field(None, alias="org_unit_id")
    created_at: dt.datetime
    read_at: dt.datetime | None
    read: bool

    @staticmethod
    def resolve_read(obj: Any) -> bool:
        return obj.read_at is not None


class NoticePage(Schema):
    count: int
    unread: int = Field(..., description="Unread notices of the caller, whatever the filter")
    page: int
    pages: int
    page_size: int
    results: list[NoticeOut]


class NoticeQuery(Schema):
    unread: bool = Field(False, description="Only unread notices")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=200)


class ReadAllOut(Schema):
    marked: int
    unread: int


@router.get("/notifications", response=NoticePage)
def list_notifications(request: HttpRequest, filters: Query[NoticeQuery]) -> dict[str, Any]:
    """The caller's own notices, newest first, with the unread count."""
    user = _user(request)
    qs = selectors.inbox(user, unread_only=filters.unread)
    paginator = Paginator(qs, filters.page_size)
    unread = paginator.count if filters.unread else selectors.unread_count(user)
    return api_page(paginator, filters.page, unread=unread)


@router.post(
    "/notifications/read-all",
    response=ReadAllOut,
)
def read_all(request: HttpRequest) -> dict[str, int]:
    """Mark every unread notice of the caller read."""
    marked = services.notice_mark_all_read(user=_user(request))
    return {"marked": marked, "unread": 0}


@router.post(
    "/notifications/{notice_id}/read",
    response=NoticeOut,
    openapi_extra=error_responses({404: "No such notice among the caller's own."}),
)
def read_one(request: HttpRequest, notice_id: Id) -> Any:
    """Mark one of the caller's notices read (anyone else's answers 404)."""
    user = _user(request)
    notice = perms.access_notice(user, notice_id)
    return services.notice_mark_read(user=user, notice=notice)
