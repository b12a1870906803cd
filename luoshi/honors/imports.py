"""Import of earlier years' honours (xlsx) into the honours record, all or nothing.

Layout: one sheet, a header row with 单位 · 姓名 (empty for a collective honour) · 奖励类别 (the
kind's word, e.g. 嘉奖 / 记三等功 / 先进集体, or its code) · 荣誉名称 (optional: the kind's word) ·
批准机关 · 文号 (optional) · 日期 · 时任职务 (optional). Checking builds a plan with every problem
by row number (unknown unit or person, a bad kind, a bad date, a duplicate in the file or of an
honour already recorded); nothing is written unless the whole file is clean.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.appraisal.services import agency_units
from luoshi.core import audit, cache
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

from . import permissions as perms
from . import rules
from .models import Honour

HEADERS = {
    "unit": ("单位", "unit", "部门"),
    "name": ("姓名", "name"),
    "kind": ("奖励类别", "kind", "类别", "奖励种类"),
    "title": ("荣誉名称", "title", "荣誉", "奖励名称"),
    "body": ("批准机关", "approving body", "授予机关"),
    "number": ("文号", "document number", "批准文号"),
    "date": ("日期", "date", "批准日期", "奖励日期"),
    "post": ("时任职务", "post at the time", "职务"),
}
REQUIRED = ("unit", "kind", "body", "date")
WORDS = {k.word: code for code, k in rules.KINDS.items()}


@dataclass(frozen=True)
class HonourRow:
    row: int
    unit_id: int
    unit: str
    person_id: int | None
    name: str
    kind: str
    title: str
    approving_body: str
    document_number: str
    awarded_on: dt.date
    post_at_time: str

    @property
    def kind_word(self) -> str:
        return rules.kind(self.kind).word


@dataclass
class HonoursPlan:
    rows: list[HonourRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse_date(text: str) -> dt.date | None:
    """2019-12-30, 2019/12/30, 2019.12.30 or 2019年12月30日; None when it is none of them."""
    value = text.strip().replace("年", "-").replace("月", "-").replace("日", "")
    value = value.replace("/", "-").replace(".", "-").split(" ")[0]
    try:
        y, m, d = (int(x) for x in value.split("-"))
        return dt.date(y, m, d)
    except (ValueError, TypeError):
        return None


def _key(
    unit_id: int, person_id: int | None, kind: str, title: str, day: dt.date
) -> tuple[Any, ...]:
    return (unit_id, person_id, kind, title, day)


def plan_from_bytes(data: bytes, *, agency: OrgUnit) -> HonoursPlan:
    """Read the file and check every row (a fixed number of queries whatever its length)."""
    plan = HonoursPlan()
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
    units: dict[str, list[OrgUnit]] = defaultdict(list)
    for unit in agency_units(agency):
        units[unit.name].append(unit)
        if unit.short_name and unit.short_name != unit.name:
            units[unit.short_name].append(unit)
    people: dict[tuple[int, str], list[Person]] = defaultdict(list)
    for someone in Person.objects.filter(unit__in=agency_units(agency)).only("pk", "name", "unit"):
        people[(someone.unit_id, someone.name)].append(someone)
    recorded = {
        _key(u, p, k, t, d)
        for u, p, k, t, d in Honour.objects.filter(agency=agency).values_list(
            "unit_id", "person_id", "kind", "title", "awarded_on"
        )
    }
    today = timezone.localdate()
    seen: dict[tuple[Any, ...], int] = {}

    def cell(values: tuple[Any, ...], key: str) -> str:
        i = columns.get(key)
        return cell_text(values[i]) if i is not None and i < len(values) else ""

    for number, values in enumerate(rows[1:], start=2):
        if not any(cell_text(v) for v in values):
            continue
        unit_name, name, kind_text = (
            cell(values, "unit"),
            cell(values, "name"),
            cell(values, "kind"),
        )
        body, date_text = cell(values, "body"), cell(values, "date")
        problems: list[Problem] = []
        found = units.get(unit_name, [])
        unit = found[0] if len(found) == 1 else None
        if unit is None:
            problems.append(
                Problem(
                    number, "unit", _("No unit “%(name)s” in this agency.") % {"name": unit_name}
                )
            )
        code = WORDS.get(kind_text) or (kind_text if kind_text in rules.KINDS else "")
        if not code:
            problems.append(
                Problem(
                    number, "kind", _("“%(value)s” is not an award kind.") % {"value": kind_text}
                )
            )
        day = parse_date(date_text)
        if day is None or day > today or day.year < 1950:
            problems.append(
                Problem(number, "date", _("“%(value)s” is not a past date.") % {"value": date_text})
            )
        if not body:
            problems.append(Problem(number, "body", _("Give the approving body.")))
        person: Person | None = None
        if code and rules.kind(code).collective:
            if name:
                problems.append(
                    Problem(number, "name", _("A collective honour is given to a unit."))
                )
        elif code and not name:
            problems.append(Problem(number, "name", _("Give the person's name.")))
        elif code and unit is not None:
            matches = people.get((unit.pk, name), [])
            if not matches:
                problems.append(
                    Problem(
                        number,
                        "name",
                        _("Nobody called “%(name)s” in %(unit)s.")
                        % {"name": name, "unit": unit.name},
                    )
                )
            elif len(matches) > 1:
                problems.append(
                    Problem(
                        number,
                        "name",
                        _("Several people are called “%(name)s” in %(unit)s.")
                        % {"name": name, "unit": unit.name},
                    )
                )
            else:
                person = matches[0]
        if problems:
            plan.problems.extend(problems)
            continue
        assert unit is not None and day is not None
        title = cell(values, "title") or (rules.kind(code).word)
        row_key = _key(unit.pk, person.pk if person else None, code, title, day)
        if row_key in seen:
            plan.problems.append(
                Problem(
                    number,
                    "",
                    _("The same honour is listed twice (rows %(first)d and %(row)d).")
                    % {"first": seen[row_key], "row": number},
                )
            )
            continue
        if row_key in recorded:
            plan.problems.append(
                Problem(number, "", _("This honour is already in the honours record."))
            )
            continue
        seen[row_key] = number
        plan.rows.append(
            HonourRow(
                row=number,
                unit_id=unit.pk,
                unit=unit.name,
                person_id=person.pk if person else None,
                name=name,
                kind=code,
                title=title[:200],
                approving_body=body[:200],
                document_number=cell(values, "number")[:64],
                awarded_on=day,
                post_at_time=cell(values, "post")[:200],
            )
        )
    if not plan.rows and not plan.problems:
        plan.problems.append(Problem(None, "", _("The sheet has no rows.")))
    return plan


@transaction.atomic
def honours_import(*, actor: Any, agency: OrgUnit, data: bytes, file_name: str = "") -> int:
    """Check the file again and write it to the honours record, all or nothing; audited."""
    perms.require(perms.is_officer(actor, agency))
    plan = plan_from_bytes(data, agency=agency)
    if plan.problems:
        raise ImportInvalid(plan.problems)
    Honour.objects.bulk_create(
        Honour(
            agency=agency,
            person_id=r.person_id,
            unit_id=r.unit_id,
            kind=r.kind,
            title=r.title,
            gbt_code=rules.kind(r.kind).gbt_code,
            year=r.awarded_on.year,
            approving_body=r.approving_body,
            document_number=r.document_number,
            awarded_on=r.awarded_on,
            post_at_time=r.post_at_time,
            source=Honour.Source.IMPORT,
        )
        for r in plan.rows
    )
    cache.model_changed(Honour)  # bulk_create sends no signal
    audit.record(
        "honors.import",
        actor=actor,
        obj=agency,
        after={"file": file_name, "honours": len(plan.rows)},
    )
    return len(plan.rows)
