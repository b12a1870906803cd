"""The supervision app's JSON API (mounted by luoshi.api.api at /api/v1/supervision/): the same
selectors and services as the pages."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
from typing import Annotated, Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from luoshi.core.apitypes import MAX_ID, Text, error_responses
from luoshi.core.errors import Forbidden, InvalidInput, NotFound
from luoshi.core.paging import api_page
from luoshi.documents.exporters import export_record, export_response
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE
from luoshi.orgs.models import OrgUnit, Person
from luoshi.orgs.permissions import scope_for
from luoshi.orgs.selectors import people_visible, units_visible
from luoshi.plans.permissions import tasks_visible

from . import bulletins, exports, selectors, services
from . import permissions as perms
from .models import Bulletin, Feedback, SupervisionItem

router = Router(tags=["supervision"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Item = SupervisionItem


def _choices(name: str, choices: Any) -> Any:
    """An enum for the API with a name of its own: the OpenAPI schema names enums by class, and
    plans' Task.Status must not be confused with SupervisionItem.Status."""
    return enum.Enum(name, {v: v for v in choices.values}, type=str)


LightIn = _choices("SupervisionLight", Item.Light)
StatusIn = _choices("SupervisionStatus", Item.Status)
KindIn = _choices("SupervisionKind", Item.Kind)
UrgencyIn = _choices("SupervisionUrgency", Item.Urgency)
SourceIn = _choices("SupervisionSource", Item.Source)
CadenceIn = _choices("SupervisionCadence", Item.Cadence)
FeedbackKindIn = _choices("SupervisionFeedbackKind", Feedback.Kind)


def _v(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class SupervisionItemOut(Schema):
    id: int
    number: str
    title: str
    source: str
    kind: str
    is_major: bool
    urgency: str
    lead_unit: int = Field(..., alias="lead_unit_id")
    lead_unit_name: str
    leader_in_charge: int | None = Field(None, alias="leader_in_charge_id")
    responsible_person: int | None = Field(None, alias="responsible_person_id")
    instruction_by: int | None = Field(None, alias="instruction_by_id")
    task: int | None = Field(None, alias="task_id")
    assigned_on: dt.date | None
    deadline: dt.date | None
    original_deadline: dt.date | None
    deadline_working_days: int | None
    deadline_warning: str
    status: str
    light: str
    light_reason: str
    progress: int
    closed_on: dt.date | None
    closed_on_time: bool | None
    version: int

    @staticmethod
    def resolve_lead_unit_name(obj: SupervisionItem) -> str:
        return obj.lead_unit.name


class SupervisionFeedbackOut(Schema):
    id: int
    kind: str
    unit: int = Field(..., alias="unit_id")
    text: str
    percent: int | None
    submitted_on: dt.date
    review: str
    review_note: str
    reviewed_on: dt.date | None
    attachments: list[str]

    @staticmethod
    def resolve_attachments(obj: Feedback) -> list[str]:
        return [a.name for a in obj.attachments.all()]


class SupervisionExtensionOut(Schema):
    id: int
    requested_on: dt.date
    reason: str
    old_deadline: dt.date
    new_deadline: dt.date
    status: str


class SupervisionEventOut(Schema):
    kind: str
    at: dt.datetime
    note: str


class SupervisionItemDetailOut(SupervisionItemOut):
    content: str
    instruction_on: dt.date | None
    instruction_text: str
    source_document: str
    meeting: str
    meeting_item: str
    report_cadence: str
    cooperating_units: list[int]
    feedback: list[SupervisionFeedbackOut]
    extensions: list[SupervisionExtensionOut]
    timeline: list[SupervisionEventOut]

    @staticmethod
    def resolve_cooperating_units(obj: SupervisionItem) -> list[int]:
        return list(obj.cooperating_units.values_list("pk", flat=True))

    @staticmethod
    def resolve_feedback(obj: SupervisionItem) -> list[Any]:
        return list(obj.feedback.prefetch_related("attachments"))

    @staticmethod
    def resolve_extensions(obj: SupervisionItem) -> list[Any]:
        return list(obj.extensions.all())

    @staticmethod
    def resolve_timeline(obj: SupervisionItem) -> list[Any]:
        return list(obj.events.all()[:100])


class SupervisionItemPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[SupervisionItemOut]


class SupervisionItemQuery(Schema):
    q: Text = Field("", max_length=100, description="Number, title or text; either script")
    lead_org: int | None = Field(None, ge=1, le=MAX_ID, description="Lead unit and below")
    leader_in_charge: int | None = Field(None, ge=1, le=MAX_ID)
    light: LightIn | None = None  # type: ignore[valid-type]
    status: StatusIn | None = None  # type: ignore[valid-type]
    kind: KindIn | None = None  # type: ignore[valid-type]
    urgency: UrgencyIn | None = None  # type: ignore[valid-type]
    source: SourceIn | None = None  # type: ignore[valid-type]
    overdue: bool = False
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=200)


@router.get("/items", response=SupervisionItemPage)
def list_items(request: HttpRequest, filters: Query[SupervisionItemQuery]) -> dict[str, Any]:
    """The supervision ledger, scoped to the caller; closed items only with `status` or `q`."""
    f = selectors.ItemFilter(
        q=filters.q,
        lead_unit=filters.lead_org,
        leader_in_charge=filters.leader_in_charge,
        light=_v(filters.light),
        status=_v(filters.status),
        kind=_v(filters.kind),
        urgency=_v(filters.urgency),
        source=_v(filters.source),
        overdue=filters.overdue,
    )
    return api_page(
        Paginator(selectors.item_ledger(_user(request), f), filters.page_size), filters.page
    )


def _detail(item: SupervisionItem) -> SupervisionItem:
    return item


@router.get("/items/{item_id}", response=SupervisionItemDetailOut)
def get_item(request: HttpRequest, item_id: Id) -> Any:
    """One item with its feedback, extension requests and timeline."""
    return _detail(perms.access_item(_user(request), item_id))


class SupervisionItemCreateIn(Schema):
    title: Text = Field(..., min_length=1, max_length=300)
    source: SourceIn  # type: ignore[valid-type]
    lead_unit: int = Field(..., ge=1, le=MAX_ID)
    cooperating_units: list[int] = Field(default_factory=list, max_length=50)
    content: Text = Field("", max_length=5000)
    kind: KindIn = "routine"  # type: ignore[valid-type]
    is_major: bool = False
    urgency: UrgencyIn = "normal"  # type: ignore[valid-type]
    responsible_person: int | None = Field(None, ge=1, le=MAX_ID)
    leader_in_charge: int | None = Field(None, ge=1, le=MAX_ID)
    deadline: dt.date | None = None
    deadline_working_days: int | None = Field(None, ge=1, le=400)
    report_cadence: CadenceIn = "monthly"  # type: ignore[valid-type]
    instruction_by: int | None = Field(None, ge=1, le=MAX_ID)
    instruction_on: dt.date | None = None
    instruction_text: Text = Field("", max_length=5000)
    source_document: Text = Field("", max_length=300)
    meeting: Text = Field("", max_length=200)
    meeting_item: Text = Field("", max_length=300)
    task: int | None = Field(None, ge=1, le=MAX_ID)
    remarks: Text = Field("", max_length=2000)


def _unit(user: Any, pk: int, name: str) -> OrgUnit:
    unit = units_visible(user).filter(pk=pk).first()
    if unit is None:
        raise InvalidInput(details=[{"field": name, "message": "Unknown unit."}])
    return unit


def _person(user: Any, pk: int | None, name: str) -> Person | None:
    if pk is None:
        return None
    person = people_visible(user).filter(pk=pk).first()
    if person is None:
        raise InvalidInput(details=[{"field": name, "message": "Unknown person."}])
    return person


@router.post(
    "/items",
    response={201: SupervisionItemDetailOut},
    openapi_extra=error_responses({403: "Only the supervision office registers items."}),
)
def create_item(request: HttpRequest, payload: SupervisionItemCreateIn) -> Any:
    """Register an item (it is numbered now; assign it to fix the deadline)."""
    user = _user(request)
    if not perms.can_register(user):
        raise Forbidden()
    task = None
    if payload.task is not None:
        task = tasks_visible(user).filter(pk=payload.task).first()
        if task is None:
            raise InvalidInput(details=[{"field": "task", "message": "Unknown task."}])
    data = services.ItemIn(
        title=payload.title,
        source=_v(payload.source),
        lead_unit=_unit(user, payload.lead_unit, "lead_unit"),
        cooperating_units=[
            _unit(user, pk, "cooperating_units") for pk in payload.cooperating_units
        ],
        content=payload.content,
        kind=_v(payload.kind),
        is_major=payload.is_major,
        urgency=_v(payload.urgency),
        responsible_person=_person(user, payload.responsible_person, "responsible_person"),
        leader_in_charge=_person(user, payload.leader_in_charge, "leader_in_charge"),
        deadline=payload.deadline,
        deadline_working_days=payload.deadline_working_days,
        report_cadence=_v(payload.report_cadence),
        instruction_by=_person(user, payload.instruction_by, "instruction_by"),
        instruction_on=payload.instruction_on,
        instruction_text=payload.instruction_text,
        source_document=payload.source_document,
        meeting=payload.meeting,
        meeting_item=payload.meeting_item,
        task=task,
        remarks=payload.remarks,
    )
    item = services.item_register(actor=user, data=data)
    return Status(201, _detail(perms.access_item(user, item.pk)))


class SupervisionVersionIn(Schema):
    version: int | None = Field(None, ge=1, le=MAX_ID)


@router.post("/items/{item_id}/assign", response=SupervisionItemDetailOut)
def assign_item(request: HttpRequest, item_id: Id, payload: SupervisionVersionIn) -> Any:
    """Assign the item: the deadline is fixed and the lead unit is told."""
    user = _user(request)
    item = perms.access_item(user, item_id)
    perms.require(perms.can_assign(user, item))
    services.item_assign(actor=user, item=item, version=payload.version)
    return _detail(perms.access_item(user, item_id))


@router.post("/items/{item_id}/accept", response=SupervisionItemDetailOut)
def accept_item(request: HttpRequest, item_id: Id, payload: SupervisionVersionIn) -> Any:
    """The lead unit accepts the item."""
    user = _user(request)
    item = perms.access_item(user, item_id)
    perms.require(perms.can_accept(user, item))
    services.item_accept(actor=user, item=item, version=payload.version)
    return _detail(perms.access_item(user, item_id))


class SupervisionFileIn(Schema):
    name: Text = Field(..., min_length=1, max_length=200)
    content_base64: str = Field(..., max_length=30_000_000)


class SupervisionFeedbackIn(Schema):
    kind: FeedbackKindIn  # type: ignore[valid-type]
    text: Text = Field(..., min_length=1, max_length=5000)
    percent: int | None = Field(None, ge=0, le=100)
    files: list[SupervisionFileIn] = Field(default_factory=list, max_length=10)
    version: int | None = Field(None, ge=1, le=MAX_ID)


@router.post("/items/{item_id}/feedback", response={201: SupervisionFeedbackOut})
def submit_feedback(request: HttpRequest, item_id: Id, payload: SupervisionFeedbackIn) -> Any:
    """Periodic or final feedback from the lead unit, with attachments (base64)."""
    user = _user(request)
    item = perms.access_item(user, item_id)
    perms.require(perms.can_feedback(user, item))
    files = []
    for f in payload.files:
        try:
            files.append((f.name, base64.b64decode(f.content_base64, validate=True)))
        except (binascii.Error, ValueError):
            raise InvalidInput(details=[{"field": "files", "message": "Not base64."}]) from None
    feedback = services.feedback_submit(
        actor=user,
        item=item,
        kind=_v(payload.kind),
        text=payload.text,
        percent=payload.percent,
        files=files,
        version=payload.version,
    )
    return Status(201, feedback)


class SupervisionReviewIn(Schema):
    accept: bool
    reason: Text = Field("", max_length=2000)


@router.post("/items/{item_id}/feedback/{feedback_id}/review", response=SupervisionFeedbackOut)
def review_feedback(
    request: HttpRequest, item_id: Id, feedback_id: Id, payload: SupervisionReviewIn
) -> Any:
    """The office accepts feedback, or returns it with a reason."""
    user = _user(request)
    item = perms.access_item(user, item_id)
    feedback = perms.access_feedback(user, item, feedback_id)
    perms.require(perms.can_review_feedback(user, feedback))
    return services.feedback_review(
        actor=user, feedback=feedback, accept=payload.accept, reason=payload.reason
    )


class SupervisionExtensionIn(Schema):
    new_deadline: dt.date
    reason: Text = Field(..., min_length=1, max_length=2000)


@router.post("/items/{item_id}/extensions", response={201: SupervisionExtensionOut})
def request_extension(request: HttpRequest, item_id: Id, payload: SupervisionExtensionIn) -> Any:
    """Ask for a later deadline (before the current one has passed)."""
    user = _user(request)
    item = perms.access_item(user, item_id)
    perms.require(perms.is_lead_member(user, item))
    ext = services.extension_request(
        actor=user, item=item, new_deadline=payload.new_deadline, reason=payload.reason
    )
    return Status(201, ext)


class SupervisionDecisionIn(Schema):
    approve: bool
    note: Text = Field("", max_length=2000)
    version: int | None = Field(None, ge=1, le=MAX_ID)


@router.post("/items/{item_id}/extensions/{extension_id}/decide", response=SupervisionExtensionOut)
def decide_extension(
    request: HttpRequest, item_id: Id, extension_id: Id, payload: SupervisionDecisionIn
) -> Any:
    """Approve (the deadline moves; statistics keep the original) or reject."""
    user = _user(request)
    item = perms.access_item(user, item_id)
    ext = item.extensions.filter(pk=extension_id).select_related("item").first()
    if ext is None:
        raise NotFound()
    perms.require(perms.can_decide_extension(user, item))
    return services.extension_decide(
        actor=user, request=ext, approve=payload.approve, note=payload.note
    )


@router.post("/items/{item_id}/close-out", response=SupervisionItemDetailOut)
def close_out(request: HttpRequest, item_id: Id, payload: SupervisionDecisionIn) -> Any:
    """The leader in charge approves (or refuses, with a reason) the close-out."""
    user = _user(request)
    item = perms.access_item(user, item_id)
    perms.require(perms.can_close_out(user, item))
    services.item_close_out(
        actor=user, item=item, approve=payload.approve, note=payload.note, version=payload.version
    )
    return _detail(perms.access_item(user, item_id))


class SupervisionUnitStatsOut(Schema):
    unit_id: int
    unit_name: str
    assigned: int
    closed: int
    closed_on_time: int
    overdue: int
    open: int
    completion_rate: float | None
    on_time_rate: float | None


@router.get("/statistics", response=list[SupervisionUnitStatsOut])
def statistics(request: HttpRequest) -> Any:
    """Per lead unit: assigned, closed, closed on time (original deadline), overdue, open."""
    return selectors.unit_statistics(selectors.items_visible(_user(request)))


# --- suspend and resume (the item page's buttons) ----------------------------------------------


class SupervisionSuspendIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=2000)
    version: int | None = Field(None, ge=1, le=MAX_ID)


@router.post("/items/{item_id}/suspend", response=SupervisionItemDetailOut)
def suspend_item(request: HttpRequest, item_id: Id, payload: SupervisionSuspendIn) -> Any:
    """The office suspends an open item, with a reason."""
    user = _user(request)
    item = perms.access_item(user, item_id)
    perms.require(perms.can_suspend(user, item))
    services.item_suspend(actor=user, item=item, reason=payload.reason, version=payload.version)
    return _detail(perms.access_item(user, item_id))


@router.post("/items/{item_id}/resume", response=SupervisionItemDetailOut)
def resume_item(request: HttpRequest, item_id: Id, payload: SupervisionVersionIn) -> Any:
    """The office resumes a suspended item."""
    user = _user(request)
    item = perms.access_item(user, item_id)
    perms.require(perms.can_resume(user, item))
    services.item_resume(actor=user, item=item, version=payload.version)
    return _detail(perms.access_item(user, item_id))


# --- the ledger as xlsx (the same file as the ledger page's export) ----------------------------


@router.get(
    "/ledger.xlsx",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "The supervision ledger workbook (RULES.md §4 columns).",
                "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def ledger_xlsx(request: HttpRequest, filters: Query[SupervisionItemQuery]) -> Any:
    """The ledger with the list's filters as an xlsx workbook, scoped to the caller and recorded
    in the audit log (`page` and `page_size` are ignored: the file has every matching item)."""
    user = _user(request)
    if scope_for(user).is_empty:
        raise NotFound()
    f = selectors.ItemFilter(
        q=filters.q,
        lead_unit=filters.lead_org,
        leader_in_charge=filters.leader_in_charge,
        light=_v(filters.light),
        status=_v(filters.status),
        kind=_v(filters.kind),
        urgency=_v(filters.urgency),
        source=_v(filters.source),
        overdue=filters.overdue,
    )
    export = exports.LedgerXlsx(user, f).render()
    export_record(actor=user, export=export)
    return export_response(export)


# --- bulletins ----------------------------------------------------------------------------------


BulletinStatusOut = _choices("SupervisionBulletinStatus", Bulletin.Status)


class SupervisionBulletinOut(Schema):
    id: int
    agency: int = Field(..., alias="agency_id")
    agency_name: str
    month: dt.date
    title: str
    status: str
    compiled_at: dt.datetime
    published_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_agency_name(obj: Bulletin) -> str:
        return obj.agency.name


class SupervisionBulletinDetailOut(SupervisionBulletinOut):
    introduction: str
    closing: str
    data: dict[str, Any]


class SupervisionBulletinPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[SupervisionBulletinOut]


class SupervisionBulletinQuery(Schema):
    status: BulletinStatusOut | None = None  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=200)


def _bulletin_viewer(user: Any) -> None:
    if scope_for(user).is_empty and getattr(user, "person", None) is None:
        raise NotFound()


@router.get("/bulletins", response=SupervisionBulletinPage)
def list_bulletins(request: HttpRequest, filters: Query[SupervisionBulletinQuery]) -> Any:
    """Published bulletins of the caller's organization (and agencies their scope covers); the
    supervision office also sees its drafts."""
    user = _user(request)
    _bulletin_viewer(user)
    qs = perms.bulletins_visible(user).order_by("-month", "-id")
    if filters.status is not None:
        qs = qs.filter(status=_v(filters.status))
    return api_page(Paginator(qs, filters.page_size), filters.page)


@router.get("/bulletins/{bulletin_id}", response=SupervisionBulletinDetailOut)
def get_bulletin(request: HttpRequest, bulletin_id: Id) -> Any:
    """One bulletin with its compiled statistics and lists."""
    return perms.access_bulletin(_user(request), bulletin_id)


class SupervisionBulletinCompileIn(Schema):
    month: str = Field(..., pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")


@router.post(
    "/bulletins",
    response={201: SupervisionBulletinDetailOut},
    openapi_extra=error_responses(
        {
            403: "Only the supervision office compiles bulletins.",
            422: "The month's bulletin is already published.",
        }
    ),
)
def compile_bulletin(request: HttpRequest, payload: SupervisionBulletinCompileIn) -> Any:
    """Compile (or recompile, while still a draft) the month's bulletin of the caller's agency."""
    user = _user(request)
    _bulletin_viewer(user)
    perms.require(perms.can_manage_bulletins(user))
    person = getattr(user, "person", None)
    if person is None:
        raise NotFound()
    try:
        month = bulletins.parse_month(payload.month)
    except ValueError:
        raise InvalidInput(details=[{"field": "month", "message": _("Not a month.")}]) from None
    agency = services._agency_of(user, person.unit)
    bulletin = bulletins.bulletin_compile(actor=user, agency=agency, month=month)
    return Status(201, perms.access_bulletin(user, bulletin.pk))


class SupervisionBulletinEditIn(Schema):
    title: Text | None = Field(None, max_length=200)
    introduction: Text | None = Field(None, max_length=20000)
    closing: Text | None = Field(None, max_length=20000)
    version: int | None = Field(None, ge=1, le=MAX_ID)


@router.patch(
    "/bulletins/{bulletin_id}",
    response=SupervisionBulletinDetailOut,
    openapi_extra=error_responses({422: "Published bulletins cannot be edited; a title is due."}),
)
def edit_bulletin(request: HttpRequest, bulletin_id: Id, payload: SupervisionBulletinEditIn) -> Any:
    """Edit a draft's title, introduction and closing remarks (the fields sent)."""
    user = _user(request)
    bulletin = perms.access_bulletin(user, bulletin_id)
    perms.require(perms.can_manage_bulletins(user))
    changes = {
        name: value
        for name in ("title", "introduction", "closing")
        if (value := getattr(payload, name)) is not None
    }
    bulletins.bulletin_update(
        actor=user, bulletin=bulletin, changes=changes, version=payload.version
    )
    return perms.access_bulletin(user, bulletin_id)


@router.post(
    "/bulletins/{bulletin_id}/publish",
    response=SupervisionBulletinDetailOut,
    openapi_extra=error_responses({422: "The bulletin is already published."}),
)
def publish_bulletin(request: HttpRequest, bulletin_id: Id, payload: SupervisionVersionIn) -> Any:
    """Publish a draft: all staff of the agency see it, and they are notified."""
    user = _user(request)
    bulletin = perms.access_bulletin(user, bulletin_id)
    perms.require(perms.can_manage_bulletins(user))
    bulletins.bulletin_publish(actor=user, bulletin=bulletin, version=payload.version)
    return perms.access_bulletin(user, bulletin_id)
