"""The files of the annual summaries, through the exporter registry: a unit's summary and the
agency's compiled summary as Word documents in the official layout (luoshi.documents.official),
and the indicator completion table (xlsx).

`summary_docx(summary) -> bytes` is part of the public interface the meetings app uses (see
luoshi.summaries.selectors).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.documents.exporters import EXPORTERS, Exporter
from luoshi.documents.official import DOCX_CONTENT_TYPE, OfficialDocument
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE, SheetSpec, xlsx_bytes
from luoshi.plans.models import Indicator

from . import figures, rules
from .models import SummaryRound, UnitSummary

register = EXPORTERS.register


def _paragraphs(doc: OfficialDocument, text: str) -> None:
    for line in text.splitlines():
        if line.strip():
            doc.paragraph(line.strip())


def _unit_body(doc: OfficialDocument, summary: UnitSummary, *, level: int) -> None:
    for number, (heading, text) in enumerate(summary.text_sections(), start=1):
        label = (
            f"{rules.chinese_numeral(number)}、"
            if level == 1
            else f"（{rules.chinese_numeral(number)}）"
        )
        doc.heading(f"{label}{heading}", level=level)
        _paragraphs(doc, text)


def summary_docx(summary: UnitSummary) -> bytes:
    """One unit's summary: title, the three sections, the unit and the date."""
    title = f"{summary.unit.name}{summary.round.year}年工作总结"
    doc = OfficialDocument(title=title)
    doc.title(title)
    _unit_body(doc, summary, level=1)
    day = (summary.accepted_at or summary.submitted_at or timezone.now()).date()
    doc.signature(summary.unit.name, day)
    return doc.to_bytes()


def round_docx(round_: SummaryRound, summaries: Sequence[UnitSummary]) -> bytes:
    """The agency's summary compiled from the accepted ones: for each of the three sections a
    heading (一、 二、 三、), under it each unit (（一）…) with its text, in unit order."""
    title = f"{round_.agency.name}{round_.year}年工作总结"
    doc = OfficialDocument(title=title)
    doc.title(title)
    for number, name in enumerate(rules.SECTIONS, start=1):
        doc.heading(f"{rules.chinese_numeral(number)}、{rules.SECTION_HEADINGS[name]}", level=1)
        for n, summary in enumerate(summaries, start=1):
            doc.heading(f"（{rules.chinese_numeral(n)}）{summary.unit.name}", level=2)
            _paragraphs(doc, summary.expanded()[name])
    doc.signature(round_.agency.name, (round_.compiled_at or timezone.now()).date())
    return doc.to_bytes()


INDICATOR_HEADERS = (
    "单位",
    "任务",
    "指标",
    "计量单位",
    "目标值",
    "完成值",
    "完成率（%）",
    "上年完成值",
    "比上年",
)


def indicator_rows(round_: SummaryRound, summaries: Sequence[UnitSummary]) -> list[list[Any]]:
    """One row per indicator of the accepted units' tasks in the year's plan (units in order),
    with last year's figure where one matches (rules: module doc)."""
    rows: list[list[Any]] = []
    units = [s.unit for s in summaries]
    indicators = (
        Indicator.objects.filter(
            task__plan__agency=round_.agency,
            task__plan__year=round_.year,
            task__lead_unit__in=units,
        )
        .select_related("task__key_point", "task__lead_unit")
        .order_by("task__lead_unit__path", "task__sort_order", "task_id", "sort_order", "id")
    )
    previous: dict[int, figures.PreviousIndex] = {}
    for ind in indicators:
        unit = ind.task.lead_unit
        if unit.pk not in previous:
            previous[unit.pk] = figures.PreviousIndex.build(round_.agency_id, round_.year, unit.pk)
        kp = ind.task.key_point
        prev = previous[unit.pk].match(ind, kp.title if kp else "")
        rate = rules.completion_rate(ind.target, ind.actual, ind.direction)
        rows.append(
            [
                unit.name,
                ind.task.title,
                ind.name,
                ind.unit,
                float(ind.target),
                float(ind.actual) if ind.actual is not None else None,
                float(rate) if rate is not None else None,
                float(prev.actual) if prev is not None and prev.actual is not None else None,
                rules.change_text(prev.actual if prev else None, ind.actual, ind.unit),
            ]
        )
    return rows


class SummaryExporter(Exporter):
    streaming = False


@register
class UnitSummaryDocx(SummaryExporter):
    identifier = "summaries_unit_docx"
    verbose_name = gettext_lazy("Unit summary")
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE
    audit_action = "summaries.export_unit"

    def __init__(self, user: Any, summary: UnitSummary) -> None:
        super().__init__(user)
        self.summary = summary

    @property
    def obj(self) -> Any:
        return self.summary

    def file_name(self) -> str:
        return f"{self.summary.unit.name}{self.summary.round.year}年工作总结"

    def write(self, target: IO[bytes]) -> int:
        target.write(summary_docx(self.summary))
        return 1


@register
class RoundSummaryDocx(SummaryExporter):
    identifier = "summaries_round_docx"
    verbose_name = gettext_lazy("Agency summary")
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE
    audit_action = "summaries.export_round"

    def __init__(self, user: Any, round_: SummaryRound, summaries: Sequence[UnitSummary]) -> None:
        super().__init__(user)
        self.round, self.summaries = round_, summaries

    @property
    def obj(self) -> Any:
        return self.round

    def file_name(self) -> str:
        return f"{self.round.agency.name}{self.round.year}年工作总结"

    def write(self, target: IO[bytes]) -> int:
        target.write(round_docx(self.round, self.summaries))
        return len(self.summaries)


@register
class IndicatorTableXlsx(SummaryExporter):
    identifier = "summaries_indicators_xlsx"
    verbose_name = gettext_lazy("Indicator completion table")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE
    audit_action = "summaries.export_indicators"

    def __init__(self, user: Any, round_: SummaryRound, summaries: Sequence[UnitSummary]) -> None:
        super().__init__(user)
        self.round, self.summaries = round_, summaries

    @property
    def obj(self) -> Any:
        return self.round

    def file_name(self) -> str:
        return f"{self.round.year}年指标完成情况表"

    def write(self, target: IO[bytes]) -> int:
        rows = indicator_rows(self.round, self.summaries)
        target.write(
            xlsx_bytes(
                [
                    SheetSpec(
                        title=_("Indicators"),
                        headers=INDICATOR_HEADERS,
                        rows=rows,
                        widths=(18, 36, 24, 10, 10, 10, 12, 12, 28),
                    )
                ]
            )
        )
        return len(rows)
