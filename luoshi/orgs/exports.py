"""Export of units and people in the layout of org-people.xlsx, so that it imports again.

Rows come from the selectors, scoped to the user; the workbook is written in openpyxl's
write-only mode. A unit's parent is written only when the parent is in the same export (a unit
whose parent the user cannot see becomes a top unit of the file), and a unit is named by its code
wherever its name is shared by another exported unit, so that every reference resolves on import.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.documents.exporters import Exporter, register
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE, SheetSpec, build_xlsx

from .models import OrgUnit, Person
from .selectors import PeopleFilter, people_search, units_visible
from .workbook import (
    GENDER_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    PEOPLE_COLUMNS,
    PEOPLE_SHEET,
    UNIT_COLUMNS,
    UNIT_SHEET,
    format_month,
)

UNIT_WIDTHS = (30, 12, 30, 12, 10, 8)
PEOPLE_WIDTHS = (12, 6, 10, 14, 24, 12, 16, 18, 12, 12, 14)


def _unit_rows(units: list[OrgUnit], label: dict[int, str]) -> Iterator[list[Any]]:
    for unit in units:
        yield [
            unit.name,
            unit.code,
            label.get(unit.parent_id, "") if unit.parent_id else "",
            KIND_LABELS.get(unit.kind, unit.kind),  # type: ignore[call-overload]
            LEVEL_LABELS.get(unit.level, unit.level),  # type: ignore[call-overload]
            unit.sort_order,
        ]


def _people_rows(people: QuerySet[Person], label: dict[int, str]) -> Iterator[list[Any]]:
    for person in people.iterator(chunk_size=2000):
        yield [
            person.name,
            GENDER_LABELS.get(person.gender, ""),  # type: ignore[call-overload]
            format_month(person.birth_month),
            person.political_status.name if person.political_status else "",
            label.get(person.unit_id) or person.unit.code,
            person.post.name if person.post else "",
            person.rank.name if person.rank else "",
            person.staff_category.name if person.staff_category else "",
            format_month(person.work_start),
            format_month(person.post_since),
            person.mobile,
        ]


def export_sheets(units: QuerySet[OrgUnit], people: QuerySet[Person]) -> list[SheetSpec]:
    """The two sheets for these units and people (both already scoped by the caller)."""
    unit_list = list(units.order_by("path"))
    names = Counter(u.name for u in unit_list)
    # How each exported unit is referred to: its name, or its code when the name is shared.
    label = {u.pk: (u.name if names[u.name] == 1 else u.code) for u in unit_list}
    people = people.select_related("unit", "post", "rank", "staff_category", "political_status")
    return [
        SheetSpec(
            UNIT_SHEET,
            [c.header for c in UNIT_COLUMNS],
            _unit_rows(unit_list, label),
            UNIT_WIDTHS,
        ),
        SheetSpec(
            PEOPLE_SHEET,
            [c.header for c in PEOPLE_COLUMNS],
            _people_rows(people, label),
            PEOPLE_WIDTHS,
        ),
    ]


@register
class OrgPeopleXlsx(Exporter):
    """The visible units and people (narrowed by the people-list filters), in the layout of
    org-people.xlsx. With a unit filter, the units sheet holds that unit and the visible units
    below it. The audit entry carries the filters and the rows of each sheet."""

    identifier = "org_people_xlsx"
    verbose_name = _("Units and people (Excel)")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE
    audit_action = "org_people.export"
    audit_object_type = "orgs.export"

    def __init__(self, user: Any, filters: PeopleFilter | None = None) -> None:
        super().__init__(user)
        self.filters = filters or PeopleFilter()
        self.units = self.people = 0

    def file_name(self) -> str:
        return f"org-people-{timezone.localdate():%Y%m%d}"

    def write(self, target: IO[bytes]) -> int:
        f = self.filters
        units = units_visible(self.user)
        if f.unit:
            anchor = units.filter(pk=f.unit).values_list("path", flat=True).first()
            units = units.filter(path__startswith=anchor) if anchor else units.none()
        writer = build_xlsx(export_sheets(units, people_search(self.user, f)))
        writer.save(target)
        counts = writer.rows_written
        self.units, self.people = counts.get(UNIT_SHEET, 0), counts.get(PEOPLE_SHEET, 0)
        return self.units + self.people

    def params(self) -> dict[str, Any]:
        return {
            "filters": dataclasses.asdict(self.filters),
            "units": self.units,
            "people": self.people,
        }
