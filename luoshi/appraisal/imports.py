"""Import of earlier years' annual results (xlsx) so the consequences work from the first year.

Layout: one sheet, a header row with 年度 · 姓名 · 单位 (optional, to tell namesakes apart) ·
等次 (优秀 / 称职 / 基本称职 / 不称职 / 合格 / 基本合格 / 不合格, or empty for 不定等次) · 备注
(optional). Checking builds a plan with every problem by row number; nothing is written unless
the whole file is clean (all or nothing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core.importflow import ImportInvalid
from luoshi.core.importflow import RowProblem as Problem
from luoshi.documents.sheets import (
    SheetUnreadable,
    first_sheet_rows,
    header_columns,
    missing_columns,
)
from luoshi.documents.xlsx import cell_text
from luoshi.orgs.models import OrgUnit, Person

from . import rules
from .services import agency_units, history_import

HEADERS = {
    "year": ("年度", "year", "年份"),
    "name": ("姓名", "name"),
    "unit": ("单位", "unit", "部门"),
    "grade": ("等次", "grade", "考核等次", "考核结果"),
    "note": ("备注", "note", "remarks"),
}
REQUIRED = ("year", "name", "grade")
UNGRADED_WORDS = {"", "不定等次", "不确定等次"}


@dataclass(frozen=True)
class HistoryRow:
    row: int
    person_id: int
    name: str
    unit: str
    year: int
    grade: str
    family: str
    note: str = ""

    @property
    def grade_label(self) -> str:
        """The grade as the page shows it (the code is what is stored)."""
        return rules.grade_label(self.family, self.grade) if self.grade else _("No grade")


@dataclass
class HistoryPlan:
    rows: list[HistoryRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def plan_from_bytes(data: bytes, *, agency: OrgUnit) -> HistoryPlan:

    plan = HistoryPlan()
    try:
        rows = first_sheet_rows(data)
    except SheetUnreadable as exc:
        plan.problems.append(Problem(None, "", str(exc)))
        return plan
    columns = header_columns(rows[0], HEADERS)
    missing = missing_columns(columns, HEADERS, REQUIRED)
    if missing:
        plan.problems.append(Problem(1, "", _("Missing columns: %(cols)s.") % {"cols": missing}))
        return plan
    people: dict[str, list[Person]] = defaultdict(list)
    for person in Person.objects.filter(unit__in=agency_units(agency)).select_related(
        "unit", "staff_category"
    ):
        people[person.name].append(person)
    this_year = timezone.localdate().year
    seen: set[tuple[int, int]] = set()

    def cell(values: tuple[Any, ...], key: str) -> str:
        i = columns.get(key)
        return cell_text(values[i]) if i is not None and i < len(values) else ""

    for number, values in enumerate(rows[1:], start=2):
        if not any(cell_text(v) for v in values):
            continue
        year_text, name, unit_name = (
            cell(values, "year"),
            cell(values, "name"),
            cell(values, "unit"),
        )
        grade_text, note = cell(values, "grade"), cell(values, "note")
        year_text = year_text.removesuffix("年度").removesuffix("年")
        try:
            year = int(year_text)
            if not 1990 <= year <= this_year:
                raise ValueError
        except ValueError:
            plan.problems.append(
                Problem(number, "year", _("“%(value)s” is not a past year.") % {"value": year_text})
            )
            continue
        grade = "" if grade_text in UNGRADED_WORDS else rules.parse_grade(grade_text)
        if grade is None:
            plan.problems.append(
                Problem(number, "grade", _("“%(value)s” is not a grade.") % {"value": grade_text})
            )
            continue
        candidates = people.get(name, [])
        if unit_name:
            candidates = [p for p in candidates if p.unit.name == unit_name] or candidates
        if not candidates:
            plan.problems.append(
                Problem(
                    number, "name", _("Nobody called “%(name)s” in this agency.") % {"name": name}
                )
            )
            continue
        if len(candidates) > 1:
            plan.problems.append(
                Problem(
                    number,
                    "unit",
                    _("Several people are called “%(name)s”: give the unit.") % {"name": name},
                )
            )
            continue
        person = candidates[0]
        if (person.pk, year) in seen:
            plan.problems.append(
                Problem(
                    number,
                    "year",
                    _("%(name)s's %(year)d result appears twice.") % {"name": name, "year": year},
                )
            )
            continue
        seen.add((person.pk, year))
        family = rules.family_for(
            person.staff_category.appraisal_family if person.staff_category else ""
        )
        if grade_text and grade_text not in rules.GRADES:
            words = rules.GRADE_WORDS[family]
            if grade_text not in words.values():
                plan.problems.append(
                    Problem(
                        number,
                        "grade",
                        _("“%(value)s” is not a grade of %(name)s's staff category.")
                        % {"value": grade_text, "name": name},
                    )
                )
                continue
        plan.rows.append(
            HistoryRow(number, person.pk, name, person.unit.name, year, grade, family, note[:200])
        )
    if not plan.rows and not plan.problems:
        plan.problems.append(Problem(None, "", _("The sheet has no rows.")))
    return plan


def import_history(*, actor: Any, agency: OrgUnit, data: bytes) -> int:
    """Check the file again and write it, all or nothing."""

    plan = plan_from_bytes(data, agency=agency)
    if plan.problems:
        raise ImportInvalid(plan.problems)
    return history_import(actor=actor, agency=agency, rows=plan.rows)
