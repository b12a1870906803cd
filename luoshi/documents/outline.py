"""Reading an annual work plan (工作要点) as offices write it: outline, assignments, dates, numbers.

Pure parsing, no database. The caller passes a `resolve(name) -> [candidate ids]` callable that
knows the org tree, and gets back dataclasses it can show in a preview and commit.

Outline levels, by the numbering in front of a line (Simplified or Traditional script, full- or
half-width characters):

- level 1, key point: 一、 (also 一. 一．)
- level 2, section: （一） (一) （一）、
- level 3, task: 1. 1、 １、 1． (not 1.5, a decimal)
- level 4, sub-item: （1） (1) 1） ① ⑴ — folded into the task's measures

A line without a number continues the node before it. Lines before the first numbered line are
the preamble: the title (with the year) and the introduction. Lines after the last task, once
that task's assignment bracket has been read, are the closing (a general requirement, the
issuer, the date).

A task line may end with its assignment in brackets, for example
（牵头部门：X；配合部门：A、B；完成时限：2024年12月底前）. Variants: 牵头单位 and
责任部门/责任单位 (= lead), 配合单位/协办, 完成时限/时限/时间; any of ；;，, as separators;
full- or half-width brackets; either script; also the short form
（X牵头，A、B配合，6月底前完成）. The assignment may also stand on a line of its own below
the task. A section or key point heading may carry one too:
its tasks inherit what they do not say themselves.

Task codes are `YEAR-K-S-T`: the position of the key point, the section and the task in the
document (1-based, in order of appearance). A task directly under a key point (a plan without
the （一） level, or a key point's tasks before its first section) has S = 0, so every code has
four parts and codes sort in outline order. A section that has no numbered tasks but carries an
assignment (a plan whose （一） items are its tasks) is itself a task directly under its key point:
`YEAR-K-0-S`. Tasks before any key point sit under an implicit key point 0."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from luoshi.core.errors import InvalidInput
from luoshi.core.text import to_simplified
from luoshi.documents.docx import TableBlock, open_docx
from luoshi.documents.xlsx import normalize_header

from .assignments import Assignment, Resolver, UnitRef, _split_units, split_assignment
from .cjk import chinese_number, fold_width
from .dates import Deadline, parse_deadline
from .indicators import ProposedIndicator, propose_indicators


class OutlineError(InvalidInput):
    """A document in which no outline of a work plan was found."""

    code = "no_outline"


_CN = r"[一二三四五六七八九十百〇零两]+"


_LEVEL_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^(?P<num>{_CN})\s*[、.,](?!\d)")),
    (2, re.compile(rf"^\(\s*(?P<num>{_CN})\s*\)\s*[、.]?")),
    (3, re.compile(r"^(?P<num>\d{1,3})\s*(?:[、,]|\.(?!\d))")),
    (
        4,
        re.compile(
            r"^(?:\(\s*(?P<num>\d{1,3})\s*\)|(?P<num2>\d{1,3})\)|(?P<circ>[①-⑳⑴-⒇]))\s*[、.]?"
        ),
    ),
]


def classify(line: str) -> tuple[int, int, str, str]:
    """(level, number, label as written, rest of the line); level 0 for a line without one."""
    stripped = line.strip()
    folded = fold_width(stripped)
    for level, pattern in _LEVEL_PATTERNS:
        match = pattern.match(folded)
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("circ"):
            circ = groups["circ"]
            number = ord(circ) - (0x2460 if circ <= "⑳" else 0x2474) + 1
        else:
            number = chinese_number(groups.get("num") or groups.get("num2") or "") or 0
        rest = stripped[match.end() :].strip()
        if not rest:
            continue  # a bare number is not a heading
        return level, number, stripped[: match.end()].strip(), rest
    return 0, 0, "", stripped


@dataclass
class ParsedMilestone:
    """A step of a task's roadmap: 3月底前完成方案 → (完成方案, 2024-03-31)."""

    title: str
    due: dt.date | None
    text: str  # as written
    problem: str = ""


@dataclass
class ParsedTask:
    code: str  # YEAR-K-S-T, see the module docstring
    number: int  # as written in front of the task (1. → 1)
    label: str  # the numbering as written: "1.", "2、", "（三）"
    title: str  # the task line without its number and assignment bracket
    text: str  # every line of the task as written, its number and bracket included
    position: tuple[int, int, int] = (0, 0, 0)  # (key point, section or 0, task), 1-based
    line: int = 0  # 1-based line of the document (a row number for a breakdown table)
    measures: list[str] = field(default_factory=list)  # continuation lines and sub-items
    lead: UnitRef | None = None
    cooperating: list[UnitRef] = field(default_factory=list)
    deadline: Deadline = field(default_factory=Deadline)
    leader: str = ""  # 分管领导 as written, if the assignment names one
    responsible: str = ""  # 责任人 as written, if the assignment names one
    assignment: str = ""  # the assignment bracket's content as written
    indicators: list[ProposedIndicator] = field(default_factory=list)
    milestones: list[ParsedMilestone] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # to fix before committing
    notes: list[str] = field(default_factory=list)  # worth a look, nothing to fix

    @property
    def lead_id(self) -> Any | None:
        return self.lead.id if self.lead else None

    @property
    def cooperating_ids(self) -> list[Any]:
        return [ref.id for ref in self.cooperating if ref.id is not None]

    @property
    def cooperating_every(self) -> bool:
        return any(ref.every for ref in self.cooperating)

    @property
    def unresolved_units(self) -> list[str]:
        refs = ([self.lead] if self.lead else []) + self.cooperating
        return [ref.text for ref in refs if not ref.resolved]


@dataclass
class ParsedSection:
    number: int
    label: str  # "（一）"
    title: str
    text: str = ""  # continuation lines below the heading
    tasks: list[ParsedTask] = field(default_factory=list)


@dataclass
class ParsedKeyPoint:
    number: int
    label: str  # "一、"
    title: str
    text: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    tasks: list[ParsedTask] = field(default_factory=list)  # tasks directly under the key point


@dataclass(frozen=True)
class Unresolved:
    """Something the office must fix in the preview: a unit or a date that was not understood."""

    code: str  # the task's code
    field: str  # "lead", "cooperating" or "deadline"
    text: str  # as written ("" when missing)
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "text": self.text, "message": self.message}


@dataclass
class ParsedPlan:
    title: str
    year: int | None
    key_points: list[ParsedKeyPoint] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)  # title and introduction lines
    closing: list[str] = field(default_factory=list)  # lines after the last task
    problems: list[str] = field(default_factory=list)  # about the plan as a whole
    notes: list[str] = field(default_factory=list)

    def tasks(self) -> Iterator[ParsedTask]:
        """Every task in outline order."""
        for key_point in self.key_points:
            yield from key_point.tasks
            for section in key_point.sections:
                yield from section.tasks

    @property
    def task_count(self) -> int:
        return sum(1 for _task in self.tasks())

    def unresolved(self) -> list[Unresolved]:
        return [item for task in self.tasks() for item in task_unresolved(task)]

    def summary(self) -> dict[str, Any]:
        """What the CLI prints: {"key_points", "tasks", "unresolved": [...]}."""
        return {
            "key_points": len(self.key_points),
            "tasks": self.task_count,
            "unresolved": [item.as_dict() for item in self.unresolved()],
        }


def task_unresolved(task: ParsedTask) -> list[Unresolved]:
    items: list[Unresolved] = []
    if task.lead is None:
        items.append(Unresolved(task.code, "lead", "", _("No lead unit is named.")))
    elif task.lead.every:
        items.append(
            Unresolved(
                task.code,
                "lead",
                task.lead.text,
                _("The lead unit must be exactly one unit, not every department."),
            )
        )
    elif not task.lead.resolved:
        items.append(Unresolved(task.code, "lead", task.lead.text, _unit_message(task.lead)))
    for ref in task.cooperating:
        if not ref.resolved:
            items.append(Unresolved(task.code, "cooperating", ref.text, _unit_message(ref)))
    if task.deadline.problem:
        items.append(Unresolved(task.code, "deadline", task.deadline.text, task.deadline.problem))
    return items


def _unit_message(ref: UnitRef) -> str:
    if ref.ambiguous:
        return _("“%(name)s” matches several units; choose one.") % {"name": ref.text}
    return _("No unit called “%(name)s” was found.") % {"name": ref.text}


@dataclass
class _Node:
    level: int
    number: int
    label: str
    lines: list[str]  # the heading's rest, then continuation lines, as written
    line: int
    assignment: Assignment = field(default_factory=Assignment)
    children: list[_Node] = field(default_factory=list)
    pending: list[tuple[int, str]] = field(default_factory=list)

    def take_assignment(self) -> None:
        """Find the assignment in the node's lines (the last one written wins) and remove it."""
        for index in range(len(self.lines) - 1, -1, -1):
            rest, assignment = split_assignment(self.lines[index])
            if assignment:
                self.assignment = assignment
                if rest.strip() or index == 0:
                    self.lines[index] = rest
                else:
                    del self.lines[index]
                return


_TITLE_WORDS = re.compile(r"工作要点|工作计划|工作安排|重点工作|任务清单|要点|计划|安排")


_YEAR_RE = re.compile(r"((?:19|20)\d{2}|[二][〇零][〇零一二三四五六七八九]{2})\s*年")


_DATE_LINE = re.compile(
    r"^(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日$"
)


def _find_title(preamble: list[str]) -> tuple[str, int | None]:
    title_lines: list[str] = []
    for text in preamble:
        if len(text) > 60 or "。" in text or text.startswith(("(", "（")):
            break
        title_lines.append(text)
        if _TITLE_WORDS.search(to_simplified(text)):
            break
    title = "".join(title_lines) if title_lines else (preamble[0][:200] if preamble else "")
    match = _YEAR_RE.search(title)
    if not match:
        for text in preamble[:3]:
            if _TITLE_WORDS.search(to_simplified(text)) and (match := _YEAR_RE.search(text)):
                break
    year = chinese_number(match.group(1)) if match else None
    return title.strip(), year


def _title_and_measures(lines: list[str]) -> tuple[str, list[str]]:
    """The heading line (up to its first full stop, when more follows) and the rest."""
    if not lines:
        return "", []
    first = lines[0].strip()
    measures = [line.strip() for line in lines[1:] if line.strip()]
    stop = first.find("。")
    if 0 < stop < len(first) - 1:
        rest = first[stop + 1 :].strip()
        first = first[:stop]
        if rest:
            measures.insert(0, rest)
    return first.rstrip("。；;，, "), measures


class _Builder:
    def __init__(self, resolve: Resolver | None, year: int | None) -> None:
        self.resolve = resolve
        self.year = year
        self.preamble: list[str] = []
        self.roots: list[_Node] = []
        self.closing: list[str] = []
        self.raw: dict[int, list[str]] = {}  # id(node) -> lines as written
        self.stack: list[_Node] = []
        self.seen_level3 = False

    def feed(self, number: int, line: str) -> None:
        level, value, label, rest = classify(line)
        text = line.strip()
        if not text:
            return
        if level == 0 or (level == 4 and not self.stack):
            self._continue(number, text)
            return
        if level == 4:
            task = self._current_task()
            target = task or self.stack[-1]
            self._flush(target)
            target.lines.append(text)
            self.raw[id(target)].append(text)
            if not target.assignment:
                target.take_assignment()
            return
        if level == 3:
            self.seen_level3 = True
        self._flush_all()
        node = _Node(level, value, label, [rest], number)
        self.raw[id(node)] = [text]
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        if not self.stack and level > 1:
            implicit = _Node(1, 0, "", [""], number)
            self.raw[id(implicit)] = []
            self.roots.append(implicit)
            self.stack.append(implicit)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.roots.append(node)
        self.stack.append(node)
        node.take_assignment()

    def _current_task(self) -> _Node | None:
        for node in reversed(self.stack):
            if node.level == 3:
                return node
        return None

    def _continue(self, number: int, text: str) -> None:
        if not self.stack:
            self.preamble.append(text)
            return
        node = self.stack[-1]
        if node.level == 3 and node.assignment:
            node.pending.append((number, text))  # closing lines, or text after the bracket
            return
        node.lines.append(text)
        self.raw[id(node)].append(text)
        if not node.assignment:
            node.take_assignment()

    def _flush(self, node: _Node) -> None:
        for _number, text in node.pending:
            node.lines.append(text)
            self.raw[id(node)].append(text)
        node.pending.clear()

    def _flush_all(self) -> None:
        for node in self.stack:
            self._flush(node)

    def finish(self) -> None:
        last = self.stack[-1] if self.stack else None
        if last is not None and last.pending:
            self.closing = [text for _n, text in last.pending]
            last.pending.clear()
        elif last is not None:
            # an issuer and a date at the end belong to the closing, not to the last node
            while len(last.lines) > 1 and (
                _DATE_LINE.match(last.lines[-1].strip())
                or (
                    self.closing
                    and len(last.lines[-1]) <= 30
                    and not re.search(r"[。，,；;：:]", last.lines[-1])
                )
            ):
                self.closing.insert(0, last.lines.pop())
                self.raw[id(last)].pop()
        self._flush_all()


def parse_outline(
    lines: Iterable[str], *, resolve: Resolver | None = None, year: int | None = None
) -> ParsedPlan:
    """Read a work plan's lines (as a Word document shows them) into its outline and tasks.

    `year` is the plan's year when the caller knows it (it wins over the title's, with a
    problem noted when they differ); otherwise the year comes from the title. Raises
    OutlineError when no numbered outline is found.
    """
    builder = _Builder(resolve, year)
    for number, line in enumerate(lines, start=1):
        for part in line.split("\n"):
            builder.feed(number, part)
    builder.finish()

    title, title_year = _find_title(builder.preamble)
    plan = ParsedPlan(title=title, year=year or title_year, preamble=builder.preamble)
    plan.closing = builder.closing
    if year and title_year and year != title_year:
        plan.problems.append(
            _("The document is the plan for %(found)s, not for %(year)s.")
            % {"found": title_year, "year": year}
        )
    if plan.year is None:
        plan.problems.append(
            _("The year of the plan was not found in its title; give the year when importing.")
        )
    if not builder.roots or not any(root.children or root.assignment for root in builder.roots):
        raise OutlineError(
            _(
                "No numbered outline (一、 （一） 1.) was found in the document. "
                "Check that it is a work plan with numbered key points and tasks."
            )
        )
    code_year = plan.year or 0
    promote_sections = not builder.seen_level3
    counted = 0
    for root in builder.roots:
        implicit = root.label == ""
        if not implicit:
            counted += 1
        k_index = 0 if implicit else counted
        key_point = ParsedKeyPoint(
            number=root.number,
            label=root.label,
            title=_heading(root.lines)[0],
            text="\n".join(_heading(root.lines)[1]),
        )
        if implicit:
            plan.notes.append(_("Tasks before the first key point were put under key point 0."))
        elif root.number != k_index:
            plan.notes.append(
                _("Key point %(label)s is numbered out of order.") % {"label": root.label}
            )
        section_index = 0
        direct_index = 0
        for child in root.children:
            if child.level == 2 and (child.children or not (child.assignment or promote_sections)):
                section_index += 1
                section = ParsedSection(
                    number=child.number,
                    label=child.label,
                    title=_heading(child.lines)[0],
                    text="\n".join(_heading(child.lines)[1]),
                )
                for t_index, grandchild in enumerate(child.children, start=1):
                    section.tasks.append(
                        _task(
                            grandchild,
                            builder,
                            code=f"{code_year}-{k_index}-{section_index}-{t_index}",
                            position=(k_index, section_index, t_index),
                            inherited=[child.assignment, root.assignment],
                            year=plan.year,
                        )
                    )
                key_point.sections.append(section)
            else:
                direct_index = child.number if child.level == 2 else direct_index + 1
                key_point.tasks.append(
                    _task(
                        child,
                        builder,
                        code=f"{code_year}-{k_index}-0-{direct_index}",
                        position=(k_index, 0, direct_index),
                        inherited=[root.assignment],
                        year=plan.year,
                    )
                )
        plan.key_points.append(key_point)
    codes = [task.code for task in plan.tasks()]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        plan.problems.append(
            _("Several tasks have the same position in the outline: %(codes)s.")
            % {"codes": ", ".join(duplicates)}
        )
    if plan.task_count == 0:
        raise OutlineError(
            _("The document has key points but no numbered tasks (1. 2. …) under them.")
        )
    return plan


def _heading(lines: list[str]) -> tuple[str, list[str]]:
    """A heading's title (its first sentence) and the text below it."""
    return _title_and_measures(lines)


def _task(
    node: _Node,
    builder: _Builder,
    *,
    code: str,
    position: tuple[int, int, int],
    inherited: list[Assignment],
    year: int | None,
) -> ParsedTask:
    # sub-items of a promoted section or deeper levels are measures of the task
    lines = list(node.lines)
    raw = list(builder.raw.get(id(node), []))
    for child in node.children:
        lines.extend(child.lines)
        raw.extend(builder.raw.get(id(child), []))
    title, measures = _title_and_measures(lines)
    task = ParsedTask(
        code=code,
        number=node.number,
        label=node.label,
        title=title,
        text="\n".join(raw),
        position=position,
        line=node.line,
        measures=measures,
    )
    apply_assignment(task, node.assignment, inherited=inherited, resolve=builder.resolve, year=year)
    task.indicators = propose_indicators("\n".join([title, *measures]), fallback_name=title)
    return task


def apply_assignment(
    task: ParsedTask,
    assignment: Assignment,
    *,
    inherited: Sequence[Assignment] = (),
    resolve: Resolver | None,
    year: int | None,
) -> None:
    """Fill a task's lead, cooperating units, deadline, leader and person from an assignment.

    What the task's own assignment leaves out is taken from `inherited` (its section's, then its
    key point's), with a note.
    """
    values = {
        "lead": assignment.lead,
        "cooperating": assignment.cooperating,
        "deadline": assignment.deadline,
        "leader": assignment.leader,
        "person": assignment.person,
    }
    for fieldname in values:
        if values[fieldname]:
            continue
        for outer in inherited:
            if getattr(outer, fieldname):
                values[fieldname] = getattr(outer, fieldname)
                task.notes.append(
                    _("“%(value)s” is taken from the heading above the task.")
                    % {"value": values[fieldname]}
                )
                break
    task.assignment = assignment.text
    task.leader = values["leader"]
    task.responsible = values["person"]
    if values["lead"]:
        leads = _split_units(values["lead"], resolve)
        if leads:
            task.lead = leads[0]
            if len(leads) > 1:
                task.cooperating.extend(leads[1:])
                task.notes.append(
                    _("Several lead units are named; %(first)s leads and the others cooperate.")
                    % {"first": leads[0].text}
                )
    task.cooperating.extend(
        ref
        for ref in _split_units(values["cooperating"], resolve)
        if not (task.lead and ref.ids and ref.ids == task.lead.ids)
    )
    task.deadline = parse_deadline(values["deadline"], year)
    if not task.deadline.given:
        task.notes.append(_("No time limit is given."))
    elif task.deadline.recurring:
        task.notes.append(_("The time limit is recurring, not a single deadline."))
    elif task.deadline.ongoing:
        task.notes.append(_("The task is ongoing, without a deadline."))
    task.problems = [item.message for item in task_unresolved(task)]


_TASK_HEADERS = ("重点任务", "任务", "工作任务", "任务名称", "主要任务", "具体任务", "重点工作",
                 "工作内容", "任务内容", "工作事项", "事项")  # fmt: skip


_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "序"),
    "task": _TASK_HEADERS,
    "measures": ("具体措施", "措施", "工作措施", "主要措施", "工作举措"),
    "lead": ("牵头部门", "牵头单位", "责任部门", "责任单位", "牵头处室", "主责部门"),
    "cooperating": ("配合部门", "配合单位", "协办部门", "协办单位", "参与部门"),
    "leader": ("分管领导", "责任领导", "牵头领导"),
    "person": ("责任人", "具体责任人"),
    "deadline": ("完成时限", "时限", "完成时间", "截止时间", "时间节点", "完成期限"),
}


def _table_header(row: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        normalized = normalize_header(cell)
        for name, headers in _TABLE_COLUMNS.items():
            if name not in found and normalized in {normalize_header(h) for h in headers}:
                found[name] = index
                break
    return found


def table_lines(rows: Sequence[Sequence[str]]) -> Iterator[str]:
    """A table in a plan as outline lines.

    A task table (with a task column and a lead-unit column) gives one task line per row, its
    assignment written as a bracket on the next line; a row with one text (a heading across the
    table) gives that text. Any other table gives its cells' lines, row by row.
    """
    header_at, header = -1, {}
    for index, row in enumerate(rows[:3]):
        found = _table_header(row)
        if "task" in found and ("lead" in found or "deadline" in found):
            header_at, header = index, found
            break
    if header_at < 0:
        for row in rows:
            for cell in row:
                yield from (line.strip() for line in cell.split("\n") if line.strip())
        return

    def column(row: Sequence[str], name: str) -> str:
        index = header.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    for row in rows[header_at + 1 :]:
        texts = list(dict.fromkeys(c.strip() for c in row if c.strip()))
        if not texts:
            continue
        if len(texts) == 1:
            yield from (line for line in texts[0].split("\n") if line.strip())
            continue
        number, task = column(row, "number"), column(row, "task")
        task_lines = [line for line in task.split("\n") if line.strip()] or [""]
        first = task_lines[0]
        if number and classify(first)[0] == 0:
            value = chinese_number(fold_width(number).strip(" .、"))
            first = f"{value}.{first}" if value is not None else f"{number}{first}"
        yield first
        yield from task_lines[1:]
        yield from (line for line in column(row, "measures").split("\n") if line.strip())
        parts = [
            (key, column(row, name))
            for key, name in (
                ("牵头部门", "lead"),
                ("配合部门", "cooperating"),
                ("分管领导", "leader"),
                ("责任人", "person"),
                ("完成时限", "deadline"),
            )
        ]
        bracket = "；".join(f"{key}：{value}" for key, value in parts if value)
        if bracket:
            yield f"（{bracket}）"


def docx_outline_lines(
    source: bytes | IO[bytes] | str | Path, *, max_bytes: int | None = None
) -> list[str]:
    """The lines of a .docx work plan, tables turned into outline lines (see table_lines)."""
    document = open_docx(source, max_bytes=max_bytes)
    lines: list[str] = []
    for block in document.blocks():
        if isinstance(block, TableBlock):
            lines.extend(table_lines(block.rows))
        else:
            lines.extend(line for line in block.text.split("\n") if line.strip())
    return lines


def parse_docx(
    source: bytes | IO[bytes] | str | Path,
    *,
    resolve: Resolver | None = None,
    year: int | None = None,
    max_bytes: int | None = None,
) -> ParsedPlan:
    """Open an uploaded .docx work plan and parse it (DocumentError or OutlineError if not)."""
    return parse_outline(
        docx_outline_lines(source, max_bytes=max_bytes), resolve=resolve, year=year
    )
