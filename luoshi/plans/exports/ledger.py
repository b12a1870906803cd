"""The task ledger as xlsx with the ledger's filters, streamed in chunks (write-only mode)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.documents.exporters import Exporter, register
from luoshi.documents.xlsx import (
    XLSX_CONTENT_TYPE,
    Styled,
    XlsxWriter,
)
from luoshi.orgs.models import OrgUnit

from ..models import Task
from ..selectors.ledger import TaskFilter, task_ledger
from .cells import LIGHT_FILLS, LIGHT_WORDS, STATUS_WORDS, _deadline, _names, _person

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


@register
class LedgerXlsx(Exporter):
    """The task ledger with the ledger's filters; streams (constant memory)."""

    identifier = "task_ledger_xlsx"
    verbose_name = _("Task ledger (Excel)")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE
    audit_action = "task_ledger.export"
    audit_object_type = "plans.task_ledger"

    def __init__(self, user: Any, filters: TaskFilter | None = None) -> None:
        super().__init__(user)
        self.filters = filters or TaskFilter()

    def file_name(self) -> str:
        return f"任务台账-{timezone.localdate():%Y%m%d}"

    def params(self) -> dict[str, Any]:
        return {"filters": dataclasses.asdict(self.filters)}

    @classmethod
    def from_params(cls, user: Any, params: dict[str, Any]) -> LedgerXlsx:
        known = {f.name for f in dataclasses.fields(TaskFilter)}
        filters = {k: v for k, v in (params.get("filters") or {}).items() if k in known}
        return cls(user, TaskFilter(**filters))

    def count_rows(self, limit: int | None = None) -> int:
        ids = task_ledger(self.user, self.filters).order_by().values("id")
        return ids[:limit].count() if limit is not None else ids.count()

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
            if number % LEDGER_CHUNK == 0:
                self.progress(number)

    def write(self, target: IO[bytes]) -> int:
        writer = XlsxWriter()
        sheet = writer.add_sheet(LEDGER_SHEET, LEDGER_HEADERS, widths=LEDGER_WIDTHS)
        sheet.extend(self.rows())
        writer.save(target)
        return sheet.rows_written
