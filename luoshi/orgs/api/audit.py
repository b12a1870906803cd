"""API for the audit log (audit administrator only): `GET /api/v1/audit`.

Anyone else gets 404 `{"code": "not_found", ...}`, exactly as for a missing resource. Each call
is itself recorded ("audit.view", with the filters used).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from luoshi.core import selectors, services
from luoshi.core.apitypes import Text
from luoshi.core.errors import NotFound
from luoshi.core.models import AuditEntry

from ..permissions import can_read_audit

router = Router(tags=["audit"])

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class AuditQuery(Schema):
    actor: Text = Field("", max_length=150, description="Username of the actor (exact)")
    action: Text = Field("", max_length=64, description="Action code (exact), e.g. person.update")
    object_type: Text = Field("", max_length=64, description="Object type, e.g. orgs.person")
    since: dt.date | None = Field(None, description="From this day (local time), inclusive")
    until: dt.date | None = Field(None, description="To this day (local time), inclusive")
    q: Text = Field("", max_length=255, description="Text in the object's description")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso_date_only(cls, value: Any) -> Any:
        """YYYY-MM-DD only: pydantic alone would also read a number as a Unix time."""
        if value is None or isinstance(value, dt.date):
            return value
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ValueError("Expected a date as YYYY-MM-DD.")
        return value


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor: str | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None
    client_ip: str | None
    hash: str
    prev_hash: str

    @staticmethod
    def resolve_actor(obj: AuditEntry) -> str | None:
        return obj.actor_name or None


class AuditPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AuditEntryOut]


class ErrorOut(Schema):
    code: str
    message: str
    details: list[dict[str, Any]]


@router.get("", response={200: AuditPage, 404: ErrorOut, 422: ErrorOut})
def list_audit(request: HttpRequest, filters: Query[AuditQuery]) -> dict[str, Any]:
    """The audit log, newest first, filtered; for the audit administrator only."""
    user = request.auth  # type: ignore[attr-defined]
    if not can_read_audit(user):
        raise NotFound()
    f = selectors.AuditFilter(
        actor=filters.actor,
        action=filters.action,
        object_type=filters.object_type,
        since=filters.since,
        until=filters.until,
        q=filters.q,
    )
    paginator = Paginator(selectors.audit_entries(can_read=True, f=f), filters.page_size)
    page = paginator.get_page(filters.page)
    results = list(page.object_list)  # read before this reading is recorded
    services.audit_log_viewed(actor=user, filters=f.as_dict(), page=page.number, via="api")
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "results": results,
    }
