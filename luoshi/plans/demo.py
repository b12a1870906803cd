"""The demo agency's work plan for the current year, with a year of progress as of today.

The outline is the demo's own (demo_data/work-points.txt, fictional), imported through the same
parser and services as a real plan; reports, close-outs and lights then give a realistic mix.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from luoshi.orgs.demo import AGENCY_CODE
from luoshi.orgs.models import OrgUnit, User

from . import importing, rules, services
from .models import Task, WorkPlan
from .outline import parse_outline

OUTLINE = Path(__file__).with_name("demo_data") / "work-points.txt"

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
    from .models import Category
    from .services_categories import category_create, task_classify

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
def build_demo_plan(today: dt.date | None = None, seed: int = 2026) -> str:
    day = today or timezone.localdate()
    agency = OrgUnit.objects.filter(code=AGENCY_CODE).first()
    if agency is None:
        return "no demo agency"
    if WorkPlan.objects.filter(agency=agency, year=day.year).exists():
        return "already present; nothing changed"
    users = _users()
    rng = random.Random(seed)
    lines = OUTLINE.read_text(encoding="utf-8").format(year=day.year).splitlines()
    parsed = parse_outline(lines, resolve=importing.unit_resolver(agency), year=day.year)
    plan = services.plan_create(
        actor=users.get("demo_supervisor"), agency=agency, year=day.year, title=parsed.title
    )
    importing.import_outline(actor=users.get("demo_supervisor"), plan=plan, parsed=parsed)
    start = dt.date(day.year, 1, 5)
    services.plan_approve(actor=users.get("demo_leader"), plan=plan)
    services.plan_issue(actor=users.get("demo_supervisor"), plan=plan, today=min(start, day))
    reporter = users.get("demo_supervisor")
    tasks = list(Task.objects.filter(plan=plan).select_related("lead_unit").order_by("sort_order"))
    _demo_categories(users.get("demo_supervisor"), agency, tasks)
    for index, task in enumerate(tasks):
        deadline = task.deadline or dt.date(day.year, 12, 31)
        months = range(1, day.month + (0 if day.day < 5 else 1))
        # Some tasks run ahead, most on time, a few fall behind (yellow) or miss the deadline.
        pace = [1.25, 1.0, 1.0, 0.9, 0.55][index % 5]
        for month in months:
            report_day = dt.date(day.year, month, min(28, 3 + rng.randint(0, 3)))
            if report_day > day or report_day > deadline + dt.timedelta(days=10):
                break
            share = rules.elapsed_share(start, deadline, report_day) or 0
            percent = min(100, round(share * 100 * pace))
            services.report_submit(
                actor=reporter,
                task=task,
                unit=task.lead_unit,
                today=report_day,
                data=services.ReportIn(text=rng.choice(PHRASES), percent=percent),
            )
        task.refresh_from_db()
        if task.deadline and task.deadline < day and pace >= 1.0 and index % 3:
            services.completion_request(
                actor=reporter, task=task, note="已按期完成全部目标任务，相关材料已归档。"
            )
            services.completion_verify(
                actor=users.get("demo_supervisor"),
                task=task,
                accept=True,
                today=min(task.deadline, day),
            )
    services.refresh_lights(Task.objects.filter(plan=plan), today=day)
    counts = {c: Task.objects.filter(plan=plan, light=c).count() for c in rules.LIGHTS}
    return f"{len(tasks)} tasks, lights " + ", ".join(f"{k} {v}" for k, v in counts.items())
