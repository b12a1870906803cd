"""The demo agency's work plan for the current year, with a year of progress as of today.

The outline is the demo's own (demo_data/work-points.txt, fictional), imported through the same
parser and services as a real plan; reports, close-outs and lights then give a realistic mix.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from luoshi.core.lights import LIGHTS, elapsed_share
from luoshi.documents.outline import parse_outline
from luoshi.orgs.demo import AGENCY_CODE
from luoshi.orgs.models import OrgUnit, Person, User

from .models import Category, Task, TaskEvent, WorkPlan
from .services.categories import category_create, task_classify
from .services.closeout import closeout_readiness, completion_request, completion_verify
from .services.imports import import_outline, unit_resolver
from .services.lights import refresh_lights
from .services.plans import plan_approve, plan_create, plan_issue
from .services.reports import ReportIn, report_submit
from .services.roadmap import milestone_add
from .services.tasks import task_update

OUTLINE = Path(__file__).with_name("demo_data") / "work-points.txt"

# The roadmap every demo task gets (RULES.md: 责任人、路线图、时间表): each step at a share of
# the time from the plan's issue to the task's deadline, the last one on the deadline.
# Each step with the evidence its completion is reported with.
ROADMAP = [
    (0.2, "制定实施方案，明确责任分工", "实施方案已印发，会议纪要已归档"),
    (0.6, "组织实施，开展中期检查", "中期检查情况通报已印发"),
    (1.0, "总结评估，形成工作报告", "工作总结报告已报送办公室"),
]

PHRASES = [
    "按计划推进，已完成阶段性任务。",
    "召开专题会议研究部署，明确分工。",
    "会同配合部门开展调研。",
    "完成方案起草，正在征求意见。",
    "组织实施主体活动，反响良好。",
    "整理资料，形成阶段总结。",
]


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__startswith="demo_")}


DEMO_CATEGORIES = ("为侨服务", "联谊联络", "参政议政", "自身建设")


def _demo_categories(actor: Any, agency: OrgUnit, tasks: list[Task]) -> None:
    """The agency's list of task categories, each task tagged with one (two for every fifth)."""
    known = {c.name: c for c in Category.objects.filter(agency=agency)}  # an earlier year's demo
    made = [
        known.get(name) or category_create(actor=actor, agency=agency, name=name)
        for name in DEMO_CATEGORIES
    ]
    for index, task in enumerate(tasks):
        chosen = [made[index % len(made)]]
        if index % 5 == 0:
            chosen.append(made[(index + 1) % len(made)])
        task_classify(actor=actor, task=task, categories=chosen)


@transaction.atomic
def _actual(target: decimal.Decimal, percent: int) -> decimal.Decimal:
    """The share `percent` of a target, whole when the target is (4 sessions, not 3.32)."""
    step = decimal.Decimal(1) if target == target.to_integral_value() else decimal.Decimal("0.01")
    return (target * percent / 100).quantize(step, rounding=decimal.ROUND_HALF_UP)


def _demo_roadmap(actor: Any, task: Task, start: dt.date) -> None:
    """A responsible person from the lead unit and milestones on the way to the task's deadline,
    set while the plan is a draft (the lights are refreshed once the plan is issued)."""
    person = Person.objects.filter(unit=task.lead_unit).order_by("id").first()
    if person is not None and task.responsible_person_id is None:
        task = task_update(
            actor=actor, task=task, version=None, changes={"responsible_person": person}
        )
    deadline = task.deadline or dt.date(start.year, 12, 31)
    days = (deadline - start).days
    for share, title, _evidence in ROADMAP:
        milestone_add(
            actor=actor,
            task=task,
            title=title,
            due_date=start + dt.timedelta(days=round(days * share)),
            refresh_light=False,
        )


def _demo_final_report(actor: Any, task: Task, on: dt.date) -> None:
    """The lead unit's last report before it asks for the close-out: the milestones left done
    and the indicators at their target, so that the close-out is ready (issue 15 finding 3:
    verification refuses a task that is not)."""
    if closeout_readiness(task, today=on).ready:
        return
    done = {
        m.pk: (min(m.due_date, on), ROADMAP[-1][2])
        for m in task.milestones.all()
        if m.done_on is None
    }
    values = {i.pk: i.target for i in task.indicators.all()}
    report_submit(
        actor=actor,
        task=task,
        unit=task.lead_unit,
        today=on,
        data=ReportIn(
            text="全部目标任务已完成。", percent=100, indicator_values=values, milestones_done=done
        ),
    )
    task.refresh_from_db()


def _date_the_history(plan: WorkPlan, loaded: dt.datetime, start: dt.date) -> None:
    """Date the history the demo wrote as its story goes: the tasks set up and issued on the
    plan's issue day, close-outs on the day they were verified (reports already carry theirs)."""
    zone = timezone.get_current_timezone()
    issued = dt.datetime.combine(start, dt.time(9, 0), tzinfo=zone)
    closing = {TaskEvent.Kind.COMPLETION_REQUESTED, TaskEvent.Kind.COMPLETION_ACCEPTED}
    events = list(TaskEvent.objects.filter(task__plan=plan, at__gte=loaded).select_related("task"))
    for event in events:
        if event.kind in closing and event.task.completed_on:
            event.at = dt.datetime.combine(event.task.completed_on, dt.time(15, 0), tzinfo=zone)
        elif event.kind != TaskEvent.Kind.REPORTED:
            event.at = issued
    TaskEvent.objects.bulk_update(events, ["at"])


def build_demo_plan(today: dt.date | None = None, seed: int = 2026) -> str:
    day = today or timezone.localdate()
    agency = OrgUnit.objects.filter(code=AGENCY_CODE).first()
    if agency is None:
        return "no demo agency"
    if WorkPlan.objects.filter(agency=agency, year=day.year).exists():
        return "already present; nothing changed"
    users = _users()
    rng = random.Random(seed)
    loaded = timezone.now()
    lines = OUTLINE.read_text(encoding="utf-8").format(year=day.year).splitlines()
    parsed = parse_outline(lines, resolve=unit_resolver(agency), year=day.year)
    plan = plan_create(
        actor=users.get("demo_supervisor"),
        agency=agency,
        year=day.year,
        title=parsed.title,
        today=day,
    )
    import_outline(actor=users.get("demo_supervisor"), plan=plan, parsed=parsed)
    start = dt.date(day.year, 1, 5)
    tasks = list(Task.objects.filter(plan=plan).select_related("lead_unit").order_by("sort_order"))
    for task in tasks:
        _demo_roadmap(users.get("demo_supervisor"), task, start)
    plan_approve(actor=users.get("demo_leader"), plan=plan)
    plan_issue(actor=users.get("demo_supervisor"), plan=plan, today=min(start, day))
    tasks = list(Task.objects.filter(plan=plan).select_related("lead_unit").order_by("sort_order"))
    reporter = users.get("demo_supervisor")
    _demo_categories(users.get("demo_supervisor"), agency, tasks)
    for index, task in enumerate(tasks):
        deadline = task.deadline or dt.date(day.year, 12, 31)
        months = range(1, day.month + (0 if day.day < 5 else 1))
        # Some tasks run ahead, most on time, a few fall behind (yellow) or miss a milestone or
        # the deadline (red).
        pace = [1.25, 1.0, 1.0, 0.9, 0.55][index % 5]
        milestones = list(task.milestones.order_by("due_date"))
        indicators = [i for i in task.indicators.all() if i.direction == i.Direction.HIGHER]
        for month in months:
            # Reports are due by the 5th; the units a little behind are sometimes late (迟报).
            lateness = 6 if pace == 0.9 else 2
            report_day = dt.date(day.year, month, 3 + rng.randint(0, lateness))
            if month <= start.month:
                continue  # the first report, early the month after the issue, is that month's
            if report_day > day or report_day > deadline + dt.timedelta(days=10):
                break
            share = elapsed_share(start, deadline, report_day) or 0
            percent = min(100, round(share * 100 * pace))
            # The tasks on pace finish a milestone a few days before it is due; the tasks far
            # behind leave theirs undone (a red light once one is past due).
            done = {}
            for step, m in enumerate(milestones):
                if m.done_on is None and pace >= 0.9 and m.due_date <= report_day:
                    when = m.due_date - dt.timedelta(days=rng.randint(0, 4))
                    done[m.pk] = (when, ROADMAP[min(step, len(ROADMAP) - 1)][2])
                    m.done_on = when
            values = {i.pk: _actual(i.target, percent) for i in indicators}
            report_submit(
                actor=reporter,
                task=task,
                unit=task.lead_unit,
                today=report_day,
                data=ReportIn(
                    text=rng.choice(PHRASES),
                    percent=percent,
                    indicator_values=values,
                    milestones_done=done,
                ),
            )
        task.refresh_from_db()
        if task.deadline and task.deadline < day and pace >= 1.0 and index % 3:
            _demo_final_report(reporter, task, min(task.deadline, day))
            completion_request(
                actor=reporter, task=task, note="已按期完成全部目标任务，相关材料已归档。"
            )
            completion_verify(
                actor=users.get("demo_supervisor"),
                task=task,
                accept=True,
                today=min(task.deadline, day),
            )
    _date_the_history(plan, loaded, start)
    refresh_lights(Task.objects.filter(plan=plan), today=day)
    counts = {c: Task.objects.filter(plan=plan, light=c).count() for c in LIGHTS}
    return f"{len(tasks)} tasks, lights " + ", ".join(f"{k} {v}" for k, v in counts.items())
