"""The org-people import: check a workbook and create what it lists, all or nothing.

`import_org_people` reads the file, makes its plan (luoshi.orgs.workbook, which checks the whole
workbook in memory against indexed look-ups) inside one transaction and, when there is no
problem at all, creates everything. Each unit and person is checked as the services check one
made by hand, then all are written in bulk (bulk_create in batches) and audited in one pass
(an entry per unit and person, as by hand, appended by audit.record_many); one summary entry
records the import itself with the file's name and digest. At 60,000 people this is what keeps
the import within a minute (a savepoint and a chain-head read per row took 2.9 ms a person;
see docs/performance.md). An export of the same layout carries personal data out
of the system: it is recorded too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit, cache
from luoshi.core.errors import DomainError, InvalidInput
from luoshi.documents.xlsx import WorkbookError, read_limited

from . import services
from .models import OrgUnit, Person
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


def _unit_objects(
    actor: Any, plan: ImportPlan, existing: dict[int, OrgUnit], batch: int
) -> dict[int, OrgUnit]:
    """Create the plan's units in waves (a wave: the units whose parent exists by then), each
    wave by bulk_create and one bulk_update of the materialised paths its new ids allow."""
    for unit in plan.units:
        if not unit.name.strip() or not unit.code.strip():
            raise _row_failed(
                UNIT_SHEET, unit.row, U_NAME, InvalidInput(_("A unit needs a name and a code."))
            )
    codes = [unit.code.strip() for unit in plan.units]
    taken = set(OrgUnit.objects.filter(code__in=codes).values_list("code", flat=True))
    for unit in plan.units:
        if unit.code.strip() in taken:
            message = _("The code %(code)s is already used by another unit.") % {
                "code": unit.code.strip()
            }
            raise _row_failed(UNIT_SHEET, unit.row, U_NAME, InvalidInput(message))
    created: dict[int, OrgUnit] = {}
    pending = list(plan.units)
    while pending:
        wave = [u for u in pending if u.parent_row is None or u.parent_row in created]
        if not wave:  # the planner orders parents first; a cycle cannot get here
            raise _row_failed(UNIT_SHEET, pending[0].row, U_NAME, InvalidInput())
        rows = []
        for unit in wave:
            if unit.parent_row is not None:
                parent: OrgUnit | None = created[unit.parent_row]
            elif unit.parent_id is not None:
                parent = existing[unit.parent_id]
            else:
                parent = None
            obj = OrgUnit(
                name=unit.name.strip(),
                code=unit.code.strip(),
                kind=unit.kind,
                level=unit.level,
                parent=parent,
                sort_order=unit.sort_order,
            )
            obj.search_text = services._unit_search_text(obj)
            rows.append(obj)
        OrgUnit.objects.bulk_create(rows, batch_size=batch)
        for unit, obj in zip(wave, rows, strict=True):
            try:
                services._set_path(obj)
            except DomainError as exc:
                raise _row_failed(UNIT_SHEET, unit.row, U_NAME, exc) from None
            created[unit.row] = obj
        OrgUnit.objects.bulk_update(rows, ["path", "depth"], batch_size=batch)
        done = {unit.row for unit in wave}
        pending = [u for u in pending if u.row not in done]
    return created


def _insert(model: type[models.Model], rows: list[Any], batch: int) -> None:
    """Insert new rows in bulk and give them their ids: on PostgreSQL the ids are taken from
    the table's sequence in one statement and the rows sent by one COPY (bulk_create's
    INSERT … VALUES built and adapted every value in Python: a good part of a 60,000-person
    commit); elsewhere bulk_create in batches."""
    if connection.vendor != "postgresql" or not rows:
        model._default_manager.bulk_create(rows, batch_size=batch)
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    now = timezone.now()
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj, pk in zip(rows, ids, strict=True):
        obj.pk = pk
        for name in stamped:
            setattr(obj, name, now)
        obj._state.adding, obj._state.db = False, connection.alias
    attnames = [f.attname for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as stream,
    ):
        for obj in rows:
            stream.write_row([getattr(obj, name) for name in attnames])


def _snapshotter(first: models.Model) -> Callable[[models.Model], dict[str, Any]]:
    """audit.snapshot for many instances of one model: the fields it keeps (those of its
    snapshot of `first`) looked up once, a value audit's plain form keeps as it is (None, text,
    numbers but floats) taken as it is."""
    by_name = {field.name: field.attname for field in first._meta.concrete_fields}
    names = [(name, by_name[name]) for name in audit.snapshot(first)]
    plain = audit._plain

    def snapshot(obj: models.Model) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, attname in names:
            value = getattr(obj, attname)
            data[name] = value if value is None or isinstance(value, str | int) else plain(value)
        return data

    return snapshot


@transaction.atomic
def org_people_import(*, actor: Any, plan: ImportPlan, batch: int = 2000) -> tuple[int, int]:
    """Create the plan's units (parents first) and people; return how many of each.

    The plan must have no problems. Every row is checked as the services check one made by
    hand (before anything is written, so a failure names its row); then units and people are
    written in bulk (units by bulk_create in batches of `batch`, people by COPY on PostgreSQL,
    see `_insert`) and audited in one pass (audit.record_many:
    one entry per unit and person, as the services write, and one for the import with the
    file's name and digest). Any failure raises ImportInvalid and rolls everything back.
    """
    if plan.problems:
        raise ImportInvalid(plan.problems)
    existing_ids = {u.parent_id for u in plan.units if u.parent_id is not None} | {
        p.unit_id for p in plan.people if p.unit_id is not None
    }
    existing = OrgUnit.objects.in_bulk(sorted(existing_ids))
    people: list[Person] = []
    for person in plan.people:
        row = Person(
            name=person.name.strip(),
            gender=person.gender,
            birth_month=person.birth_month,
            political_status=person.political_status,
            post=person.post,
            rank=person.rank,
            staff_category=person.staff_category,
            work_start=person.work_start,
            post_since=person.post_since,
            mobile=person.mobile,
        )
        try:
            services._validate_person(row)
        except DomainError as exc:
            raise _row_failed(PEOPLE_SHEET, person.row, P_NAME, exc) from None
        people.append(row)
    created = _unit_objects(actor, plan, existing, batch)
    for person, row in zip(plan.people, people, strict=True):
        home = created[person.unit_row] if person.unit_row is not None else None
        if home is None and person.unit_id is not None:
            home = existing[person.unit_id]
        row.unit = home  # type: ignore[assignment]
        row.search_text = services._person_search_text(row)
    _insert(Person, people, batch)
    cache.model_changed(OrgUnit)
    cache.model_changed(Person)

    def entries() -> Iterator[audit.Entry]:
        for unit in created.values():
            yield audit.Entry("org_unit.create", obj=unit, after=audit.snapshot(unit))
        snapshot = _snapshotter(people[0]) if people else audit.snapshot
        for person in people:
            yield audit.Entry("person.create", obj=person, after=snapshot(person))
        yield audit.Entry(
            "org_people.import",
            object_type="orgs.import",
            object_repr=(plan.file_name or _("workbook"))[:255],
            after={
                "file": plan.file_name,
                "sha256": plan.sha256,
                "units": len(plan.units),
                "people": len(plan.people),
            },
        )

    audit.record_many(entries(), actor=actor, batch=batch)
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
