"""Tasks in the API: the ledger (paged, filtered) and a task; the shared path and scope helpers."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import NinjaJSONEncoder

from luoshi.core.apitypes import MAX_ID, Text
from luoshi.core.lights import Light
from luoshi.core.paging import FastPaginator

from .. import permissions as perms
from ..models import Task
from ..rules import stored_reason_text
from ..selectors.ledger import TaskFilter, ledger_count, search_count_limit, task_ledger
from ..services import reports as report_services

router = Router(tags=["plans"])


Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _scoped_user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


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
    allows_negative: bool = Field(..., description="Its values may be below zero")


class ReportOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    period: dt.date
    text: str
    percent: int | None
    submitted_at: dt.datetime
    due_on: dt.date | None
    late: bool = Field(..., alias="is_late", description="Submitted after its due day (迟报)")
    progress_drop_reason: str = Field(
        ..., description="Why the progress is lower than last reported (empty otherwise)"
    )


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
    light: Light | None = None
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
    f = TaskFilter(
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
    qs = task_ledger(_scoped_user(request), f).select_related(None)
    count = ledger_count(_scoped_user(request), f)
    paginator = FastPaginator(
        qs,
        filters.page_size,
        count=count,
        values=TASK_OUT_COLUMNS,
        count_limit=search_count_limit(f),
    )
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
    unit = perms.report_unit(user, task, set(cooperating))
    if unit is not None and perms.can_report(user, task, set(cooperating)):
        upcoming = report_services.next_report(task, unit, timezone.localdate())
        task.next_report = {  # type: ignore[attr-defined]
            "unit": unit.pk,
            "period": upcoming.period,
            "due_on": upcoming.due_on,
            "late": upcoming.late,
        }
    return task
