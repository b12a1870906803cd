"""Cell texts shared by the plans' exports: lights and statuses as words, indicators,
milestones, units and people as the documents write them; safe file names."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from typing import Any

from luoshi.orgs.models import OrgUnit

from ..models import Indicator, Milestone, Task

LIGHT_WORDS: dict[str, str] = {
    Task.Light.RED: "红灯",
    Task.Light.YELLOW: "黄灯",
    Task.Light.GREEN: "绿灯",
    Task.Light.GREY: "灰灯",
}


LIGHT_FILLS: dict[str, str] = {  # the cell's colour behind the word: never colour alone
    Task.Light.RED: "F8696B",
    Task.Light.YELLOW: "FFEB84",
    Task.Light.GREEN: "63BE7B",
    Task.Light.GREY: "D9D9D9",
}


STATUS_WORDS: dict[str, str] = {
    Task.Status.DRAFT: "草稿",
    Task.Status.IN_PROGRESS: "推进中",
    Task.Status.COMPLETION_REQUESTED: "申请销号",
    Task.Status.COMPLETED: "已销号",
    Task.Status.ADJUSTMENT_REQUESTED: "申请调整",
    Task.Status.CANCELLED: "已取消",
}


ONGOING = "长期坚持"


def _number(value: decimal.Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def indicators_text(indicators: Sequence[Indicator]) -> str:
    """集体学习12次；办结率≤5% — a lower-is-better target written with ≤."""
    parts = []
    for ind in indicators:
        sign = "≤" if ind.direction == Indicator.Direction.LOWER else ""
        parts.append(f"{ind.name}{sign}{_number(ind.target)}{ind.unit}")
    return "；".join(parts)


def _month_day(day: dt.date, year: int | None) -> str:
    last = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    text = f"{day.month}月底" if day == last else f"{day.month}月{day.day}日"
    return text if day.year == year else f"{day.year}年{text}"


def milestones_text(milestones: Sequence[Milestone], year: int | None) -> str:
    """3月底前印发计划；6月15日前完成评估 — as the 阶段安排 column writes a roadmap."""
    return "；".join(f"{_month_day(m.due_date, year)}前{m.title}" for m in milestones)


def _names(units: Sequence[OrgUnit]) -> str:
    return "、".join(u.name for u in units)


def _person(person: Any) -> str:
    return person.name if person is not None else ""


def _deadline(task: Task) -> dt.date | str:
    if task.deadline is not None:
        return task.deadline
    return ONGOING if task.ongoing else ""
