"""Exports of plans and tasks: registered classes that read through the selectors.

Each exporter is built for one viewer (and a plan, a month or the ledger filters), reads only
what that viewer may see, and renders a rewound temporary file with the number of rows in it
(`render()` → `ExportFile`); the view records it in the audit log through
`services_export.export_record` and streams the file.

- `BreakdownXlsx`: the task breakdown table (任务分解表) in the columns of the shared workbook
  (序号 … 阶段安排, with 编号), so that it imports again.
- `BreakdownDocx`: the same table in the official-document layout (a landscape page).
- `LedgerXlsx`: the ledger with the ledger's filters, the light as a word in a coloured cell;
  streamed: the rows are read in chunks (a fixed number of queries per 2,000 tasks) and written
  in openpyxl's write-only mode, so memory stays flat whatever the number of tasks.
- `ProgressDocx`: the monthly progress compilation (月度工作进展汇编): per key point, each
  task with its lead unit's report for the month and the cooperating units' parts; tasks
  without a report are marked and listed at the end.

Document texts (titles, column headers, light and status words) are Chinese data, as the
official layouts write them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.documents.official import (
    DOCX_CONTENT_TYPE,
    OfficialDocument,
    TableSection,
    chinese_date,
)
from luoshi.documents.xlsx import (
    XLSX_CONTENT_TYPE,
    SheetSpec,
    Styled,
    XlsxWriter,
    build_xlsx,
)
from luoshi.orgs.models import OrgUnit

from . import rules
from .models import Indicator, KeyPoint, Milestone, ProgressReport, Task, WorkPlan
from .selectors import TaskFilter, plan_outline, task_ledger, tasks_visible

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

LEDGER_SHEET = "任务台账"
LEDGER_HEADERS = [
    "序号",
    "编号",
    "任务名称",
    "工作计划",
    "所属要点",
    "牵头部门",
    "配合部门",
    "分管领导",
    "责任人",
    "完成时限",
    "进度（%）",
    "状态",
    "亮灯",
    "亮灯原因",
    "重点任务",
    "类别",
]
LEDGER_WIDTHS = (6, 14, 40, 20, 24, 16, 24, 10, 10, 12, 9, 10, 8, 30, 8, 14)
LEDGER_CHUNK = 500  # rows per query; the prefetches are per chunk, so this bounds memory

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_file_name(text: str) -> str:
    """A file name from a title: no path separators or characters Windows refuses."""
    return _UNSAFE_NAME.sub("_", text).strip(" .") or "export"


# --- the registry ----------------------------------------------------------------------------


@dataclass
class ExportFile:
    """A rendered export: the file (rewound, for streaming) and what the audit log records."""

    identifier: str
    file_name: str
    content_type: str
    file: IO[bytes]
    rows: int
    params: dict[str, Any] = field(default_factory=dict)
    plan: WorkPlan | None = None


class Exporter(ABC):
    """An export for one viewer. Subclasses set the class attributes and `write`."""

    identifier: ClassVar[str]
    verbose_name: ClassVar[Any]
    extension: ClassVar[str]
    content_type: ClassVar[str]

    def __init__(self, user: Any) -> None:
        self.user = user

    @abstractmethod
    def file_name(self) -> str: ...

    @abstractmethod
    def write(self, target: IO[bytes]) -> int:
        """Write the file to `target`; return the number of rows (tasks) in it."""

    def params(self) -> dict[str, Any]:
        """What the export was asked for, for the audit log."""
        return {}

    @property
    def plan(self) -> WorkPlan | None:
        return None

    def render(self) -> ExportFile:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (the caller streams and closes it)
        try:
            rows = self.write(handle)
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        return ExportFile(
            identifier=self.identifier,
            file_name=f"{safe_file_name(self.file_name())}.{self.extension}",
            content_type=self.content_type,
            file=handle,
            rows=rows,
            params=self.params(),
            plan=self.plan,
        )


EXPORTERS: dict[str, type[Exporter]] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    if cls.identifier in EXPORTERS:
        raise ValueError(f"An exporter {cls.identifier!r} is already registered.")
    EXPORTERS[cls.identifier] = cls
    return cls


# --- cell texts -----------------------------------------------------------------------------


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


# --- plan exports ---------------------------------------------------------------------------


class PlanExporter(Exporter):
    """An export of one plan's tasks that the viewer may see (cancelled tasks left out)."""

    def __init__(self, user: Any, plan: WorkPlan) -> None:
        super().__init__(user)
        self._plan = plan

    @property
    def plan(self) -> WorkPlan:
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
        earliest = min(rules.report_period(cadence, self.month) for cadence in Task.Cadence.values)
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
        total = 0
        paragraphs: list[tuple[str, Any]] = []
        for key_point, tasks in outline:
            if key_point is None:
                paragraphs.append(("heading1", "其他任务"))
            else:
                level = 1 if key_point.level <= 1 else 2
                paragraphs.append((f"heading{level}", f"{key_point.label}{key_point.title}"))
            for number, task in enumerate(tasks, start=1):
                total += 1
                period = rules.report_period(task.report_cadence, month)
                by_unit = {
                    unit_id: r
                    for unit_id, r in reports.get(task.pk, {}).items()
                    if r.period >= period
                }
                paragraphs.append(("task", (number, task, by_unit)))
                if task.lead_unit_id not in by_unit:
                    missing.append(task)
        reported = total - len(missing)
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


# --- the ledger -----------------------------------------------------------------------------


@register
class LedgerXlsx(Exporter):
    """The task ledger with the ledger's filters; streams (constant memory)."""

    identifier = "task_ledger_xlsx"
    verbose_name = _("Task ledger (Excel)")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE

    def __init__(self, user: Any, filters: TaskFilter | None = None) -> None:
        super().__init__(user)
        self.filters = filters or TaskFilter()

    def file_name(self) -> str:
        return f"任务台账-{timezone.localdate():%Y%m%d}"

    def params(self) -> dict[str, Any]:
        return {"filters": dataclasses.asdict(self.filters)}

    def tasks(self) -> QuerySet[Task]:
        return task_ledger(self.user, self.filters).prefetch_related(
            Prefetch(
                "cooperating_units", queryset=OrgUnit.objects.only("id", "name").order_by("path")
            ),
            "categories",
        )

    def rows(self) -> Iterator[list[Any]]:
        for number, task in enumerate(self.tasks().iterator(chunk_size=LEDGER_CHUNK), start=1):
            yield [
                number,
                task.code,
                task.title,
                task.plan.title if task.plan else "",
                f"{task.key_point.label}{task.key_point.title}" if task.key_point else "",
                task.lead_unit.name,
                _names(list(task.cooperating_units.all())),
                _person(task.leader_in_charge),
                _person(task.responsible_person),
                _deadline(task),
                task.progress,
                STATUS_WORDS.get(task.status, task.status),
                Styled(
                    LIGHT_WORDS.get(task.light, task.light),
                    fill=LIGHT_FILLS.get(task.light, "FFFFFF"),
                ),
                task.light_reason,
                "是" if task.is_key else "",
                "、".join(c.name for c in task.categories.all()),
            ]

    def write(self, target: IO[bytes]) -> int:
        writer = XlsxWriter()
        sheet = writer.add_sheet(LEDGER_SHEET, LEDGER_HEADERS, widths=LEDGER_WIDTHS)
        sheet.extend(self.rows())
        writer.save(target)
        return sheet.rows_written
