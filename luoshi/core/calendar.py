"""Writes to the working-day calendar: seeding, adding a year, setting a day, CSV import.

Only the system administrator edits the calendar. Core knows no roles (orgs stands above it), so
the caller says whether the actor may: `can_edit=luoshi.orgs.permissions.can_manage_org(user)`.
Every change is audited in its transaction. The migration that fills an empty database uses
`seed_years` with its historical models and writes no audit entries (nobody acted).

A year enters the table whole (every day a row). It is *covered* — computations trust it without
a warning — when it came from the chinesecalendar package or an administrator confirmed it after
entering its holidays and make-up working days.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import audit, workdays
from .errors import Forbidden, InvalidInput
from .importflow import RowProblem
from .models import CalendarDay, CalendarYear

MIN_YEAR = 2000
MAX_YEAR = 2100
NAME_MAX = CalendarDay._meta.get_field("name").max_length or 64
IMPORT_MAX_BYTES = 256 * 1024
IMPORT_MAX_ROWS = 2000

# What an administrator sets a day to ("normal": Monday to Friday work, the weekend is off).
SET_HOLIDAY = "holiday"
SET_MAKEUP = "makeup"
SET_NORMAL = "normal"
SET_CHOICES = (SET_HOLIDAY, SET_MAKEUP, SET_NORMAL)

Kind = CalendarDay.Kind
Source = CalendarDay.Source


def _require(can_edit: bool) -> None:
    if not can_edit:
        raise Forbidden()


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(
            _("The year must lie between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )


def target_kind(day: dt.date, setting: str) -> str:
    """The stored kind for an administrator's setting of `day`."""
    if setting == SET_HOLIDAY:
        return Kind.HOLIDAY
    if setting == SET_MAKEUP:
        return Kind.MAKEUP
    return workdays.default_kind(day)


def setting_problem(day: dt.date, setting: str, name: str) -> str:
    """Why `setting` cannot apply to `day` ("" when it can), in the active language."""
    if setting not in SET_CHOICES:
        return _("Choose holiday, make-up working day or normal.")
    if setting == SET_MAKEUP and day.weekday() < 5:
        return _(
            "A make-up working day is a Saturday or Sunday; %(date)s is a %(weekday)s and "
            "already a working day."
        ) % {"date": day.isoformat(), "weekday": date_format(day, "l")}
    if len(name) > NAME_MAX:
        return _("The name has at most %(max)d characters.") % {"max": NAME_MAX}
    return ""


# --- seeding ------------------------------------------------------------------------------------


def seed_years(
    day_model: Any,
    year_model: Any,
    *,
    years: Iterable[int] | None = None,
    updated_by_id: int | None = None,
) -> list[int]:
    """Fill, from the chinesecalendar package, every year it knows (or those of `years` it
    knows) that the table does not hold yet; return the years added.

    Idempotent: a year already in the table — seeded before, added or edited by an
    administrator — is left exactly as it is. Takes the model classes so that a migration can
    pass its historical models. Call inside a transaction.
    """
    known_to_package = workdays.package_years()
    wanted = sorted(set(known_to_package if years is None else years) & set(known_to_package))
    held = set(year_model.objects.filter(year__in=wanted).values_list("year", flat=True))
    added = [year for year in wanted if year not in held]
    source = workdays.package_version()
    for year in added:
        day_model.objects.bulk_create(
            [
                day_model(
                    date=d.date,
                    kind=str(d.kind),
                    is_working_day=d.is_working_day,
                    name=d.name,
                    source="seeded",
                )
                for d in workdays.package_days(year)
            ],
            batch_size=500,
            ignore_conflicts=True,
        )
    year_model.objects.bulk_create(
        [
            year_model(year=year, covered=True, seeded_from=source, updated_by_id=updated_by_id)
            for year in added
        ],
        ignore_conflicts=True,
    )
    return added


def _year_summary(year: CalendarYear) -> dict[str, Any]:
    days = CalendarDay.objects.filter(
        date__gte=dt.date(year.year, 1, 1), date__lte=dt.date(year.year, 12, 31)
    )
    return {
        "year": year.year,
        "covered": year.covered,
        "seeded_from": year.seeded_from,
        "working_days": days.filter(is_working_day=True).count(),
        "holidays": days.filter(kind=Kind.HOLIDAY).count(),
        "makeup_days": days.filter(kind=Kind.MAKEUP).count(),
    }


@transaction.atomic
def calendar_seed_from_package(*, actor: Any, can_edit: bool) -> list[int]:
    """Add every year the installed chinesecalendar knows and the table lacks (after the
    package was upgraded, say); years already held are left alone. Returns the years added."""
    _require(can_edit)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    added = seed_years(CalendarDay, CalendarYear, updated_by_id=actor_id)
    for row in CalendarYear.objects.filter(year__in=added):
        audit.record("calendar.year_add", actor=actor, obj=row, after=_year_summary(row))
    return added


def ensure_seeded() -> list[int]:
    """Seed whatever the package knows and the table lacks, as the system (no actor, no audit
    entry: the same as the migration). For tests whose database was emptied by a flush."""
    with transaction.atomic():
        return seed_years(CalendarDay, CalendarYear)


# --- years --------------------------------------------------------------------------------------


def _create_year(*, actor: Any, year: int, covered: bool | None = None) -> CalendarYear:
    """Put a whole year into the table: from the package when it knows the year (covered), else
    Monday to Friday (not covered until an administrator confirms it). Audited."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    if year in workdays.package_years():
        days, source, is_covered = workdays.package_days(year), workdays.package_version(), True
        day_source = Source.SEEDED
    else:
        days, source, is_covered = workdays.weekday_days(year), "", False
        day_source = Source.EDITED
    if covered is not None:
        is_covered = covered
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(
                date=d.date,
                kind=d.kind,
                is_working_day=d.is_working_day,
                name=d.name,
                source=day_source,
            )
            for d in days
        ],
        batch_size=500,
    )
    row = CalendarYear.objects.create(
        year=year, covered=is_covered, seeded_from=source, updated_by=actor_obj
    )
    audit.record("calendar.year_add", actor=actor, obj=row, after=_year_summary(row))
    return row


@transaction.atomic
def calendar_year_add(*, actor: Any, can_edit: bool, year: int) -> CalendarYear:
    """Add `year` to the calendar (see _create_year); an error if it is there already."""
    _require(can_edit)
    _check_year(year)
    if CalendarYear.objects.filter(year=year).exists():
        raise InvalidInput(_("The year %(year)d is already in the calendar.") % {"year": year})
    return _create_year(actor=actor, year=year)


@transaction.atomic
def calendar_year_set_covered(
    *, actor: Any, can_edit: bool, year: int, covered: bool
) -> CalendarYear:
    """Confirm that `year`'s holidays and make-up working days are complete (covered), or
    withdraw that confirmation."""
    _require(can_edit)
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    if row is None:
        raise InvalidInput(_("The year %(year)d is not in the calendar.") % {"year": year})
    if row.covered == covered:
        return row
    before = audit.snapshot(row, ["covered"])
    row.covered = covered
    row.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save(update_fields=["covered", "updated_by", "updated_at"])
    audit.record(
        "calendar.year_covered",
        actor=actor,
        obj=row,
        before=before,
        after=audit.snapshot(row, ["covered"]),
    )
    return row


# --- days ---------------------------------------------------------------------------------------

_DAY_FIELDS = ["kind", "is_working_day", "name", "source"]


def _apply(row: CalendarDay, *, kind: str, name: str, source: str) -> bool:
    """Change `row` in memory; True when something changed."""
    name = name if kind in (Kind.HOLIDAY, Kind.MAKEUP) else ""
    if row.kind == kind and row.name == name:
        return False
    row.kind = kind
    row.is_working_day = kind in CalendarDay.WORKING_KINDS
    row.name = name
    row.source = source
    row.updated_at = timezone.now()  # bulk_update does not stamp auto_now fields
    return True


@transaction.atomic
def calendar_day_set(
    *, actor: Any, can_edit: bool, day: dt.date, setting: str, name: str = ""
) -> CalendarDay:
    """Make `day` a holiday, a make-up working day (a Saturday or Sunday only) or a normal day
    (Monday to Friday work). The year must be in the calendar. Audited when something changed."""
    _require(can_edit)
    name = (name or "").strip()
    problem = setting_problem(day, setting, name)
    if problem:
        raise InvalidInput(problem)
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:
        raise InvalidInput(
            _("The year %(year)d is not in the calendar yet: add it first.") % {"year": day.year}
        )
    before = audit.snapshot(row, _DAY_FIELDS)
    if not _apply(row, kind=target_kind(day, setting), name=name, source=Source.EDITED):
        return row
    row.save(update_fields=[*_DAY_FIELDS, "updated_at"])
    old, new = audit.diff(before, audit.snapshot(row, _DAY_FIELDS))
    audit.record("calendar.day_set", actor=actor, obj=row, before=old, after=new)
    return row


# --- CSV import ---------------------------------------------------------------------------------

KIND_WORDS = {
    SET_HOLIDAY: ("holiday", "节假日", "假日", "法定节假日", "放假", "休"),
    SET_MAKEUP: ("makeup", "make-up", "make-up working day", "调休上班", "补班", "上班", "班"),
    SET_NORMAL: ("normal", "正常", "恢复"),
}
_KIND_BY_WORD = {word: kind for kind, words in KIND_WORDS.items() for word in words}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
HEADER_WORDS = ("date", "日期")


@dataclass(frozen=True)
class ImportChange:
    row: int
    date: dt.date
    setting: str
    kind: str  # the kind the day will have
    name: str
    before_kind: str | None  # None: the year is not in the calendar yet
    before_name: str

    @property
    def changed(self) -> bool:
        return self.before_kind != self.kind or self.before_name != self.name

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def before_label(self) -> str:
        return str(Kind(self.before_kind).label) if self.before_kind else ""


@dataclass
class CalendarImportPlan:
    changes: list[ImportChange] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    new_years: list[int] = field(default_factory=list)  # added to the calendar by the import

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.changes)

    @property
    def years(self) -> list[int]:
        return sorted({c.date.year for c in self.changes})

    @property
    def changed(self) -> list[ImportChange]:
        return [c for c in self.changes if c.changed]


@dataclass(frozen=True)
class CalendarImportResult:
    changed: int
    unchanged: int
    years: list[int]
    new_years: list[int]
    covered_years: list[int]


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def parse_date(text: str) -> dt.date | None:
    """2027-10-01, 2027/10/1, 2027.10.01 or 2027年10月1日; None if it is none of these."""
    match = _DATE_RE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def calendar_import_plan(data: bytes) -> CalendarImportPlan:
    """Read a CSV of `date,kind,name` rows (a header line is optional) and say what importing
    it would change, with every problem by line and column. Nothing is written."""
    plan = CalendarImportPlan()
    if len(data) > IMPORT_MAX_BYTES:
        plan.problems.append(
            RowProblem(
                None,
                "",
                _("The file is larger than %(kb)d KB.") % {"kb": IMPORT_MAX_BYTES // 1024},
            )
        )
        return plan
    text = _decode(data)
    if text is None:
        plan.problems.append(
            RowProblem(None, "", _("The file is not text in UTF-8 or GB18030 encoding."))
        )
        return plan
    wanted: list[tuple[int, dt.date, str, str]] = []
    first_seen: dict[dt.date, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    seen_content = False
    try:
        for cells in reader:
            line = reader.line_num
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if not seen_content:
                seen_content = True
                if cells[0].lower() in HEADER_WORDS:
                    continue
            if len(wanted) + len(plan.problems) >= IMPORT_MAX_ROWS:
                plan.problems.append(
                    RowProblem(
                        line,
                        "",
                        _("The file has more than %(max)d rows.") % {"max": IMPORT_MAX_ROWS},
                    )
                )
                break
            _plan_row(plan, wanted, first_seen, line, cells)
    except csv.Error as exc:
        plan.problems.append(
            RowProblem(
                reader.line_num, "", _("The line is not valid CSV: %(error)s.") % {"error": exc}
            )
        )
    if not wanted and not plan.problems:
        plan.problems.append(RowProblem(None, "", _("The file has no rows to import.")))
    if plan.problems:
        return plan
    dates = [w[1] for w in wanted]
    existing = {
        row.date: row
        for row in CalendarDay.objects.filter(date__gte=min(dates), date__lte=max(dates)).only(
            "date", "kind", "name"
        )
        if row.date in first_seen
    }
    held_years = set(
        CalendarYear.objects.filter(year__in={d.year for d in dates}).values_list("year", flat=True)
    )
    plan.new_years = sorted({d.year for d in dates} - held_years)
    for line, day, setting, name in wanted:
        current = existing.get(day)
        kind = target_kind(day, setting)
        plan.changes.append(
            ImportChange(
                row=line,
                date=day,
                setting=setting,
                kind=kind,
                name=name if kind in (Kind.HOLIDAY, Kind.MAKEUP) else "",
                before_kind=current.kind if current else None,
                before_name=current.name if current else "",
            )
        )
    return plan


def _plan_row(
    plan: CalendarImportPlan,
    wanted: list[tuple[int, dt.date, str, str]],
    first_seen: dict[dt.date, int],
    line: int,
    cells: list[str],
) -> None:
    date_text = cells[0]
    kind_text = cells[1] if len(cells) > 1 else ""
    name = cells[2] if len(cells) > 2 else ""
    problems: list[RowProblem] = []
    if any(cells[3:]):
        problems.append(
            RowProblem(line, "", _("The row has more than three columns (date, kind, name)."))
        )
    day = parse_date(date_text)
    if day is None:
        problems.append(
            RowProblem(
                line,
                "date",
                _('"%(value)s" is not a date; write it like 2027-10-01.') % {"value": date_text},
            )
        )
    elif not MIN_YEAR <= day.year <= MAX_YEAR:
        problems.append(
            RowProblem(
                line,
                "date",
                _("The year must lie between %(min)d and %(max)d.")
                % {"min": MIN_YEAR, "max": MAX_YEAR},
            )
        )
    elif day in first_seen:
        problems.append(
            RowProblem(
                line,
                "date",
                _("%(date)s is already on row %(row)d.")
                % {"date": day.isoformat(), "row": first_seen[day]},
            )
        )
    setting = _KIND_BY_WORD.get(kind_text.lower(), "")
    if not setting:
        problems.append(
            RowProblem(
                line,
                "kind",
                _('"%(value)s" is not a kind; write holiday, makeup or normal.')
                % {"value": kind_text},
            )
        )
    if day is not None and setting:
        problem = setting_problem(day, setting, name)
        if problem:
            column = "name" if len(name) > NAME_MAX else "kind"
            problems.append(RowProblem(line, column, problem))
    if problems:
        plan.problems.extend(problems)
        return
    assert day is not None
    first_seen[day] = line
    wanted.append((line, day, setting, name))


@transaction.atomic
def calendar_import(
    *, actor: Any, can_edit: bool, data: bytes, file_name: str, mark_covered: bool
) -> CalendarImportResult:
    """Apply a CSV of `date,kind,name` rows, all or nothing.

    Any problem raises InvalidInput whose details list every problem as {row, column, message}
    and nothing is written. A year the calendar lacks is added first (from the package when it
    knows it, else Monday to Friday); `mark_covered` then confirms every year in the file.
    """
    _require(can_edit)
    plan = calendar_import_plan(data)
    if plan.problems:
        raise InvalidInput(
            _("The file has problems; nothing was imported."),
            details=[p.as_dict() for p in plan.problems],
        )
    new_years = plan.new_years
    for year in new_years:
        _create_year(actor=actor, year=year, covered=False)
    if new_years:
        plan = calendar_import_plan(data)  # the before-values of the new years' days
    rows = {
        row.date: row
        for row in CalendarDay.objects.select_for_update().filter(
            date__in=[c.date for c in plan.changes]
        )
    }
    changed = []
    for change in plan.changes:
        row = rows[change.date]
        before = audit.snapshot(row, _DAY_FIELDS)
        if _apply(row, kind=change.kind, name=change.name, source=Source.IMPORTED):
            changed.append(row)
            old, new = audit.diff(before, audit.snapshot(row, _DAY_FIELDS))
            audit.record("calendar.day_set", actor=actor, obj=row, before=old, after=new)
    CalendarDay.objects.bulk_update(changed, [*_DAY_FIELDS, "updated_at"], batch_size=500)
    covered: list[int] = []
    if mark_covered:
        for year in plan.years:
            calendar_year_set_covered(actor=actor, can_edit=True, year=year, covered=True)
            covered.append(year)
    result = CalendarImportResult(
        changed=len(changed),
        unchanged=len(plan.changes) - len(changed),
        years=plan.years,
        new_years=new_years,
        covered_years=covered,
    )
    audit.record(
        "calendar.import",
        actor=actor,
        object_type=CalendarDay._meta.label_lower,
        object_repr=file_name[:255],
        after={
            "file": file_name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": len(plan.changes),
            "changed": result.changed,
            "years": result.years,
            "new_years": result.new_years,
            "marked_covered": result.covered_years,
        },
    )
    return result
