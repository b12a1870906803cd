"""API for work plans and tasks: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder

from luoshi.core.apitypes import MAX_ID, Text, error_responses
from luoshi.core.errors import Forbidden
from luoshi.core.paging import FastPaginator
from luoshi.orgs.models import OrgUnit

from . import permissions as perms
from . import selectors, services
from .models import Task
from .rules import stored_reason_text

router = Router(tags=["plans"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _scoped_user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- plans ------------------------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    year: int
    title: str
    agency: int = Field(..., alias="agency_id")
    status: str
    version: int


class OutlineTaskOut(Schema):
    id: int
    code: str
    title: str
    lead_unit: int = Field(..., alias="lead_unit_id")
    deadline: dt.date | None
    progress: int
    status: str
    light: str


class OutlineNodeOut(Schema):
    id: int
    level: int
    label: str
    title: str
    tasks: list[OutlineTaskOut]
    children: list[OutlineNodeOut]


class PlanDetailOut(PlanOut):
    preamble: str
    outline: list[OutlineNodeOut]


@router.get("/plans", response=list[PlanOut])
def list_plans(request: HttpRequest) -> Any:
    """The plans the caller may see (drafts only to those who draft or approve them)."""
    return list(selectors.plans_visible(_scoped_user(request)).order_by("-year", "agency__path"))


def _node(node: selectors.OutlineNode) -> dict[str, Any]:
    kp = node.key_point
    return {
        "id": kp.pk,
        "level": kp.level,
        "label": kp.label,
        "title": kp.title,
        "tasks": node.tasks,
        "children": [_node(c) for c in node.children],
    }


@router.get("/plans/{plan_id}", response=PlanDetailOut)
def get_plan(request: HttpRequest, plan_id: Id) -> Any:
    """One plan with its outline (key points, sections, tasks) as the agency wrote it."""
    plan = perms.access_plan(_scoped_user(request), plan_id)
    outline = selectors.plan_outline(plan, Task.objects.filter(plan=plan))
    data = PlanOut.from_orm(plan).model_dump(by_alias=True)
    data.update(preamble=plan.preamble, outline=[_node(n) for n in outline])
    return data


# --- tasks ------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    code: str
    title: str
    plan: int | None = Field(None, alias="plan_id")
    lead_unit: int = Field(..., alias="lead_unit_id")
    lead_unit_name: str
    leader_in_charge: int | None = Field(None, alias="leader_in_charge_id")
    responsible_person: int | None = Field(None, alias="responsible_person_id")
    deadline: dt.date | None
    is_key: bool
    status: str
    light: str
    light_reason: str
    progress: int
    version: int

    @staticmethod
    def resolve_lead_unit_name(obj: Task) -> str:
        return obj.lead_unit.name


class MilestoneOut(Schema):
    id: int
    title: str
    due_date: dt.date
    done_on: dt.date | None
    evidence: str


class IndicatorOut(Schema):
    id: int
    name: str
    unit: str
    target: decimal.Decimal
    direction: str
    actual: decimal.Decimal | None


class ReportOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    period: dt.date
    text: str
    percent: int | None
    submitted_at: dt.datetime
    due_on: dt.date | None
    late: bool = Field(..., alias="is_late", description="Submitted after its due day (迟报)")


class NextReportOut(Schema):
    """What a report by the caller would be for now: the previous period while its report is
    not in (late after its due day), else the current one."""

    unit: int
    period: dt.date
    due_on: dt.date
    late: bool


class TaskDetailOut(TaskOut):
    goal: str
    measures: str
    cooperating_units: list[int] = Field(..., alias="cooperating_unit_ids")
    milestones: list[MilestoneOut]
    indicators: list[IndicatorOut]
    reports: list[ReportOut]
    next_report: NextReportOut | None = Field(
        None, description="Only for those who report on the task"
    )

    @staticmethod
    def resolve_milestones(obj: Task) -> list[Any]:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_indicators(obj: Task) -> list[Any]:
        return list(obj.indicators.all())

    @staticmethod
    def resolve_reports(obj: Task) -> list[Any]:
        return list(obj.reports.all()[:50])


# The columns TaskOut reads (the ledger's rows are dicts of these).
TASK_OUT_COLUMNS = (
    "id", "code", "title", "plan_id", "lead_unit_id", "lead_unit__name", "leader_in_charge_id",
    "responsible_person_id", "deadline", "is_key", "status", "light", "light_code", "progress",
    "version",
)  # fmt: skip


class TaskPage(Schema):
    count: int = Field(description="Matching tasks, counted up to a limit (see count_capped)")
    count_capped: bool = Field(
        False, description="True when more tasks match than were counted: narrow the filters"
    )
    page: int
    pages: int
    page_size: int
    results: list[TaskOut]


class TaskQuery(Schema):
    q: Text = Field("", max_length=100, description="Code, title or text; either script")
    plan: int | None = Field(None, ge=1, le=MAX_ID)
    lead_org: int | None = Field(None, ge=1, le=MAX_ID, description="Lead unit and below")
    leader_in_charge: int | None = Field(None, ge=1, le=MAX_ID)
    light: Task.Light | None = None
    status: Task.Status | None = None
    key_only: bool = False
    overdue: bool = False
    sort: (
        Literal[
            "code",
            "-code",
            "lead_unit",
            "-lead_unit",
            "deadline",
            "-deadline",
            "progress",
            "-progress",
            "status",
            "-status",
            "light",
            "-light",
        ]
        | None
    ) = Field(None, description="Sort column, '-' for descending; default: plan order")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=200)


@router.get("/tasks", response=TaskPage)
def list_tasks(request: HttpRequest, filters: Query[TaskQuery]) -> HttpResponse:
    """The task ledger, scoped to the caller; closed tasks only with `status` or `q`."""
    f = selectors.TaskFilter(
        q=filters.q,
        plan=filters.plan,
        lead_unit=filters.lead_org,
        leader_in_charge=filters.leader_in_charge,
        light=filters.light or "",
        status=filters.status or "",
        key_only=filters.key_only,
        overdue=filters.overdue,
        sort=filters.sort or "",
    )
    qs = selectors.task_ledger(_scoped_user(request), f).select_related(None)
    count = selectors.ledger_count(_scoped_user(request), f)
    paginator = FastPaginator(qs, filters.page_size, count=count, values=TASK_OUT_COLUMNS)
    page = paginator.get_page(filters.page)
    data = {
        "count": paginator.count,
        "count_capped": paginator.count_capped,
        "page": page.number,
        "pages": paginator.num_pages,
        "page_size": filters.page_size,
        "results": [task_row(task) for task in page.object_list],
    }
    # The page is built as TaskPage documents it (tests compare the two) and rendered as ninja
    # renders answers, without validating each row again through the schema's attribute getters
    # (a fifth of the call's time).
    return HttpResponse(json.dumps(data, cls=NinjaJSONEncoder), content_type=JSON_CONTENT_TYPE)


JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def task_row(task: dict[str, Any]) -> dict[str, Any]:
    """A ledger row (a dict of TASK_OUT_COLUMNS) as TaskOut gives it."""
    return {
        "id": task["id"],
        "code": task["code"],
        "title": task["title"],
        "plan": task["plan_id"],
        "lead_unit": task["lead_unit_id"],
        "lead_unit_name": task["lead_unit__name"],
        "leader_in_charge": task["leader_in_charge_id"],
        "responsible_person": task["responsible_person_id"],
        "deadline": task["deadline"],
        "is_key": task["is_key"],
        "status": task["status"],
        "light": task["light"],
        "light_reason": stored_reason_text(task["light_code"]),
        "progress": task["progress"],
        "version": task["version"],
    }


@router.get("/tasks/{task_id}", response=TaskDetailOut)
def get_task(request: HttpRequest, task_id: Id) -> Any:
    """One task with its owners, roadmap, indicators and latest reports."""
    user = _scoped_user(request)
    task = perms.access_task(user, task_id)
    cooperating = list(task.cooperating_units.values_list("pk", flat=True))
    task.cooperating_unit_ids = cooperating  # type: ignore[attr-defined]
    task.next_report = None  # type: ignore[attr-defined]
    if perms.can_report(user, task, set(cooperating)):
        unit = task.lead_unit if perms.is_lead_member(user, task) else user.person.unit
        upcoming = services.next_report(task, unit, timezone.localdate())
        task.next_report = {  # type: ignore[attr-defined]
            "unit": unit.pk,
            "period": upcoming.period,
            "due_on": upcoming.due_on,
            "late": upcoming.late,
        }
    return task


class IndicatorValueIn(Schema):
    id: int = Field(..., ge=1, le=MAX_ID, description="An indicator of the task")
    value: float = Field(..., ge=-1e12, le=1e12, description="The actual value so far")


class MilestoneDoneIn(Schema):
    id: int = Field(..., ge=1, le=MAX_ID, description="A milestone of the task")
    done_on: dt.date
    evidence: Text = Field("", max_length=500)


class ReportIn(Schema):
    text: Text = Field(..., min_length=1, max_length=5000)
    percent: int | None = Field(None, ge=0, le=100, description="Lead unit only")
    indicators: list[IndicatorValueIn] = Field(default_factory=list, max_length=100)
    milestones_done: list[MilestoneDoneIn] = Field(default_factory=list, max_length=100)


@router.post(
    "/tasks/{task_id}/reports",
    response={201: ReportOut},
    openapi_extra=error_responses({403: "You do not report on this task."}),
)
def submit_report(request: HttpRequest, task_id: Id, payload: ReportIn) -> Any:
    """Report progress for the current period as the lead or a cooperating unit."""
    user = _scoped_user(request)
    task = perms.access_task(user, task_id)
    cooperating = set(task.cooperating_units.values_list("pk", flat=True))
    if not perms.can_report(user, task, cooperating):
        raise Forbidden()
    unit: OrgUnit = task.lead_unit if perms.is_lead_member(user, task) else user.person.unit
    report = services.report_submit(
        actor=user,
        task=task,
        unit=unit,
        data=services.ReportIn(
            text=payload.text,
            percent=payload.percent,
            indicator_values={
                i.id: decimal.Decimal(str(round(i.value, 2))) for i in payload.indicators
            },
            milestones_done={m.id: (m.done_on, m.evidence) for m in payload.milestones_done},
        ),
    )
    return Status(201, report)


class CompletionIn(Schema):
    note: Text = Field(..., min_length=1, max_length=5000)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="The version you read")


@router.post(
    "/tasks/{task_id}/completion-request",
    response=TaskOut,
    openapi_extra=error_responses(
        {403: "Only the lead unit requests close-out.", 409: "The task changed since you read it."}
    ),
)
def request_completion(request: HttpRequest, task_id: Id, payload: CompletionIn) -> Any:
    user = _scoped_user(request)
    task = perms.access_task(user, task_id)
    if not perms.is_lead_member(user, task):
        raise Forbidden()
    return services.completion_request(
        actor=user, task=task, note=payload.note, version=payload.version
    )


class VerifyIn(Schema):
    accept: bool
    reason: Text = Field("", max_length=5000)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


@router.post(
    "/tasks/{task_id}/verify",
    response=TaskOut,
    openapi_extra=error_responses(
        {403: "Only a supervisor in scope verifies.", 409: "The task changed since you read it."}
    ),
)
def verify_completion(request: HttpRequest, task_id: Id, payload: VerifyIn) -> Any:
    """Close the task out, or return it to the lead unit with a reason."""
    user = _scoped_user(request)
    task = perms.access_task(user, task_id)
    if task.status == Task.Status.COMPLETION_REQUESTED and not perms.can_verify(user, task):
        raise Forbidden()
    return services.completion_verify(
        actor=user, task=task, accept=payload.accept, reason=payload.reason, version=payload.version
    )


# --- dashboard --------------------------------------------------------------------------------


class LightCounts(Schema):
    red: int = 0
    yellow: int = 0
    green: int = 0
    grey: int = 0


class UnitRow(Schema):
    unit: int | None
    name: str
    total: int
    completed: int
    lights: LightCounts


class DashboardOut(Schema):
    total: int
    completed: int
    lights: LightCounts
    by_unit: list[UnitRow]


@router.get(
    "/dashboard",
    response=DashboardOut,
    openapi_extra=error_responses({404: "The plan or unit is not visible to you."}),
)
def dashboard(
    request: HttpRequest,
    plan: int | None = Query(None, ge=1, le=MAX_ID, description="One plan; default: all"),
    unit: int | None = Query(None, ge=1, le=MAX_ID, description="One unit and its sub-units"),
) -> Any:
    """Counts by light and by lead unit for the caller's scope — the leadership dashboard's
    figures (tasks counted once, under their lead unit; drafts and cancelled tasks left out)."""
    from luoshi.orgs.permissions import access_unit

    from . import dashboard as dash

    user = _scoped_user(request)
    f = dash.DashboardFilter(
        plan=perms.access_plan(user, plan) if plan is not None else None,
        unit=access_unit(user, unit) if unit is not None else None,
    )
    totals, rows = dash.cached(
        user, f, "api", lambda: (dash.totals(user, f), dash.by_unit(user, f))
    )
    return {
        "total": totals.total,
        "completed": totals.completed,
        "lights": totals.lights(),
        "by_unit": [
            {
                "unit": row.key,
                "name": row.label,
                "total": row.counts.total,
                "completed": row.counts.completed,
                "lights": row.counts.lights(),
            }
            for row in rows
        ],
    }
