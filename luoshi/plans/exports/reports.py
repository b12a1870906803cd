"""Report exports: the monthly progress compilation (月度工作进展汇编, docx) and the report
overview's xlsx."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.documents.exporters import register
from luoshi.documents.official import (
    DOCX_CONTENT_TYPE,
    OfficialDocument,
    chinese_date,
)
from luoshi.documents.xlsx import (
    XLSX_CONTENT_TYPE,
    XlsxWriter,
)

from ..models import ProgressReport, Task, WorkPlan
from ..rules import period_owed, report_period
from ..selectors.reports import Overview
from .breakdown import PlanExporter
from .cells import STATUS_WORDS, _deadline, _names, _person

HEADERS = (
    _("Lead unit"),
    _("Period"),
    _("Expected"),
    _("On time"),
    pgettext_lazy("report", "Late"),
    _("Missing"),
    _("Not yet due"),
)


def overview_rows(overview: Overview) -> Iterator[list[Any]]:
    for row in overview.rows:
        yield [
            row.unit_name,
            row.label,
            row.expected,
            row.on_time,
            row.late,
            row.missing,
            row.pending,
        ]


def overview_xlsx(overview: Overview) -> IO[bytes]:
    writer = XlsxWriter()
    sheet = writer.add_sheet(
        str(_("Progress reports")), [str(h) for h in HEADERS], widths=(28, 12, 10, 10, 10, 10, 10)
    )
    sheet.extend(overview_rows(overview))
    return writer.to_tempfile()


XLSX = XLSX_CONTENT_TYPE


def parse_month(text: str | None, today: dt.date | None = None) -> dt.date:
    """`YYYY-MM` → the first day of that month; empty → the current month. Raises ValueError."""
    if not text:
        day = today or timezone.localdate()
        return day.replace(day=1)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match:
        raise ValueError(text)
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


@register
class ProgressDocx(PlanExporter):
    """The monthly progress compilation (月度工作进展汇编) of one plan."""

    identifier = "plan_progress_docx"
    verbose_name = _("Monthly progress compilation (Word)")
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE

    def __init__(self, user: Any, plan: WorkPlan, month: dt.date) -> None:
        super().__init__(user, plan)
        self.month = month.replace(day=1)
        self.month_end = (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

    def file_name(self) -> str:
        return f"{self.plan.title}{self.month.year}年{self.month.month}月工作进展汇编"

    def params(self) -> dict[str, Any]:
        return {"plan": self.plan.pk, "month": f"{self.month:%Y-%m}"}

    def tasks(self) -> QuerySet[Task]:
        """The tasks under way in the month: started, not cancelled, not closed before it."""
        return (
            super()
            .tasks()
            .exclude(status=Task.Status.DRAFT)
            .exclude(status=Task.Status.COMPLETED, completed_on__lt=self.month)
        )

    def _reports(self) -> dict[int, dict[int, ProgressReport]]:
        """task id → unit id → the unit's latest report in the task's period covering the
        month (a quarterly task's report of the quarter, a weekly task's last week)."""
        earliest = min(report_period(cadence, self.month) for cadence in Task.Cadence.values)
        reports = (
            ProgressReport.objects.filter(
                task__in=self.tasks().values("pk"),
                period__gte=earliest,
                period__lte=self.month_end,
            )
            .select_related("unit")
            .order_by("period", "id")
        )
        result: dict[int, dict[int, ProgressReport]] = {}
        for report in reports:
            result.setdefault(report.task_id, {})[report.unit_id] = report
        return result

    def write(self, target: IO[bytes]) -> int:
        plan, month = self.plan, self.month
        reports = self._reports()
        outline = list(self.outline())
        document = OfficialDocument(title=self.file_name())
        document.title(f"{plan.title}\n{month.year}年{month.month}月工作进展汇编")
        missing: list[Task] = []
        total = reported = 0
        paragraphs: list[tuple[str, Any]] = []
        for key_point, tasks in outline:
            if key_point is None:
                paragraphs.append(("heading1", "其他任务"))
            else:
                level = 1 if key_point.level <= 1 else 2
                paragraphs.append((f"heading{level}", f"{key_point.label}{key_point.title}"))
            for number, task in enumerate(tasks, start=1):
                total += 1
                period = report_period(task.report_cadence, month)
                by_unit = {
                    unit_id: r
                    for unit_id, r in reports.get(task.pk, {}).items()
                    if r.period >= period
                }
                paragraphs.append(("task", (number, task, by_unit)))
                owed = period_owed(task.report_cadence, period, task.start_date, task.deadline)
                if task.lead_unit_id in by_unit:
                    reported += 1
                elif owed and not plan.archived:
                    missing.append(task)  # none before the start or after the deadline
        document.paragraph(
            f"本汇编收录《{plan.title}》所列任务{month.year}年{month.month}月进展情况。"
            f"共{total}项任务，已报送{reported}项，未报送{len(missing)}项。"
        )
        for kind, value in paragraphs:
            if kind == "heading1":
                document.heading(value, 1)
            elif kind == "heading2":
                document.heading(value, 2)
            else:
                self._task(document, *value)
        if missing:
            document.heading("附：本月未报送进展情况的任务", 1)
            document.table(
                ["序号", "编号", "任务", "牵头部门", "责任人"],
                (
                    [i, t.code, t.title, t.lead_unit.name, _person(t.responsible_person)]
                    for i, t in enumerate(missing, start=1)
                ),
                widths=(12, 26, 66, 30, 22),
                center=(0, 1),
            )
        document.save(target)
        return total

    def _task(
        self,
        document: OfficialDocument,
        number: int,
        task: Task,
        by_unit: dict[int, ProgressReport],
    ) -> None:
        document.heading(f"{number}. {task.title}", 3)
        facts = [f"编号：{task.code}", f"牵头部门：{task.lead_unit.name}"]
        cooperating = list(task.cooperating_units.all())
        if cooperating:
            facts.append(f"配合部门：{_names(cooperating)}")
        deadline = _deadline(task)
        if deadline:
            facts.append(
                f"完成时限：{chinese_date(deadline) if isinstance(deadline, dt.date) else deadline}"
            )
        facts.append(f"状态：{STATUS_WORDS.get(task.status, task.status)}")
        facts.append(f"进度：{task.progress}%")
        document.paragraph("；".join(facts) + "。")
        lead = by_unit.get(task.lead_unit_id)
        if lead is None:
            document.paragraph("本月进展：未报送。", bold=True)
        else:
            lines = [line.strip() for line in lead.text.splitlines() if line.strip()]
            document.heading("（1）本月进展", 4, body=f"：{lines[0] if lines else ''}")
            for line in lines[1:]:
                document.paragraph(line)
        parts = [by_unit[u.pk] for u in cooperating if u.pk in by_unit]
        if parts:
            document.heading("（2）配合单位进展", 4, body="：")
            for report in parts:
                document.paragraph(f"{report.unit.name}：{' '.join(report.text.split())}")
