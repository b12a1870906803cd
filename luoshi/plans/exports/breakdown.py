"""The task breakdown table (任务分解表) as xlsx (the shared workbook's columns, so that it
imports again) and as docx in the official-document layout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from luoshi.documents.exporters import Exporter, register
from luoshi.documents.official import (
    DOCX_CONTENT_TYPE,
    OfficialDocument,
    TableSection,
)
from luoshi.documents.xlsx import (
    XLSX_CONTENT_TYPE,
    SheetSpec,
    build_xlsx,
)
from luoshi.orgs.models import OrgUnit

from ..models import Indicator, KeyPoint, Milestone, Task, WorkPlan
from ..permissions import tasks_visible
from ..selectors.plans import plan_outline
from .cells import _deadline, _month_day, _names, _person, indicators_text, milestones_text

BREAKDOWN_SHEET = "任务分解表"


BREAKDOWN_HEADERS = [
    "序号",
    "编号",
    "重点任务",
    "具体措施",
    "量化指标",
    "牵头部门",
    "配合部门",
    "分管领导",
    "责任人",
    "完成时限",
    "阶段安排",
]


BREAKDOWN_XLSX_WIDTHS = (6, 14, 36, 40, 24, 16, 24, 10, 10, 12, 40)


BREAKDOWN_DOCX_WIDTHS = (12, 24, 32, 28, 22, 16, 20, 12, 12, 18, 29)  # mm: the 225 mm line


class PlanExporter(Exporter):
    """An export of one plan's tasks that the viewer may see (cancelled tasks left out),
    recorded in the audit log on the plan."""

    audit_action = "plan.export"

    def __init__(self, user: Any, plan: WorkPlan) -> None:
        super().__init__(user)
        self._plan = plan

    @property
    def plan(self) -> WorkPlan:
        return self._plan

    @property
    def obj(self) -> WorkPlan:
        return self._plan

    def tasks(self) -> QuerySet[Task]:
        return (
            tasks_visible(self.user)
            .filter(plan=self._plan)
            .exclude(status=Task.Status.CANCELLED)
            .prefetch_related(
                Prefetch("cooperating_units", queryset=OrgUnit.objects.order_by("path")),
                Prefetch(
                    "milestones", queryset=Milestone.objects.order_by("due_date", "sort_order")
                ),
                Prefetch("indicators", queryset=Indicator.objects.order_by("sort_order", "id")),
            )
        )

    def outline(self) -> Iterator[tuple[KeyPoint | None, list[Task]]]:
        """Each key point (in the outline's order, depth first) with its tasks; then the tasks
        outside the outline under None. Key points without visible tasks under them are left
        out."""
        tasks = self.tasks()
        roots = plan_outline(self._plan, tasks)

        def has_tasks(node: Any) -> bool:
            return bool(node.tasks) or any(has_tasks(c) for c in node.children)

        def walk(nodes: list[Any]) -> Iterator[tuple[KeyPoint | None, list[Task]]]:
            for node in nodes:
                if has_tasks(node):
                    yield node.key_point, node.tasks
                    yield from walk(node.children)

        yield from walk(roots)
        placed = self._plan.key_points.values("pk")
        loose = list(
            tasks.filter(Q(key_point__isnull=True) | ~Q(key_point__in=placed)).order_by(
                "sort_order", "id"
            )
        )
        if loose:
            yield None, loose

    def breakdown_rows(self) -> Iterator[TableSection | list[Any]]:
        """The table's rows in outline order, each key point as a `TableSection` before its
        tasks (the xlsx leaves those out)."""
        number = 0
        for key_point, tasks in self.outline():
            if key_point is not None:
                yield TableSection(f"{key_point.label}{key_point.title}")
            for task in tasks:
                number += 1
                yield [
                    number,
                    task.code,
                    task.title,
                    task.measures,
                    indicators_text(list(task.indicators.all())),
                    task.lead_unit.name,
                    _names(list(task.cooperating_units.all())),
                    _person(task.leader_in_charge),
                    _person(task.responsible_person),
                    _deadline(task),
                    milestones_text(list(task.milestones.all()), self._plan.year),
                ]

    def params(self) -> dict[str, Any]:
        return {"plan": self._plan.pk}


@register
class BreakdownXlsx(PlanExporter):
    identifier = "plan_breakdown_xlsx"
    verbose_name = _("Task breakdown table (Excel)")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE

    def file_name(self) -> str:
        return f"{self.plan.title}任务分解表"

    def write(self, target: IO[bytes]) -> int:
        rows = (row for row in self.breakdown_rows() if not isinstance(row, TableSection))
        writer = build_xlsx(
            [SheetSpec(BREAKDOWN_SHEET, BREAKDOWN_HEADERS, rows, BREAKDOWN_XLSX_WIDTHS)]
        )
        writer.save(target)
        return writer.rows_written.get(BREAKDOWN_SHEET, 0)


@register
class BreakdownDocx(PlanExporter):
    identifier = "plan_breakdown_docx"
    verbose_name = _("Task breakdown table (Word, official layout)")
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE

    def file_name(self) -> str:
        return f"{self.plan.title}任务分解表"

    def write(self, target: IO[bytes]) -> int:
        title = f"{self.plan.title}任务分解表"
        document = OfficialDocument(landscape=True, title=title)
        document.title(title)

        def rows() -> Iterator[TableSection | list[Any]]:
            for row in self.breakdown_rows():
                if not isinstance(row, TableSection) and isinstance(row[9], dt.date):
                    row[9] = f"{_month_day(row[9], self.plan.year)}前"  # 12月底前
                yield row

        written = document.table(
            BREAKDOWN_HEADERS, rows(), widths=BREAKDOWN_DOCX_WIDTHS, center=(0, 1, 7, 8, 9)
        )
        document.save(target)
        return written
