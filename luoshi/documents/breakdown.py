"""Reading a task breakdown table (任务分解表) from Excel, and roadmaps (阶段安排) from text.

Pure parsing, no database, like `luoshi.documents.outline` (whose ParsedTask each row becomes).
Columns are found by their headers (either script, spaces and notes in brackets ignored):
重点任务 and 牵头部门 are required; 序号, 具体措施, 量化指标, 配合部门, 分管领导, 责任人,
完成时限 and 阶段安排 are read when present. The sheet is the one called 任务分解表, else the
first sheet that has the required columns.

A row's code is `YEAR-K-S-T` when its 序号 is an outline position (2-1-1 or 2024-2-1-1);
otherwise `YEAR-0-0-N` with N the row's place among the data rows (key point 0 stands for "not
placed in an outline"). `merge_breakdown` attaches rows to the tasks of a parsed outline instead.

阶段安排 proposes milestones: "3月底前制定方案；6月底前完成中期评估；11月底前总结" gives (制定方案,
03-31), (完成中期评估, 06-30), (总结, 11-30); "5月、7月、9月各举办1期" gives one milestone per
month; a recurring arrangement (每月5日前更新台账) gives a milestone without a date and a problem.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from luoshi.core.errors import InvalidInput
from luoshi.core.text import to_simplified
from luoshi.documents.assignments import Assignment, Resolver
from luoshi.documents.cjk import _simplified_same_length, chinese_number, fold_width
from luoshi.documents.dates import _N, _RECURRING, _scan_dates
from luoshi.documents.indicators import propose_indicators
from luoshi.documents.outline import (
    ParsedMilestone,
    ParsedPlan,
    ParsedTask,
    apply_assignment,
    task_unresolved,
)
from luoshi.documents.xlsx import Column, SheetReader, WorkbookError, open_workbook

SHEET_NAME = "任务分解表"

COLUMNS = [
    Column("序号", ("编号", "序")),
    Column(
        "重点任务",
        (
            "任务",
            "工作任务",
            "任务名称",
            "主要任务",
            "具体任务",
            "重点工作",
            "工作内容",
            "任务内容",
        ),
    ),
    Column("具体措施", ("措施", "工作措施", "主要措施", "工作举措")),
    Column("量化指标", ("指标", "量化目标", "工作目标", "目标")),
    Column("牵头部门", ("牵头单位", "责任部门", "责任单位", "牵头处室", "主责部门")),
    Column("配合部门", ("配合单位", "协办部门", "协办单位", "参与部门")),
    Column("分管领导", ("责任领导", "牵头领导")),
    Column("责任人", ("具体责任人",)),
    Column("完成时限", ("时限", "完成时间", "截止时间", "完成期限")),
    Column("阶段安排", ("阶段目标", "时间节点", "进度安排", "路线图", "节点安排", "阶段任务")),
]
REQUIRED = ("重点任务", "牵头部门")


class BreakdownError(InvalidInput):
    """A workbook without a task breakdown table in it."""

    code = "missing_columns"


# --- milestones -------------------------------------------------------------------------------

_PART = r"(?:上旬|中旬|下旬|初|中|底|末)?(?:之?前|以前)?"
_MONTH_LIST = re.compile(
    rf"^(?P<months>(?:{_N}\s*月{_PART}\s*[、和及]\s*)+{_N}\s*月{_PART})\s*各?\s*(?P<rest>.*)$"
)
_ONE_MONTH = re.compile(rf"{_N}\s*月{_PART}")


def _milestone_title(text: str) -> str:
    return text.strip(" \t，,、；;。：:").removeprefix("各").strip()


def parse_milestones(text: str, year: int | None) -> list[ParsedMilestone]:
    """The milestones a roadmap text proposes, in the order written (see the module docstring)."""
    milestones: list[ParsedMilestone] = []
    for segment in re.split(r"[；;。\n]+", text):
        segment = segment.strip(" \t，,、")
        if not segment:
            continue
        norm = _simplified_same_length(segment)
        pieces = [(segment, norm)]
        if re.search(r"[，,]", norm):  # 3月完成方案，6月完成评估: split when each part has a date
            offsets = [m.span() for m in re.finditer(r"[^，,]+", norm)]
            if len(offsets) > 1 and all(_scan_dates(norm[a:b], year) for a, b in offsets):
                pieces = [(segment[a:b], norm[a:b]) for a, b in offsets]
        for original, folded in pieces:
            milestones.extend(_milestones_of(original.strip(), folded.strip(), year))
    return milestones


def _milestones_of(original: str, norm: str, year: int | None) -> list[ParsedMilestone]:
    listed = _MONTH_LIST.match(norm)
    if listed and year is not None:
        title = _milestone_title(original[listed.start("rest") :]) or original
        result = []
        for month in _ONE_MONTH.finditer(listed.group("months")):
            dates = _scan_dates(month.group(0), year)
            due = dates[-1].date if dates else None
            result.append(
                ParsedMilestone(
                    title=title,
                    due=due,
                    text=original,
                    problem=""
                    if due
                    else _("“%(text)s” is not a valid date.") % {"text": month.group(0)},
                )
            )
        return result
    dates = _scan_dates(norm, year)
    strong = [d for d in dates if not d.weak] or dates
    if not strong:
        if _RECURRING.search(norm):
            problem = _("“%(text)s” repeats; it is not a dated milestone.") % {"text": original}
        else:
            problem = _("No date was recognised in “%(text)s”.") % {"text": original}
        return [ParsedMilestone(title=original, due=None, text=original, problem=problem)]
    title = original
    for match in reversed(dates):
        title = title[: match.start] + title[match.end :]
    chosen = strong[-1]
    return [
        ParsedMilestone(
            title=_milestone_title(title) or original,
            due=chosen.date,
            text=original,
            problem=chosen.problem,
        )
    ]


# --- the table --------------------------------------------------------------------------------


@dataclass
class ParsedBreakdown:
    sheet: str
    header_row: int
    year: int | None
    tasks: list[ParsedTask] = field(default_factory=list)  # one per data row, `line` = row
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "key_points": 0,
            "tasks": len(self.tasks),
            "unresolved": [u.as_dict() for t in self.tasks for u in task_unresolved(t)],
        }


_CODE_RE = re.compile(r"^(?:(?P<y>\d{4})[-.])?(?P<k>\d+)[-.](?P<s>\d+)(?:[-.](?P<t>\d+))?$")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")


def _pick_sheet(book: Any) -> SheetReader:
    candidates = [SHEET_NAME] + [n for n in book.sheet_names if n != SHEET_NAME]
    best: SheetReader | None = None
    for name in candidates:
        worksheet = book.sheet(name)
        if worksheet is None:
            continue
        reader = SheetReader(worksheet, COLUMNS)
        missing = {c.header for c in reader.missing}
        if not missing & set(REQUIRED):
            return reader
        if best is None:
            best = reader
    missing_headers = [c.header for c in best.missing if c.header in REQUIRED] if best else []
    raise BreakdownError(
        _(
            "No task breakdown table was found: the columns %(columns)s are missing. "
            "Use the breakdown table's layout, with a header row."
        )
        % {"columns": "、".join(missing_headers or list(REQUIRED))},
        details=[{"column": header} for header in (missing_headers or list(REQUIRED))],
    )


def _title_year(worksheet: Any, header_row: int | None) -> int | None:
    if not header_row or header_row <= 1:
        return None
    for values in worksheet.iter_rows(min_row=1, max_row=header_row - 1, values_only=True):
        for value in values:
            match = _YEAR_IN_TITLE.search(str(value or ""))
            if match:
                return int(match.group(1))
    return None


def _deadline_year(rows: list[Any]) -> int | None:
    """The year most rows' 完成时限 start with (2024-11-30, 2024年11月底前), if any."""
    years = [
        int(match.group(1))
        for row in rows
        if (match := re.match(r"\s*((?:19|20)\d{2})", row.text("完成时限")))
    ]
    return max(set(years), key=years.count) if years else None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n；;]+", text) if line.strip()]


def parse_breakdown(
    source: bytes | IO[bytes] | str | Path,
    *,
    resolve: Resolver | None = None,
    year: int | None = None,
    max_bytes: int | None = None,
) -> ParsedBreakdown:
    """Read an uploaded breakdown table (WorkbookError or BreakdownError when it is not one).

    `year` is the plan's year; without it, the year comes from a title row above the header,
    else from each row's own 完成时限.
    """
    try:
        book = open_workbook(source, max_bytes=max_bytes)
    except zlib.error:  # a damaged zip member that open_workbook's check does not catch
        raise WorkbookError(
            _(
                "The workbook is damaged and cannot be read. "
                "Open it in Excel or WPS and save it again."
            ),
            code="corrupt_xlsx",
        ) from None
    with book:
        reader = _pick_sheet(book)
        rows = list(reader.rows())
        table_year = (
            year or _title_year(reader.worksheet, reader.header_row) or _deadline_year(rows)
        )
        result = ParsedBreakdown(
            sheet=reader.title, header_row=reader.header_row or 0, year=table_year
        )
        for seq, row in enumerate(rows, start=1):
            result.tasks.append(_row_task(row, seq, table_year, resolve))
    if not result.tasks:
        raise BreakdownError(
            _("The task breakdown table has no rows below its header."), code="empty_table"
        )
    if table_year is None:
        result.problems.append(
            _("The year of the plan is not known; give the year when importing.")
        )
    codes = [task.code for task in result.tasks]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        result.problems.append(
            _("Several rows have the same number: %(codes)s.") % {"codes": ", ".join(duplicates)}
        )
    return result


def _row_task(row: Any, seq: int, year: int | None, resolve: Resolver | None) -> ParsedTask:
    number_text = fold_width(row.text("序号")).strip(" .、")
    title_lines = _lines(row.text("重点任务"))
    title = title_lines[0] if title_lines else ""
    deadline_text = row.text("完成时限")
    row_year = year
    if row_year is None and deadline_text:
        match = re.match(r"\s*((?:19|20)\d{2})", deadline_text)
        row_year = int(match.group(1)) if match else None
    code_year = row_year or 0
    position = (0, 0, seq)
    code = f"{code_year}-0-0-{seq}"
    placed = _CODE_RE.match(number_text)
    if placed:
        k, s, t = placed.group("k"), placed.group("s"), placed.group("t")
        if t is None:  # 2-3: a task directly under key point 2
            k, s, t = k, "0", s
        position = (int(k), int(s), int(t))
        code = f"{code_year}-{k}-{s}-{t}"
    number = chinese_number(number_text) if number_text else None
    cells = [row.text(column.header) for column in COLUMNS]
    task = ParsedTask(
        code=code,
        number=number if number is not None else seq,
        label=row.text("序号"),
        title=title,
        text="\n".join(cell for cell in cells if cell),
        position=position,
        line=row.number,
        measures=title_lines[1:] + _lines(row.text("具体措施")),
    )
    apply_assignment(
        task,
        Assignment(
            text="",
            lead=row.text("牵头部门"),
            cooperating=row.text("配合部门"),
            deadline=deadline_text,
            leader=row.text("分管领导"),
            person=row.text("责任人"),
        ),
        resolve=resolve,
        year=row_year,
    )
    if not title:
        task.problems.insert(0, _("The row has no task."))
    indicators_text = row.text("量化指标")
    if indicators_text:
        task.indicators = propose_indicators(indicators_text, fallback_name=title)
        if not task.indicators:
            task.notes.append(
                _("No number was recognised in the indicators “%(text)s”.")
                % {"text": indicators_text}
            )
    else:
        task.indicators = propose_indicators(
            "\n".join([title, *task.measures]), fallback_name=title
        )
    task.milestones = parse_milestones(row.text("阶段安排"), row_year)
    return task


# --- joining a breakdown to an outline ----------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", to_simplified(fold_width(text))).casefold()


def match_task(plan: ParsedPlan, row: ParsedTask) -> ParsedTask | None:
    """The outline task a breakdown row describes: same code, else the one title containing the
    other (only when exactly one task matches)."""
    tasks = list(plan.tasks())
    placed = row.position[0] != 0
    by_code = [task for task in tasks if placed and task.code == row.code]
    if len(by_code) == 1:
        return by_code[0]
    key = _key(row.title)
    if not key:
        return None
    found = [task for task in tasks if key in _key(task.title) or _key(task.title) in key]
    return found[0] if len(found) == 1 else None


def merge_breakdown(plan: ParsedPlan, breakdown: ParsedBreakdown) -> list[ParsedTask]:
    """Attach breakdown rows to the outline's tasks; returns the rows that matched no task.

    A matched task takes the row's milestones, its measures and indicators (those with a target
    and unit the outline's text did not already propose), its leader and responsible person,
    and its deadline when the outline gave none. A different lead unit is
    noted, not applied: the outline is the issued text.
    """
    unmatched: list[ParsedTask] = []
    for row in breakdown.tasks:
        task = match_task(plan, row)
        if task is None:
            unmatched.append(row)
            continue
        task.milestones = list(row.milestones)
        task.measures.extend(m for m in row.measures if m not in task.measures)
        known = {(i.target, i.unit) for i in task.indicators}
        task.indicators.extend(i for i in row.indicators if (i.target, i.unit) not in known)
        task.leader = task.leader or row.leader
        task.responsible = task.responsible or row.responsible
        if not task.deadline.given and row.deadline.given:
            task.deadline = row.deadline
            task.notes = [n for n in task.notes if n != _("No time limit is given.")]
            task.problems = [u.message for u in task_unresolved(task)]
        if row.lead and task.lead and row.lead.ids != task.lead.ids:
            task.notes.append(
                _("The breakdown table names %(unit)s as the lead unit.") % {"unit": row.lead.text}
            )
        task.notes.append(
            _("Completed from row %(row)s of the breakdown table.") % {"row": row.line}
        )
    return unmatched


__all__ = [
    "COLUMNS",
    "SHEET_NAME",
    "BreakdownError",
    "ParsedBreakdown",
    "match_task",
    "merge_breakdown",
    "parse_breakdown",
    "parse_milestones",
]
