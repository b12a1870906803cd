"""The org-people import: check a workbook and create what it lists, all or nothing.

`import_org_people` reads the file, makes its plan (luoshi.orgs.workbook) inside one transaction
and, when there is no problem at all, creates everything. Each unit and person is created
through the ordinary services (so each is validated and audited like one made by hand); one
summary entry records the import itself. An export of the same layout carries personal data out
of the system: it is recorded too.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import DomainError
from luoshi.documents.xlsx import WorkbookError, read_limited

from . import services
from .models import OrgUnit
from .workbook import (
    P_NAME,
    PEOPLE_SHEET,
    U_NAME,
    UNIT_SHEET,
    ImportInvalid,
    ImportPlan,
    ImportResult,
    Problem,
    plan_from_bytes,
)

if TYPE_CHECKING:
    pass


def _row_failed(sheet: str, row: int, column: str, exc: DomainError) -> ImportInvalid:
    messages = [str(exc.message)] + [str(d.get("message", "")) for d in exc.details]
    return ImportInvalid([Problem(sheet, row, column, " ".join(m for m in messages if m))])


@transaction.atomic
def org_people_import(*, actor: Any, plan: ImportPlan) -> tuple[int, int]:
    """Create the plan's units (parents first) and people; return how many of each.

    The plan must have no problems. Any failure raises ImportInvalid and rolls everything back.
    """
    if plan.problems:
        raise ImportInvalid(plan.problems)
    existing_ids = {u.parent_id for u in plan.units if u.parent_id is not None} | {
        p.unit_id for p in plan.people if p.unit_id is not None
    }
    existing = OrgUnit.objects.in_bulk(sorted(existing_ids))
    created: dict[int, OrgUnit] = {}
    for unit in plan.units:
        if unit.parent_row is not None:
            parent: OrgUnit | None = created[unit.parent_row]
        elif unit.parent_id is not None:
            parent = existing[unit.parent_id]
        else:
            parent = None
        try:
            created[unit.row] = services.org_unit_create(
                actor=actor,
                name=unit.name,
                code=unit.code,
                kind=unit.kind,
                level=unit.level,
                parent=parent,
                sort_order=unit.sort_order,
            )
        except DomainError as exc:
            raise _row_failed(UNIT_SHEET, unit.row, U_NAME, exc) from None
    for person in plan.people:
        home = created[person.unit_row] if person.unit_row is not None else None
        if home is None and person.unit_id is not None:
            home = existing[person.unit_id]
        try:
            services.person_create(
                actor=actor,
                name=person.name,
                gender=person.gender,
                birth_month=person.birth_month,
                political_status=person.political_status,
                unit=home,
                post=person.post,
                rank=person.rank,
                staff_category=person.staff_category,
                work_start=person.work_start,
                post_since=person.post_since,
                mobile=person.mobile,
            )
        except DomainError as exc:
            raise _row_failed(PEOPLE_SHEET, person.row, P_NAME, exc) from None
    audit.record(
        "org_people.import",
        actor=actor,
        object_type="orgs.import",
        object_repr=(plan.file_name or _("workbook"))[:255],
        after={
            "file": plan.file_name,
            "sha256": plan.sha256,
            "units": len(plan.units),
            "people": len(plan.people),
        },
    )
    return len(plan.units), len(plan.people)


@transaction.atomic
def import_org_people(
    source: bytes | IO[bytes] | str | Path,
    *,
    actor: Any,
    dry_run: bool = False,
    file_name: str = "",
) -> ImportResult:
    """Check the file and, unless `dry_run`, create everything in it — or nothing at all.

    Raises ImportInvalid listing every problem. The plan is made again inside the transaction,
    so a preview that is stale by the time of the commit cannot slip through.
    """
    try:
        data = read_limited(source)
    except WorkbookError as exc:
        raise ImportInvalid([Problem("", None, "", str(exc.message))]) from None
    if dry_run:
        plan = plan_from_bytes(data, actor=actor, file_name=file_name)
        if plan.problems:
            raise ImportInvalid(plan.problems)
        return ImportResult(dry_run=True, units=len(plan.units), people=len(plan.people))
    try:
        with transaction.atomic():
            plan = plan_from_bytes(data, actor=actor, file_name=file_name)
            if plan.problems:
                raise ImportInvalid(plan.problems)
            units, people = org_people_import(actor=actor, plan=plan)
    except IntegrityError:
        raise ImportInvalid(
            [
                Problem(
                    "",
                    None,
                    "",
                    _(
                        "Units or people were changed by someone else during the import; "
                        "nothing was imported. Try again."
                    ),
                )
            ]
        ) from None
    return ImportResult(dry_run=False, units=units, people=people)
