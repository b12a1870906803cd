"""Exports of supervision: registered exporters (luoshi.documents.exporters) that read through
the selectors and render a rewound temporary file.

- `LedgerXlsx`: the supervision ledger (台账) with the ledger's filters, in the columns of
  RULES.md §4; streamed in write-only mode, the items read in chunks (constant memory).
- `AssignmentSheetDocx`: the assignment sheet (交办单) of an assigned item.
- `UrgingNoticeDocx`: an urging notice (催办通知) of an item.
- `BulletinDocx`: a monthly bulletin (督查通报) in the official layout.

Every download is recorded as `supervision.export` (on the item for the sheet and the notice;
under `supervision.ledger` for the ledger and the bulletin, as always). The verbose names are
strings the pages already translate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.core.workdays import WorkCalendar
from luoshi.documents.exporters import Exporter, register
from luoshi.documents.official import DOCX_CONTENT_TYPE
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE, Styled, XlsxWriter
from luoshi.orgs.models import OrgUnit

from . import bulletins, documents
from .documents import (
    KIND_WORDS,
    LIGHT_FILLS,
    LIGHT_WORDS,
    STATUS_WORDS,
    URGENCY_WORDS,
    source_text,
    time_limit_text,
)
from .models import Bulletin, Feedback, FeedbackAttachment, SupervisionItem, UrgingStep
from .selectors import ItemFilter, item_ledger
from .services import settings_for

LEDGER_SHEET = "督查督办台账"
LEDGER_HEADERS = [
    "编号",
    "类型",
    "是否重大",
    "事项名称",
    "事项内容",
    "来源",
    "交办日期",
    "办理时限",
    "紧急程度",
    "牵头单位",
    "配合单位",
    "责任人",
    "进展/反馈情况",
    "审核人",
    "退回日期",
    "办结日期",
    "亮灯",
    "状态",
    "附件",
    "备注",
]
LEDGER_WIDTHS = (16, 10, 8, 36, 40, 12, 12, 12, 8, 16, 20, 10, 40, 10, 12, 12, 8, 12, 20, 20)


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


class SupervisionExporter(Exporter):
    """What every supervision export shares: its audit action and object type."""

    audit_action = "supervision.export"
    audit_object_type = "supervision.ledger"


@register
class LedgerXlsx(SupervisionExporter):
    """The supervision ledger with the ledger's filters; streams in constant memory."""

    identifier = "supervision_ledger_xlsx"
    verbose_name = _("Supervision ledger")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE
    chunk = 2000

    def __init__(self, user: Any, filters: ItemFilter) -> None:
        super().__init__(user)
        self.filters = filters

    def file_name(self) -> str:
        return f"督查督办台账-{timezone.localdate():%Y%m%d}"

    def params(self) -> dict[str, Any]:
        return {"filters": dataclasses.asdict(self.filters)}

    def items(self) -> QuerySet[SupervisionItem]:
        latest = Feedback.objects.order_by("-submitted_on", "-id").only(
            "id", "item_id", "text", "submitted_on"
        )
        return (
            item_ledger(self.user, self.filters)
            .select_related("reviewed_by__person")
            .prefetch_related(
                Prefetch("cooperating_units", queryset=OrgUnit.objects.only("id", "name")),
                Prefetch("feedback", queryset=latest),
                Prefetch(
                    "feedback__attachments",
                    queryset=FeedbackAttachment.objects.only("id", "feedback_id", "name"),
                ),
            )
        )

    def rows(self) -> Iterator[list[Any]]:
        for item in self.items().iterator(chunk_size=self.chunk):
            feedback = list(item.feedback.all())
            latest = feedback[0] if feedback else None
            files = [a.name for f in feedback for a in f.attachments.all()]
            yield [
                item.number,
                KIND_WORDS.get(item.kind, item.kind),
                "是" if item.is_major else "",
                item.title,
                item.instruction_text or item.content,
                source_text(item),
                _date(item.assigned_on),
                time_limit_text(item),
                URGENCY_WORDS.get(item.urgency, item.urgency),
                item.lead_unit.name,
                "、".join(u.name for u in item.cooperating_units.all()),
                item.responsible_person.name if item.responsible_person else "",
                f"{latest.submitted_on} {latest.text}" if latest else f"{item.progress}%",
                str(item.reviewed_by) if item.reviewed_by else "",
                _date(item.returned_on),
                _date(item.closed_on),
                Styled(
                    LIGHT_WORDS.get(item.light, item.light), fill=LIGHT_FILLS.get(item.light, "")
                ),
                STATUS_WORDS.get(item.status, item.status),
                "、".join(files),
                item.remarks,
            ]

    def write(self, target: IO[bytes]) -> int:
        writer = XlsxWriter()
        sheet = writer.add_sheet(LEDGER_SHEET, LEDGER_HEADERS, widths=LEDGER_WIDTHS)
        sheet.extend(self.rows())
        writer.save(target)
        return sheet.rows_written


@register
class AssignmentSheetDocx(SupervisionExporter):
    """The assignment sheet of an item the viewer can see (assigned: it has a number and a day)."""

    identifier = "assignment_sheet"
    verbose_name = _("Assignment sheet (docx)")
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE

    def __init__(self, user: Any, item: SupervisionItem) -> None:
        super().__init__(user)
        self.item = item

    @property
    def obj(self) -> models.Model:
        return self.item

    def file_name(self) -> str:
        return f"交办单-{self.item.number}"

    def write(self, target: IO[bytes]) -> int:
        cooperating = list(self.item.cooperating_units.order_by("path"))
        documents.assignment_sheet(self.item, cooperating).save(target)
        return 1


@register
class UrgingNoticeDocx(SupervisionExporter):
    """An urging notice of an item, with the working days it was overdue on the step's day."""

    identifier = "urging_notice"
    verbose_name = _("Urging notice")
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE

    def __init__(self, user: Any, item: SupervisionItem, step: UrgingStep) -> None:
        super().__init__(user)
        self.item = item
        self.step = step

    @property
    def obj(self) -> models.Model:
        return self.item

    def file_name(self) -> str:
        return f"催办通知-{self.step.number}"

    def params(self) -> dict[str, Any]:
        return {"step": self.step.pk}

    def write(self, target: IO[bytes]) -> int:
        step = self.step
        overdue = WorkCalendar().working_days_between(step.deadline, step.on).value
        documents.urging_notice(self.item, step, overdue).save(target)
        return 1


@register
class BulletinDocx(SupervisionExporter):
    """A bulletin under the agency's issuing body (its name when the settings give none)."""

    identifier = "bulletin_docx"
    verbose_name = _("Word (docx)")  # the bulletin page's button
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE

    def __init__(self, user: Any, bulletin: Bulletin) -> None:
        super().__init__(user)
        self.bulletin = bulletin

    def file_name(self) -> str:
        return self.bulletin.title

    def params(self) -> dict[str, Any]:
        return {"bulletin": self.bulletin.pk}

    def write(self, target: IO[bytes]) -> int:
        bulletin = self.bulletin
        body = settings_for(bulletin.agency_id).issuing_body or bulletin.agency.name
        bulletins.bulletin_docx(bulletin, body).save(target)
        return 1
