"""Commit a parsed work plan (from luoshi.plans.outline / breakdown) into the database.

Parsing is pure and lives in outline.py and breakdown.py; this module resolves unit names
against the org tree, lets the office override what was not recognised, and writes the outline
and its tasks through the services — all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput
from luoshi.core.text import to_simplified
from luoshi.orgs.models import OrgUnit, Person

from . import services
from .models import KeyPoint, WorkPlan
from .outline import ParsedPlan, ParsedTask, parse_docx
from .services import IndicatorIn, MilestoneIn, TaskIn


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
        milestones = [MilestoneIn(m.title, m.due) for m in task.milestones if m.due is not None]
        if deadline:
            milestones = [m for m in milestones if m.due_date <= deadline]
        services.task_create(
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
                milestones=milestones,
                indicators=[
                    IndicatorIn(i.name[:200], i.target, i.unit[:32], i.direction)
                    for i in task.indicators
                ],
                sort_order=order,
            ),
        )

    sort = 0
    for kp in parsed.key_points:
        sort += 1
        point = services.key_point_create(
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
            sub = services.key_point_create(
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
    return plan or services.plan_create(actor=actor, agency=agency, year=year, title=title)
