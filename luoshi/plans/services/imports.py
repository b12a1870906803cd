"""Importing a plan: a Word outline or an Excel breakdown table into a draft plan, in two steps
(prepare → commit), all-or-nothing; completing an outlined plan from a breakdown table.

Commit a parsed work plan (from luoshi.documents.outline / breakdown) into the database.

Parsing is pure and lives in outline.py and breakdown.py; this module resolves unit names
against the org tree, lets the office override what was not recognised, and writes the outline
and its tasks through the services — all or nothing."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput
from luoshi.core.text import to_simplified
from luoshi.documents.breakdown import ParsedBreakdown, match_task, parse_breakdown
from luoshi.documents.docx import check_docx
from luoshi.documents.indicators import ProposedIndicator
from luoshi.documents.outline import (
    ParsedKeyPoint,
    ParsedMilestone,
    ParsedPlan,
    ParsedTask,
    parse_docx,
)
from luoshi.documents.xlsx import WorkbookError, check_xlsx
from luoshi.orgs.models import OrgUnit, Person

from ..models import KeyPoint, Task, WorkPlan
from ..rules import agency_fits, heading_agency, heading_year
from .lights import refresh_lights
from .plans import key_point_create, mark_archive, plan_create
from .roadmap import (
    INDICATOR_NAME_MAX,
    INDICATOR_UNIT_MAX,
    MILESTONE_TITLE_MAX,
    IndicatorIn,
    MilestoneIn,
    check_indicator,
    check_milestone,
    indicator_add,
    milestone_add,
)
from .tasks import TaskIn, task_create

OUTLINE = "outline"  # a Word outline into an empty plan


BREAKDOWN = "breakdown"  # a breakdown table into an empty plan


ENRICH = "enrich"  # a breakdown table completing the tasks of a plan with its outline


_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


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


# A document's text is cut to what the fields hold; then each row goes through the roadmap's one
# check (check_milestone, check_indicator), and what it refuses is left out with its message.


def _fitted_milestone(milestone: ParsedMilestone) -> tuple[str, dt.date | None]:
    return milestone.title.strip()[:MILESTONE_TITLE_MAX], milestone.due


def _fitted_indicator(
    indicator: ProposedIndicator, task_title: str
) -> tuple[str, decimal.Decimal, str, str]:
    name = (indicator.name or task_title).strip()[:INDICATOR_NAME_MAX]
    return name, indicator.target, indicator.unit.strip()[:INDICATOR_UNIT_MAX], indicator.direction


def _milestone_row(
    milestone: ParsedMilestone, deadline: dt.date | None
) -> tuple[MilestoneIn | None, list[str]]:
    """The milestone as the task takes it, or None and why it is left out."""
    title, due = _fitted_milestone(milestone)
    problems: list[dict[str, Any]] = []
    row = check_milestone(title, due, deadline=deadline, problems=problems)
    if due is None and milestone.problem:
        return None, [milestone.problem]  # the parser says best what it did not understand
    return row, [p["message"] for p in problems]


def _indicator_row(
    indicator: ProposedIndicator, task_title: str
) -> tuple[IndicatorIn | None, list[str]]:
    """The indicator as the task takes it, or None and why it is left out (each reason after
    the text it was read from)."""
    problems: list[dict[str, Any]] = []
    row = check_indicator(*_fitted_indicator(indicator, task_title), problems=problems)
    return row, [f"“{indicator.text}”: {p['message']}" for p in problems]


def _plan_row(
    match: RowMatch,
    task: Task,
    milestones: dict[int, set[tuple[str, dt.date]]],
    indicators: dict[int, set[tuple[decimal.Decimal, str]]],
) -> None:
    for milestone in match.row.milestones:
        row, problems = _milestone_row(milestone, task.deadline)
        if row is None:
            match.skipped.extend(problems)
        elif (row.title, row.due_date) in milestones[task.pk]:
            match.skipped.append(
                _("The task already has the milestone “%(title)s” (%(due)s).")
                % {"title": row.title, "due": row.due_date}
            )
        else:
            milestones[task.pk].add((row.title, row.due_date))
            match.milestones.append(milestone)
    for indicator in match.row.indicators:
        found, problems = _indicator_row(indicator, task.title)
        if found is not None and (found.target, found.unit) in indicators[task.pk]:
            continue  # the outline's text already proposed it (merge_breakdown's rule)
        if found is None:
            match.skipped.extend(problems)
            continue
        indicators[task.pk].add((found.target, found.unit))
        match.indicators.append(indicator)


def _apply_enrichment(actor: Any, enrichment: Enrichment) -> None:
    for match in enrichment.matched:
        task = match.task
        assert task is not None
        for milestone in match.milestones:
            title, due = _fitted_milestone(milestone)
            assert due is not None
            milestone_add(actor=actor, task=task, title=title, due_date=due, refresh_light=False)
        for indicator in match.indicators:
            name, target, unit, direction = _fitted_indicator(indicator, task.title)
            indicator_add(
                actor=actor, task=task, name=name, target=target, unit=unit, direction=direction
            )
    touched = {m.task.pk for m in enrichment.matched if m.task is not None and m.milestones}
    if touched:
        refresh_lights(Task.objects.filter(pk__in=touched))


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


@dataclass
class PreparedImport:
    """What an uploaded file would do to a plan: read, checked, nothing written."""

    kind: str  # OUTLINE, BREAKDOWN or ENRICH
    parsed: ParsedPlan | None = None  # OUTLINE and BREAKDOWN: what import_outline writes
    breakdown: ParsedBreakdown | None = None  # BREAKDOWN and ENRICH
    enrichment: Enrichment | None = None  # ENRICH
    # Where the document's heading names another agency or year than the plan's (fit_problems):
    # the commit is refused unless the user confirms it (`confirm_mismatch`).
    mismatches: list[dict[str, str]] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        if self.parsed is not None:
            return self.parsed.problems
        return self.breakdown.problems if self.breakdown is not None else []


@dataclass
class ImportOutcome:
    kind: str
    result: ImportResult
    enrichment: Enrichment | None = None
    mismatches: list[dict[str, str]] = field(default_factory=list)
    archived: bool = False

    def summary(self) -> dict[str, Any]:
        data = self.result.summary()
        data.update(
            kind=self.kind,
            committed=self.result.committed,
            enriched=self.enrichment.summary() if self.enrichment is not None else None,
            mismatches=self.mismatches,
            archived=self.archived,
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


def fit_problems(plan: WorkPlan, heading: str) -> list[dict[str, str]]:
    """Where a document's heading (its title) does not fit the plan: it names another agency
    (rules.agency_fits, against the agency's name and short name) or another year. Each
    problem names its field ("agency", "year") and says what the document and the plan say."""
    problems = []
    heading = to_simplified(heading)
    named = heading_agency(heading)
    agency = plan.agency
    names = [to_simplified(n) for n in (agency.name, agency.short_name) if n]
    if not agency_fits(named, names):
        problems.append(
            {
                "field": "agency",
                "message": _(
                    "The document is headed “%(heading)s”: it names %(named)s, not this "
                    "plan's agency %(agency)s."
                )
                % {"heading": heading, "named": named, "agency": agency.name},
            }
        )
    found = heading_year(heading)
    if found is not None and found != plan.year:
        problems.append(
            {
                "field": "year",
                "message": _(
                    "The document's heading names the year %(found)d; this plan is for %(year)d."
                )
                % {"found": found, "year": plan.year},
            }
        )
    return problems


def check_fit(mismatches: list[dict[str, str]], *, confirmed: bool) -> None:
    """Refuse a document that does not fit the plan (fit_problems) unless the user confirmed
    it explicitly."""
    if mismatches and not confirmed:
        raise InvalidInput(
            _(
                "The document does not fit this plan: %(problems)s Check that it is the right "
                "file, or confirm the import explicitly."
            )
            % {"problems": " ".join(m["message"] for m in mismatches)},
            code="outline_mismatch",
            details=mismatches,
        )


def check_importable(plan: WorkPlan) -> None:
    if plan.status != WorkPlan.Status.DRAFT:
        raise InvalidInput(_("Only a draft plan can take an import."), code="plan_not_draft")


def prepare_import(plan: WorkPlan, data: bytes, name: str = "") -> PreparedImport:
    """Read the upload for this plan; InvalidInput (with the parser's clear message) if it
    cannot be read or does not fit the plan."""
    check_importable(plan)
    if is_workbook(data, name):
        breakdown = parse_breakdown(data, resolve=unit_resolver(plan.agency), year=plan.year)
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
    parsed = parse_for(plan, data)
    return PreparedImport(OUTLINE, parsed=parsed, mismatches=fit_problems(plan, parsed.title))


@transaction.atomic
def commit_import(
    *,
    actor: Any,
    plan: WorkPlan,
    prepared: PreparedImport,
    overrides: dict[str, Override] | None = None,
    dry_run: bool = False,
    source: dict[str, str] | None = None,
    confirm_mismatch: bool = False,
    today: dt.date | None = None,
) -> ImportOutcome:
    """Write what prepare_import read, all or nothing (nothing with dry_run).

    `source` ({"file", "sha256"} of the upload) goes into the audit log with the outcome.

    A document whose heading names another agency or year than the plan's
    (`prepared.mismatches`) is refused (code `outline_mismatch`) unless `confirm_mismatch`;
    the confirmation is audited (`plan.import_mismatch_confirmed`). A plan for a past year is
    made an archive (services.plans.mark_archive).

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
        result = ImportResult(0, tasks)
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
    if not dry_run:
        check_fit(prepared.mismatches, confirmed=confirm_mismatch)
    result = import_outline(
        actor=actor, plan=plan, parsed=prepared.parsed, overrides=overrides, dry_run=dry_run
    )
    archived = mark_archive(plan, today or timezone.localdate()) if result.committed else False
    if result.committed and prepared.mismatches:
        audit.record(
            "plan.import_mismatch_confirmed",
            actor=actor,
            obj=plan,
            after={"mismatches": prepared.mismatches, **(source or {})},
        )
    if result.committed and source:
        audit.record(
            "plan.import_file",
            actor=actor,
            obj=plan,
            after={"kind": prepared.kind, **source, **result.summary()},
        )
    return ImportOutcome(
        prepared.kind, result, mismatches=prepared.mismatches, archived=archived or plan.archived
    )


def unit_resolver(agency: OrgUnit) -> Callable[[str], Sequence[int]]:
    """Names, short names and codes of the agency's units (either script) → unit ids."""
    index: dict[str, list[int]] = {}
    for unit in OrgUnit.objects.filter(path__startswith=agency.path, is_active=True).only(
        "pk", "name", "short_name", "code"
    ):
        for key in {unit.name, unit.short_name, unit.code}:
            if key:
                index.setdefault(to_simplified(key).strip().casefold(), []).append(unit.pk)

    def resolve(name: str) -> Sequence[int]:
        return index.get(to_simplified(name).strip().casefold(), [])

    return resolve


def every_department(agency: OrgUnit) -> list[OrgUnit]:
    """What 各部门 means: every department of the agency."""
    return list(
        OrgUnit.objects.filter(
            path__startswith=agency.path, kind=OrgUnit.Kind.DEPARTMENT, is_active=True
        ).order_by("sort_order", "id")
    )


@dataclass
class Override:
    """What the office fixed in the preview for one task."""

    lead: int | None = None
    deadline: dt.date | None = None


@dataclass
class ImportResult:
    key_points: int
    tasks: int
    unresolved: list[dict[str, str]] = field(default_factory=list)
    committed: bool = False

    def summary(self) -> dict[str, Any]:
        return {"key_points": self.key_points, "tasks": self.tasks, "unresolved": self.unresolved}


def parse_for(plan: WorkPlan, data: bytes) -> ParsedPlan:
    return parse_docx(data, resolve=unit_resolver(plan.agency), year=plan.year)


def _unresolved(parsed: ParsedPlan, overrides: dict[str, Override]) -> list[dict[str, str]]:
    out = []
    for item in parsed.unresolved():
        fix = overrides.get(item.code)
        if fix is not None and item.field == "lead" and fix.lead:
            continue
        if fix is not None and item.field == "deadline" and fix.deadline:
            continue
        out.append(item.as_dict())
    for task in parsed.tasks():  # an indicator the roadmap's check refuses is left out
        for indicator in task.indicators:
            problems: list[dict[str, Any]] = []
            check_indicator(*_fitted_indicator(indicator, task.title), problems=problems)
            out += [
                {
                    "code": task.code,
                    "field": "indicators",
                    "text": indicator.text,
                    "message": p["message"],
                }
                for p in problems
            ]
    return out


@transaction.atomic
def import_outline(
    *,
    actor: Any,
    plan: WorkPlan,
    parsed: ParsedPlan,
    overrides: dict[str, Override] | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Write the parsed outline and tasks into an empty draft plan.

    Every task needs a lead unit (recognised, or chosen by the office in the preview); anything
    else not recognised (a cooperating unit, a date phrase) is reported and left out. Nothing is
    written when a lead unit is missing, or with dry_run.
    """
    overrides = overrides or {}
    unresolved = _unresolved(parsed, overrides)
    result = ImportResult(len(parsed.key_points), parsed.task_count, unresolved)
    if plan.status != WorkPlan.Status.DRAFT:
        raise InvalidInput(_("Only a draft plan can take an imported outline."))
    if plan.key_points.exists() or plan.tasks.exists():
        raise InvalidInput(_("This plan already has an outline; import into an empty plan."))
    missing_leads = [u for u in unresolved if u["field"] == "lead"]
    if dry_run:
        return result
    if missing_leads:
        raise InvalidInput(
            _("%(n)d tasks have no lead unit yet; choose them before importing.")
            % {"n": len(missing_leads)},
            code="lead_unit_missing",
            details=[
                {"code": u["code"], "field": u["field"], "message": u["message"]}
                for u in missing_leads
            ],
        )
    units = {u.pk: u for u in OrgUnit.objects.filter(path__startswith=plan.agency.path)}
    departments = every_department(plan.agency)
    people = {p.name: p for p in Person.objects.filter(unit__path__startswith=plan.agency.path)}
    order = 0

    def create_task(task: ParsedTask, key_point: KeyPoint) -> None:
        nonlocal order
        order += 1
        fix = overrides.get(task.code, Override())
        lead_id = fix.lead or task.lead_id
        if lead_id not in units:  # chosen in the preview from outside the agency
            raise InvalidInput(
                _("Task %(code)s: choose a lead unit of the agency.") % {"code": task.code}
            )
        lead = units[lead_id]
        cooperating: list[OrgUnit] = [units[i] for i in task.cooperating_ids if i in units]
        if task.cooperating_every:
            cooperating = departments
        cooperating = [u for u in dict.fromkeys(cooperating) if u != lead]
        deadline = fix.deadline or task.deadline.date
        # What the roadmap's check refuses is left out (a milestone without a date or after
        # the deadline as the preview says; an indicator as listed in `unresolved`).
        milestones = [_milestone_row(m, deadline)[0] for m in task.milestones]
        indicators = [_indicator_row(i, task.title)[0] for i in task.indicators]
        task_create(
            actor=actor,
            data=TaskIn(
                plan=plan,
                key_point=key_point,
                code=task.code,
                title=task.title[:500],
                lead_unit=lead,
                cooperating_units=cooperating,
                leader_in_charge=people.get(task.leader) if task.leader else None,
                responsible_person=people.get(task.responsible) if task.responsible else None,
                deadline=deadline,
                ongoing=task.deadline.ongoing,
                measures="\n".join(task.measures),
                milestones=[m for m in milestones if m is not None],
                indicators=[i for i in indicators if i is not None],
                sort_order=order,
            ),
        )

    sort = 0
    for kp in parsed.key_points:
        sort += 1
        point = key_point_create(
            actor=actor,
            plan=plan,
            title=kp.title,
            level=1,
            number=kp.number,
            label=kp.label,
            sort_order=sort,
        )
        for task in kp.tasks:
            create_task(task, point)
        for section in kp.sections:
            sort += 1
            sub = key_point_create(
                actor=actor,
                plan=plan,
                title=section.title,
                level=2,
                number=section.number,
                label=section.label,
                parent=point,
                sort_order=sort,
            )
            for task in section.tasks:
                create_task(task, sub)
    preamble = "\n".join(line for line in parsed.preamble if line.strip() != parsed.title)
    if preamble and not plan.preamble:
        plan.preamble = preamble
        plan.save(update_fields=["preamble", "updated_at"])
    audit.record("plan.import", actor=actor, obj=plan, after=result.summary())
    result.committed = True
    return result


def find_or_create_plan(*, actor: Any, agency: OrgUnit, year: int, title: str) -> WorkPlan:
    plan = WorkPlan.objects.filter(agency=agency, year=year).first()
    return plan or plan_create(actor=actor, agency=agency, year=year, title=title)
