"""Importing an uploaded file into a draft work plan: a Word outline or an Excel breakdown table.

The page (views_import) and the API (api_import) run the same two steps: `prepare_import` reads
the file and says what it would do, writing nothing; `commit_import` writes it, all or nothing.
What an upload does depends on the file and on the plan:

- a Word (.docx) outline into an empty plan: its key points and tasks (importing.import_outline);
- a breakdown table (.xlsx) into an empty plan: its rows become tasks under one key point named
  after the sheet, through the same import_outline;
- a breakdown table into a plan that already has its outline: each row that matches a task (by
  code, else by title — breakdown.match_task, the rules of merge_breakdown) adds its milestones
  (阶段安排) and indicators to that task, through milestone_add and indicator_add; the rows that
  match no task are listed. The outline stays as it is: it is the issued text.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.documents.docx import check_docx
from luoshi.documents.xlsx import WorkbookError, check_xlsx

from . import importing, services
from .breakdown import ParsedBreakdown, match_task, parse_breakdown
from .models import Indicator, Milestone, Task, TaskEvent, WorkPlan
from .outline import (
    ParsedKeyPoint,
    ParsedMilestone,
    ParsedPlan,
    ParsedTask,
    ProposedIndicator,
)

OUTLINE = "outline"  # a Word outline into an empty plan
BREAKDOWN = "breakdown"  # a breakdown table into an empty plan
ENRICH = "enrich"  # a breakdown table completing the tasks of a plan with its outline

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_TITLE_MAX = Milestone._meta.get_field("title").max_length or 300
_NAME_MAX = Indicator._meta.get_field("name").max_length or 200
_UNIT_MAX = Indicator._meta.get_field("unit").max_length or 32
_TARGET_LIMIT = decimal.Decimal(10) ** 12  # max_digits 14, decimal_places 2


# --- services: one milestone, one indicator ---------------------------------------------------


def _check_changeable(task: Task) -> None:
    if task.plan is not None and task.plan.status == WorkPlan.Status.ISSUED:
        raise Forbidden(
            _("The plan is issued: milestones and indicators change through an adjustment request.")
        )
    if not task.is_open:
        raise InvalidInput(_("A closed task cannot be changed."))


def _next_order(related: Any) -> int:
    top = related.aggregate(top=Max("sort_order"))["top"]
    return 0 if top is None else top + 1


def _history(task: Task, actor: Any, after: dict[str, Any]) -> None:
    TaskEvent.objects.create(
        task=task,
        kind=TaskEvent.Kind.CHANGED,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        after=after,
    )


@transaction.atomic
def milestone_add(
    *, actor: Any, task: Task, title: str, due_date: dt.date, refresh_light: bool = True
) -> Milestone:
    """Add a step to a task's roadmap (before the plan is issued); audited, in its history.

    `refresh_light=False` leaves the task's light to the caller (who adds many milestones and
    refreshes the lights of all the tasks once)."""
    _check_changeable(task)
    title = title.strip()
    if not title or len(title) > _TITLE_MAX:
        raise InvalidInput(
            details=[
                {
                    "field": "title",
                    "message": _("A milestone needs a title of at most %(n)d characters.")
                    % {"n": _TITLE_MAX},
                }
            ]
        )
    if task.deadline and due_date > task.deadline:
        raise InvalidInput(
            details=[
                {
                    "field": "due_date",
                    "message": _("Milestone “%(title)s” is due after the task's deadline.")
                    % {"title": title},
                }
            ]
        )
    milestone = Milestone.objects.create(
        task=task, title=title, due_date=due_date, sort_order=_next_order(task.milestones)
    )
    snapshot = audit.snapshot(milestone)
    _history(task, actor, {"milestone_added": snapshot})
    audit.record("milestone.create", actor=actor, obj=milestone, after=snapshot)
    if refresh_light:
        services.refresh_lights(Task.objects.filter(pk=task.pk))
    return milestone


@transaction.atomic
def indicator_add(
    *,
    actor: Any,
    task: Task,
    name: str,
    target: decimal.Decimal,
    unit: str = "",
    direction: str = Indicator.Direction.HIGHER,
) -> Indicator:
    """Add a quantified indicator to a task (before the plan is issued); audited, in its history."""
    _check_changeable(task)
    name, unit = name.strip(), unit.strip()
    problems = []
    if not name or len(name) > _NAME_MAX:
        problems.append(
            {
                "field": "name",
                "message": _("An indicator needs a name of at most %(n)d characters.")
                % {"n": _NAME_MAX},
            }
        )
    if len(unit) > _UNIT_MAX:
        problems.append(
            {
                "field": "unit",
                "message": _("The unit of measure has at most %(n)d characters.")
                % {"n": _UNIT_MAX},
            }
        )
    if not target.is_finite() or abs(target) >= _TARGET_LIMIT:
        problems.append({"field": "target", "message": _("The target is not a valid number.")})
    if direction not in Indicator.Direction.values:
        problems.append(
            {"field": "direction", "message": _("Choose whether higher or lower is better.")}
        )
    if problems:
        raise InvalidInput(details=problems)
    indicator = Indicator.objects.create(
        task=task,
        name=name,
        target=target.quantize(decimal.Decimal("0.01")),
        unit=unit,
        direction=direction,
        sort_order=_next_order(task.indicators),
    )
    snapshot = audit.snapshot(indicator)
    _history(task, actor, {"indicator_added": snapshot})
    audit.record("indicator.create", actor=actor, obj=indicator, after=snapshot)
    return indicator


# --- completing an outlined plan from a breakdown table -----------------------------------------


@dataclass
class RowMatch:
    """One row of the breakdown table and what it adds to the plan's task it matches."""

    row: ParsedTask
    task: Task | None = None
    milestones: list[ParsedMilestone] = field(default_factory=list)  # to add
    indicators: list[ProposedIndicator] = field(default_factory=list)  # to add
    skipped: list[str] = field(default_factory=list)  # what is left out, and why


@dataclass
class Enrichment:
    sheet: str
    rows: list[RowMatch]
    committed: bool = False

    @property
    def matched(self) -> list[RowMatch]:
        return [r for r in self.rows if r.task is not None]

    @property
    def unmatched(self) -> list[RowMatch]:
        return [r for r in self.rows if r.task is None]

    @property
    def milestone_count(self) -> int:
        return sum(len(r.milestones) for r in self.rows)

    @property
    def indicator_count(self) -> int:
        return sum(len(r.indicators) for r in self.rows)

    def summary(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "tasks": len({r.task.pk for r in self.matched if r.task is not None}),
            "milestones": self.milestone_count,
            "indicators": self.indicator_count,
            "unmatched": [{"row": r.row.line, "title": r.row.title} for r in self.unmatched],
            "skipped": [
                {"row": r.row.line, "code": r.task.code if r.task else "", "message": message}
                for r in self.rows
                for message in r.skipped
            ],
        }


def plan_enrichment(plan: WorkPlan, breakdown: ParsedBreakdown) -> Enrichment:
    """What each row of the table would add to the plan's tasks (nothing is written)."""
    tasks = list(
        Task.objects.filter(plan=plan)
        .prefetch_related("milestones", "indicators")
        .order_by("sort_order", "id")
    )
    by_code = {task.code: task for task in tasks}
    outline = ParsedPlan(
        title=plan.title,
        year=plan.year,
        key_points=[
            ParsedKeyPoint(
                number=0,
                label="",
                title="",
                tasks=[
                    ParsedTask(code=t.code, number=0, label="", title=t.title, text=t.title)
                    for t in tasks
                ],
            )
        ],
    )
    planned_milestones: dict[int, set[tuple[str, dt.date]]] = {
        t.pk: {(m.title, m.due_date) for m in t.milestones.all()} for t in tasks
    }
    planned_indicators: dict[int, set[tuple[decimal.Decimal, str]]] = {
        t.pk: {(i.target, i.unit) for i in t.indicators.all()} for t in tasks
    }
    rows = []
    for row in breakdown.tasks:
        found = match_task(outline, row)
        match = RowMatch(row=row, task=by_code[found.code] if found else None)
        if match.task is not None:
            _plan_row(match, match.task, planned_milestones, planned_indicators)
        rows.append(match)
    return Enrichment(sheet=breakdown.sheet, rows=rows)


def _plan_row(
    match: RowMatch,
    task: Task,
    milestones: dict[int, set[tuple[str, dt.date]]],
    indicators: dict[int, set[tuple[decimal.Decimal, str]]],
) -> None:
    for milestone in match.row.milestones:
        title = milestone.title.strip()[:_TITLE_MAX]
        if milestone.due is None:
            match.skipped.append(
                milestone.problem or _("“%(text)s” has no date.") % {"text": milestone.text}
            )
        elif task.deadline and milestone.due > task.deadline:
            match.skipped.append(
                _("“%(title)s” (%(due)s) is due after the task's deadline %(deadline)s.")
                % {"title": title, "due": milestone.due, "deadline": task.deadline}
            )
        elif (title, milestone.due) in milestones[task.pk]:
            match.skipped.append(
                _("The task already has the milestone “%(title)s” (%(due)s).")
                % {"title": title, "due": milestone.due}
            )
        elif title:
            milestones[task.pk].add((title, milestone.due))
            match.milestones.append(milestone)
    for indicator in match.row.indicators:
        key = (indicator.target.quantize(decimal.Decimal("0.01")), indicator.unit[:_UNIT_MAX])
        if key in indicators[task.pk]:
            continue  # the outline's text already proposed it (merge_breakdown's rule)
        if not indicator.target.is_finite() or abs(indicator.target) >= _TARGET_LIMIT:
            match.skipped.append(
                _("The number in “%(text)s” is too large for an indicator.")
                % {"text": indicator.text}
            )
            continue
        indicators[task.pk].add(key)
        match.indicators.append(indicator)


def _apply_enrichment(actor: Any, enrichment: Enrichment) -> None:
    for match in enrichment.matched:
        task = match.task
        assert task is not None
        for milestone in match.milestones:
            assert milestone.due is not None
            milestone_add(
                actor=actor,
                task=task,
                title=milestone.title[:_TITLE_MAX],
                due_date=milestone.due,
                refresh_light=False,
            )
        for indicator in match.indicators:
            indicator_add(
                actor=actor,
                task=task,
                name=(indicator.name or task.title)[:_NAME_MAX],
                target=indicator.target,
                unit=indicator.unit[:_UNIT_MAX],
                direction=indicator.direction,
            )
    touched = {m.task.pk for m in enrichment.matched if m.task is not None and m.milestones}
    if touched:
        services.refresh_lights(Task.objects.filter(pk__in=touched))


# --- a breakdown table as the outline of an empty plan ------------------------------------------


def breakdown_outline(breakdown: ParsedBreakdown) -> ParsedPlan:
    """The table's rows as the tasks of one key point named after its sheet."""
    return ParsedPlan(
        title=breakdown.sheet,
        year=breakdown.year,
        key_points=[
            ParsedKeyPoint(number=1, label="一、", title=breakdown.sheet, tasks=breakdown.tasks)
        ],
        problems=list(breakdown.problems),
    )


# --- the two steps ------------------------------------------------------------------------------


@dataclass
class PreparedImport:
    """What an uploaded file would do to a plan: read, checked, nothing written."""

    kind: str  # OUTLINE, BREAKDOWN or ENRICH
    parsed: ParsedPlan | None = None  # OUTLINE and BREAKDOWN: what import_outline writes
    breakdown: ParsedBreakdown | None = None  # BREAKDOWN and ENRICH
    enrichment: Enrichment | None = None  # ENRICH

    @property
    def problems(self) -> list[str]:
        if self.parsed is not None:
            return self.parsed.problems
        return self.breakdown.problems if self.breakdown is not None else []


@dataclass
class ImportOutcome:
    kind: str
    result: importing.ImportResult
    enrichment: Enrichment | None = None

    def summary(self) -> dict[str, Any]:
        data = self.result.summary()
        data.update(
            kind=self.kind,
            committed=self.result.committed,
            enriched=self.enrichment.summary() if self.enrichment is not None else None,
        )
        return data


def is_workbook(data: bytes, name: str = "") -> bool:
    """An Excel workbook by its name or its content (anything else is read as Word)."""
    if name.lower().endswith(_WORKBOOK_SUFFIXES):
        return True
    try:
        check_xlsx(data)
    except WorkbookError:
        return False
    return True


def _has_outline(plan: WorkPlan) -> bool:
    return plan.tasks.exists() or plan.key_points.exists()


def check_importable(plan: WorkPlan) -> None:
    if plan.status != WorkPlan.Status.DRAFT:
        raise InvalidInput(_("Only a draft plan can take an import."), code="plan_not_draft")


def prepare_import(plan: WorkPlan, data: bytes, name: str = "") -> PreparedImport:
    """Read the upload for this plan; InvalidInput (with the parser's clear message) if it
    cannot be read or does not fit the plan."""
    check_importable(plan)
    if is_workbook(data, name):
        breakdown = parse_breakdown(
            data, resolve=importing.unit_resolver(plan.agency), year=plan.year
        )
        if _has_outline(plan):
            return PreparedImport(
                ENRICH, breakdown=breakdown, enrichment=plan_enrichment(plan, breakdown)
            )
        return PreparedImport(BREAKDOWN, parsed=breakdown_outline(breakdown), breakdown=breakdown)
    if _has_outline(plan):
        check_docx(data)  # a file that is not a Word document is told so first
        raise InvalidInput(
            _(
                "This plan already has its outline. Upload its task breakdown table (.xlsx) "
                "to add milestones and indicators to its tasks, or import the Word document "
                "into an empty plan."
            ),
            code="plan_has_outline",
        )
    return PreparedImport(OUTLINE, parsed=importing.parse_for(plan, data))


@transaction.atomic
def commit_import(
    *,
    actor: Any,
    plan: WorkPlan,
    prepared: PreparedImport,
    overrides: dict[str, importing.Override] | None = None,
    dry_run: bool = False,
    source: dict[str, str] | None = None,
) -> ImportOutcome:
    """Write what prepare_import read, all or nothing (nothing with dry_run).

    `source` ({"file", "sha256"} of the upload) goes into the audit log with the outcome.

    The plan's row is locked first, so two commits of one plan run one after the other (the
    second then finds the outline there, or the milestones already added).
    """
    plan = WorkPlan.objects.select_for_update().select_related("agency").get(pk=plan.pk)
    check_importable(plan)
    if prepared.kind == ENRICH:
        assert prepared.breakdown is not None
        if not _has_outline(plan):
            raise InvalidInput(_("The plan has no tasks any more; upload the file again."))
        enrichment = plan_enrichment(plan, prepared.breakdown)  # as of now, under the lock
        tasks = len({m.task.pk for m in enrichment.matched if m.task is not None})
        result = importing.ImportResult(0, tasks)
        if not dry_run:
            _apply_enrichment(actor, enrichment)
            audit.record(
                "plan.import_breakdown",
                actor=actor,
                obj=plan,
                after={**enrichment.summary(), **(source or {})},
            )
            enrichment.committed = result.committed = True
        return ImportOutcome(ENRICH, result, enrichment)
    assert prepared.parsed is not None
    result = importing.import_outline(
        actor=actor, plan=plan, parsed=prepared.parsed, overrides=overrides, dry_run=dry_run
    )
    if result.committed and source:
        audit.record(
            "plan.import_file",
            actor=actor,
            obj=plan,
            after={"kind": prepared.kind, **source, **result.summary()},
        )
    return ImportOutcome(prepared.kind, result)
