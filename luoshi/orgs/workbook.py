"""The org-people.xlsx workbook read into an import plan: its layout, the cell parsers, the
resolution of names against existing rows, and every problem found.

Two sheets, both optional but at least one present:

- 单位: 单位名称, 简称代码, 上级单位, 单位类型, 层级, 排序
- 人员: 姓名, 性别, 出生年月, 政治面貌, 所在单位, 职务, 职级, 人员类别, 参加工作时间,
  任现职时间, 手机号码

`plan_import` reads and checks the whole file and returns a plan: what would be created and
every problem found, each with its sheet, Excel row, column and a message in the user's language.
It writes nothing: luoshi.orgs.imports.import_org_people plans again inside one transaction and,
when there is no problem at all, creates everything through the services (each unit and person
audited, plus one summary entry); otherwise it raises `ImportInvalid` and nothing is written.

Resolution rules:
- 上级单位 and 所在单位 name a unit of the same file first (by name or code), then an existing
  unit (by code, name or short name); names compare in either Chinese script. More than one
  match is an error that asks for the code instead.
- A person is a duplicate when name, birth month and unit are all the same as another row's or
  an existing person's. A shared name alone is normal and imports.
- 政治面貌, 职务, 职级 and 人员类别 must name an active entry of the editable lists.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# ImportInvalid: the one "nothing was imported" of every import, raised by this app too
from luoshi.core.importflow import ImportInvalid as ImportInvalid
from luoshi.documents.xlsx import (
    Column,
    SheetReader,
    SheetRow,
    WorkbookError,
    cell_text,
    normalize_name,
    open_workbook,
    read_limited,
)

from .models import ListItem, OrgUnit, Person, PoliticalStatus, Post, Rank, StaffCategory
from .selectors import units_visible
from .services import is_valid_mobile

UNIT_SHEET = "单位"
PEOPLE_SHEET = "人员"

# Headers of the 单位 sheet
U_NAME, U_CODE, U_PARENT, U_KIND, U_LEVEL, U_ORDER = (
    "单位名称",
    "简称代码",
    "上级单位",
    "单位类型",
    "层级",
    "排序",
)
UNIT_COLUMNS = (
    Column(U_NAME, ("名称",)),
    Column(U_CODE, ("代码", "单位代码", "编码")),
    Column(U_PARENT, ("上级", "上级单位名称")),
    Column(U_KIND, ("类型",)),
    Column(U_LEVEL, ("级别",)),
    Column(U_ORDER, ("排序号", "显示顺序")),
)

# Headers of the 人员 sheet
(
    P_NAME,
    P_GENDER,
    P_BIRTH,
    P_POLITICAL,
    P_UNIT,
    P_POST,
    P_RANK,
    P_CATEGORY,
    P_WORK_START,
    P_POST_SINCE,
    P_MOBILE,
) = (
    "姓名",
    "性别",
    "出生年月",
    "政治面貌",
    "所在单位",
    "职务",
    "职级",
    "人员类别",
    "参加工作时间",
    "任现职时间",
    "手机号码",
)
PEOPLE_COLUMNS = (
    Column(P_NAME),
    Column(P_GENDER),
    Column(P_BIRTH, ("出生日期", "出生年月日")),
    Column(P_POLITICAL),
    Column(P_UNIT, ("工作单位", "单位")),
    Column(P_POST),
    Column(P_RANK),
    Column(P_CATEGORY, ("人员身份",)),
    Column(P_WORK_START, ("参加工作年月", "参加工作日期")),
    Column(P_POST_SINCE, ("任现职务时间", "任现职年月")),
    Column(P_MOBILE, ("手机", "手机号", "移动电话")),
)

# Values of 单位类型 and 层级 as the layout writes them (the exporter writes the first of each)
KIND_LABELS = {
    OrgUnit.Kind.AGENCY: "机关",
    OrgUnit.Kind.DEPARTMENT: "内设部门",
    OrgUnit.Kind.AFFILIATED: "直属单位",
    OrgUnit.Kind.LOCAL: "地方组织",
}
LEVEL_LABELS = {
    OrgUnit.Level.NATIONAL: "国家级",
    OrgUnit.Level.PROVINCIAL: "省级",
    OrgUnit.Level.MUNICIPAL: "市级",
    OrgUnit.Level.COUNTY: "县级",
}
GENDER_LABELS = {Person.Gender.MALE: "男", Person.Gender.FEMALE: "女"}

_KINDS = {
    **{normalize_name(label): kind for kind, label in KIND_LABELS.items()},
    **{normalize_name(kind.value): kind for kind in OrgUnit.Kind},
    normalize_name("部门"): OrgUnit.Kind.DEPARTMENT,
    normalize_name("地方侨联"): OrgUnit.Kind.LOCAL,
}
_LEVELS = {
    **{normalize_name(label): level for level, label in LEVEL_LABELS.items()},
    **{normalize_name(level.value): level for level in OrgUnit.Level},
    **{
        normalize_name(word): OrgUnit.Level.NATIONAL
        for word in ("全国", "国家", "全国级", "中央", "中央级")
    },
    **{normalize_name(word): OrgUnit.Level.PROVINCIAL for word in ("省", "省级", "省区市")},
    **{
        normalize_name(word): OrgUnit.Level.MUNICIPAL for word in ("市", "地市级", "地级", "市州级")
    },
    **{normalize_name(word): OrgUnit.Level.COUNTY for word in ("县", "区县级", "县区级", "县市区")},
}
_GENDERS = {
    **{normalize_name(w): Person.Gender.MALE for w in ("男", "男性", "M", "male")},
    **{normalize_name(w): Person.Gender.FEMALE for w in ("女", "女性", "F", "female")},
}
# Common short forms of list entries: used only when the short form is not itself an entry
_LIST_ALIASES: dict[type[ListItem], dict[str, str]] = {
    StaffCategory: {"参公": "参照公务员法管理"},
    PoliticalStatus: {"党员": "中共党员", "预备党员": "中共预备党员", "团员": "共青团员"},
}

MAX_PROBLEMS = 1000
FIRST_YEAR = 1900


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """normalize_name, remembered: a workbook repeats its genders, list entries and units on
    every row, and folding (spaces, script, case) was a good part of a row's time."""
    return normalize_name(text)


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file. `row` is the Excel row number (None for the whole file)."""

    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class UnitPlan:
    row: int
    name: str
    code: str
    kind: str
    level: str
    sort_order: int
    parent_text: str = ""
    parent_row: int | None = None  # the parent is the unit of that row of this file
    parent_id: int | None = None  # the parent is an existing unit

    @property
    def kind_label(self) -> str:
        return str(OrgUnit.Kind(self.kind).label) if self.kind else ""

    @property
    def level_label(self) -> str:
        return str(OrgUnit.Level(self.level).label) if self.level else ""


@dataclass
class PersonPlan:
    row: int
    name: str
    gender: str
    birth_month: dt.date | None
    unit_text: str
    unit_row: int | None = None  # a unit of this file
    unit_id: int | None = None  # an existing unit
    political_status: PoliticalStatus | None = None
    post: Post | None = None
    rank: Rank | None = None
    staff_category: StaffCategory | None = None
    work_start: dt.date | None = None
    post_since: dt.date | None = None
    mobile: str = ""

    @property
    def gender_label(self) -> str:
        return str(Person.Gender(self.gender).label) if self.gender else ""


@dataclass
class ImportPlan:
    """What an import would create, in creation order, and what is wrong with the file."""

    file_name: str = ""
    sha256: str = ""
    units: list[UnitPlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem_dicts(self) -> list[dict[str, Any]]:
        return [p.as_dict() for p in self.problems]


@dataclass(frozen=True)
class ImportResult:
    dry_run: bool
    units: int
    people: int


# --- cell parsing -----------------------------------------------------------------------------


class CellError(ValueError):
    """A cell's value is not acceptable; the message is already translated."""


def parse_month(value: Any, *, today: dt.date | None = None) -> dt.date | None:
    """A month written the ways people write it, as the first day of that month; '' → None.

    Accepted: 1970.08 · 1970-8 · 1970/08 · 1970年8月 · 1970年08月15日 · 1970.08.15 · 197008 ·
    19700815 (after NFKC, so full-width digits too), a date cell, and the number Excel makes of
    a typed 1970.08. `today` (default: the local date) bounds it: a future month is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        if isinstance(value, float):
            # Excel turns a typed 1970.08 into a number; 1970.1 can only have been 1970.10.
            text = f"{value:.2f}"
        else:
            text = cell_text(value)
            if not text.isascii():
                text = unicodedata.normalize("NFKC", text)
        day = _month_from_text(text)
    if day.year < FIRST_YEAR:
        raise CellError(_("%(value)s is too long ago.") % {"value": day.strftime("%Y.%m")})
    today = today or timezone.localdate()
    if (day.year, day.month) > (today.year, today.month):
        raise CellError(_("%(value)s is in the future.") % {"value": day.strftime("%Y.%m")})
    return day.replace(day=1)


def _not_a_month(text: str) -> CellError:
    return CellError(
        _("“%(value)s” is not a year and month. Write it like 1970.08.") % {"value": text[:40]}
    )


_MONTH_SEPARATORS = ".-/年"
_DAY_SEPARATORS = ".-/"


def _digits(text: str, at: int, most: int) -> int:
    """Where a run of at most `most` (and at least one) decimal digits from `at` ends; `at`
    when there is none."""
    end = at
    while end < len(text) and end - at < most and text[end].isdecimal():
        end += 1
    return end


def _spaces(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _day_part(text: str, at: int) -> int | None:
    """After the month: [月][[sep]D[D][日]] to the end; the day (1 when there is none), or
    None when the rest is not that."""
    at = _spaces(text, at)
    if at < len(text) and text[at] == "月":
        at = _spaces(text, at + 1)
    if at == len(text):
        return 1
    if text[at] in _DAY_SEPARATORS:
        at = _spaces(text, at + 1)
    end = _digits(text, at, 2)
    if end == at:
        return None
    day = int(text[at:end])
    at = _spaces(text, end)
    if at < len(text) and text[at] == "日":
        at += 1
    return day if at == len(text) else None


def _month_from_text(text: str) -> dt.date:
    """Read YYYY<sep>M[M][月][[sep]D[D][日]] (sep one of . - / 年, spaces allowed around each
    part) or YYYYMM[DD], by hand: a regular expression per cell was a good part of an import's
    time at 60,000 rows. A two-digit month that leaves a bad rest is read again as one digit
    (1970年11日 is 1970-01-01), as the expression's backtracking did."""
    text = text.strip()
    if text.isdecimal() and len(text) in (6, 8):
        year, month = int(text[:4]), int(text[4:6])
        day: int | None = int(text[6:]) if len(text) == 8 else 1
    else:
        if len(text) < 6 or not text[:4].isdecimal():
            raise _not_a_month(text)
        at = _spaces(text, 4)
        if at >= len(text) or text[at] not in _MONTH_SEPARATORS:
            raise _not_a_month(text)
        at = _spaces(text, at + 1)
        end = _digits(text, at, 2)
        if end == at:
            raise _not_a_month(text)
        year, month = int(text[:4]), int(text[at:end])
        day = _day_part(text, end)
        if day is None and end - at == 2:
            month, day = int(text[at]), _day_part(text, at + 1)
    if day is None:
        raise _not_a_month(text)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _not_a_month(text) from None


def clean_file_name(name: str) -> str:
    """Only the last part of a client's file name, never a path; for display and the audit log."""
    return Path(name.replace("\\", "/")).name[:100]


def missing_file_message() -> str:
    return _("Choose an xlsx file to upload.")


def format_month(value: dt.date | None) -> str:
    """The layout's way of writing a month: 1970.08."""
    return value.strftime("%Y.%m") if value else ""


def parse_mobile(value: Any) -> str:
    text = cell_text(value)
    if len(text) == 11 and text.isascii() and text.isdigit() and text[0] == "1":
        return text  # the usual case, which the steps below would leave as it is
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s\-()]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if text and not is_valid_mobile(text):
        raise CellError(
            _("“%(value)s” is not a mobile number: it has 11 digits and starts with 1.")
            % {"value": cell_text(value)[:40]}
        )
    return text


def _whole(number: float) -> float:
    if not number.is_integer():
        raise ValueError(number)
    return number


def parse_sort_order(value: Any) -> int:
    if value is None or cell_text(value) == "":
        return 0
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        number = int(value)
    else:
        text = unicodedata.normalize("NFKC", cell_text(value))
        try:
            number = int(text) if text.lstrip("+-").isdigit() else int(_whole(float(text)))
        except (ValueError, OverflowError):
            raise CellError(
                _("“%(value)s” is not a whole number.") % {"value": cell_text(value)[:40]}
            ) from None
    if abs(number) > 2_000_000_000:
        raise CellError(_("The number is too large."))
    return number


# --- resolving names against existing rows -----------------------------------------------------


class _ListIndex:
    """Active entries of one editable list, by folded name."""

    def __init__(self, model: type[ListItem]) -> None:
        self.model = model
        self.items: dict[str, Any] = {
            normalize_name(item.name): item
            for item in model._default_manager.filter(is_active=True)
        }
        for short, full in _LIST_ALIASES.get(model, {}).items():
            if normalize_name(short) not in self.items and normalize_name(full) in self.items:
                self.items[normalize_name(short)] = self.items[normalize_name(full)]

    def get(self, text: str) -> Any | None:
        return self.items.get(_fold(text))


@dataclass
class _FileUnit:
    row: int
    name: str
    code: str
    plan: UnitPlan | None  # None when the row has a problem


class _UnitIndex:
    """Units by folded name, short name and code: this file's and the existing visible ones."""

    def __init__(self, existing: Iterable[tuple[int, str, str, str]]) -> None:
        self.file_by_name: dict[str, list[_FileUnit]] = defaultdict(list)
        self.file_by_code: dict[str, list[_FileUnit]] = defaultdict(list)
        self.db_by_key: dict[str, set[int]] = defaultdict(set)
        self.db_names: dict[int, str] = {}
        for pk, name, short_name, code in existing:
            self.db_names[pk] = name
            for key in {normalize_name(name), normalize_name(short_name), code.casefold()}:
                if key:
                    self.db_by_key[key].add(pk)

    def add_file_unit(self, unit: _FileUnit) -> None:
        if unit.name:
            self.file_by_name[normalize_name(unit.name)].append(unit)
        if unit.code:
            self.file_by_code[unit.code.casefold()].append(unit)

    def in_file(self, text: str) -> list[_FileUnit]:
        found = {id(u): u for u in self.file_by_name.get(_fold(text), [])}
        found.update({id(u): u for u in self.file_by_code.get(text.casefold(), [])})
        return sorted(found.values(), key=lambda u: u.row)

    def existing(self, text: str) -> list[int]:
        ids = self.db_by_key.get(_fold(text), set()) | self.db_by_key.get(text.casefold(), set())
        return sorted(ids)


# --- planning ---------------------------------------------------------------------------------


def _unknown_entry(column: str) -> str:
    """The message for a list entry that does not exist (translated only when needed)."""
    return {
        P_POLITICAL: _("Unknown political status “%(value)s”."),
        P_POST: _("Unknown post “%(value)s”."),
        P_RANK: _("Unknown rank “%(value)s”."),
        P_CATEGORY: _("Unknown staff category “%(value)s”."),
    }[column]


class _Planner:
    def __init__(self, *, actor: Any) -> None:
        self.actor = actor
        self.today = timezone.localdate()
        self.problems: list[Problem] = []
        self.plan = ImportPlan()
        # parse_month of each cell value met (its type too: 1970.1 is not "1970.1"), or the
        # problem it has: a sheet repeats its months on many rows
        self.months: dict[tuple[type, Any], dt.date | str | None] = {}

    def month(self, value: Any) -> dt.date | None:
        """parse_month(value) as of the planner's day, remembered; raises CellError."""
        key = (type(value), value)
        known = self.months.get(key, self)
        if known is self:
            try:
                known = parse_month(value, today=self.today)
            except CellError as exc:
                known = str(exc)
            self.months[key] = known
        if isinstance(known, str):
            raise CellError(known)
        return known  # type: ignore[return-value]

    def problem(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

    # units ------------------------------------------------------------------------------------

    def read_units(self, reader: SheetReader, index: _UnitIndex) -> list[_FileUnit]:
        sheet = reader.title
        entries: list[_FileUnit] = []
        codes_seen: dict[str, int] = {}
        for row in reader.rows():
            entry = self._unit_row(sheet, row, codes_seen)
            entries.append(entry)
            index.add_file_unit(entry)
        # codes already used by existing units (any unit, visible or not, active or not)
        wanted = {e.code.lower(): e for e in entries if e.code}
        if wanted:
            taken = {
                code.lower()
                for code in OrgUnit.objects.filter(
                    code__in=[*{e.code for e in entries if e.code}, *wanted.keys()]
                ).values_list("code", flat=True)
            }
            taken |= self._taken_codes_ignoring_case(wanted.keys() - taken)
            for entry in entries:
                if entry.code and entry.code.lower() in taken:
                    self.problem(
                        sheet,
                        entry.row,
                        U_CODE,
                        _("The code %(code)s is already used by an existing unit.")
                        % {"code": entry.code},
                    )
                    entry.plan = None
        return entries

    def _taken_codes_ignoring_case(self, codes: Iterable[str]) -> set[str]:
        from django.db.models.functions import Lower

        wanted = sorted(codes)
        if not wanted:
            return set()
        return set(
            OrgUnit.objects.annotate(lower_code=Lower("code"))
            .filter(lower_code__in=wanted)
            .values_list("lower_code", flat=True)
        )

    def _unit_row(self, sheet: str, row: SheetRow, codes_seen: dict[str, int]) -> _FileUnit:
        ok = True
        name, code = row.text(U_NAME), row.text(U_CODE)
        if not name:
            ok = self._required(sheet, row.number, U_NAME)
        elif len(name) > 128:
            ok = self._too_long(sheet, row.number, U_NAME, 128)
        if not code:
            ok = self._required(sheet, row.number, U_CODE)
        elif len(code) > 32:
            ok = self._too_long(sheet, row.number, U_CODE, 32)
        elif code.casefold() in codes_seen:
            self.problem(
                sheet,
                row.number,
                U_CODE,
                _("The code %(code)s is also used in row %(row)d of this sheet.")
                % {"code": code, "row": codes_seen[code.casefold()]},
            )
            ok = False
        else:
            codes_seen[code.casefold()] = row.number
        kind = _KINDS.get(_fold(row.text(U_KIND)), "")
        if not row.text(U_KIND):
            ok = self._required(sheet, row.number, U_KIND)
        elif not kind:
            self.problem(
                sheet,
                row.number,
                U_KIND,
                _("Unknown unit type “%(value)s”. Use one of: %(choices)s.")
                % {"value": row.text(U_KIND)[:40], "choices": "、".join(KIND_LABELS.values())},
            )
            ok = False
        level = _LEVELS.get(_fold(row.text(U_LEVEL)), "")
        if not row.text(U_LEVEL):
            ok = self._required(sheet, row.number, U_LEVEL)
        elif not level:
            self.problem(
                sheet,
                row.number,
                U_LEVEL,
                _("Unknown level “%(value)s”. Use one of: %(choices)s.")
                % {"value": row.text(U_LEVEL)[:40], "choices": "、".join(LEVEL_LABELS.values())},
            )
            ok = False
        try:
            sort_order = parse_sort_order(row[U_ORDER])
        except CellError as exc:
            self.problem(sheet, row.number, U_ORDER, str(exc))
            ok, sort_order = False, 0
        plan = UnitPlan(
            row=row.number,
            name=name,
            code=code,
            kind=kind,
            level=level,
            sort_order=sort_order,
            parent_text=row.text(U_PARENT),
        )
        return _FileUnit(row.number, name, code, plan if ok else None)

    def resolve_parents(self, sheet: str, entries: list[_FileUnit], index: _UnitIndex) -> None:
        for entry in entries:
            plan = entry.plan
            if plan is None or not plan.parent_text:
                continue
            text = plan.parent_text
            in_file = index.in_file(text)
            if len(in_file) > 1:
                self._ambiguous(sheet, entry.row, U_PARENT, text, len(in_file))
                entry.plan = None
            elif in_file:
                if in_file[0] is entry:
                    self.problem(
                        sheet, entry.row, U_PARENT, _("A unit cannot be its own parent unit.")
                    )
                    entry.plan = None
                else:
                    plan.parent_row = in_file[0].row
            else:
                existing = index.existing(text)
                if len(existing) > 1:
                    self._ambiguous(sheet, entry.row, U_PARENT, text, len(existing))
                    entry.plan = None
                elif existing:
                    plan.parent_id = existing[0]
                else:
                    self.problem(
                        sheet,
                        entry.row,
                        U_PARENT,
                        _(
                            "Unknown parent unit “%(value)s”: it is neither in this sheet "
                            "nor an existing unit."
                        )
                        % {"value": text[:60]},
                    )
                    entry.plan = None

    def order_units(self, sheet: str, entries: list[_FileUnit]) -> list[UnitPlan]:
        """Parents before children; units whose parents form a loop are problems."""
        by_row = {e.row: e for e in entries}
        ordered: list[UnitPlan] = []
        status: dict[int, bool] = {}  # row → whether the unit and all its parents are fine
        for entry in entries:
            path: list[_FileUnit] = []
            node: _FileUnit | None = entry
            fine = True
            while node is not None:  # walk up (iteratively: a file may nest deeply)
                if node.row in status:
                    fine = status[node.row]
                    break
                if node.plan is None:
                    status[node.row] = fine = False
                    break
                rows_on_path = [p.row for p in path]
                if node.row in rows_on_path:
                    loop = rows_on_path[rows_on_path.index(node.row) :]
                    self.problem(
                        sheet,
                        node.row,
                        U_PARENT,
                        _("The parent units of rows %(rows)s form a loop.")
                        % {"rows": ", ".join(str(r) for r in sorted(loop))},
                    )
                    fine = False
                    break
                path.append(node)
                parent_row = node.plan.parent_row
                node = by_row[parent_row] if parent_row is not None else None
            for item in reversed(path):
                status[item.row] = fine
                if fine and item.plan is not None:
                    ordered.append(item.plan)
                else:
                    item.plan = None
        return ordered

    # people -----------------------------------------------------------------------------------

    def read_people(self, reader: SheetReader, index: _UnitIndex) -> list[PersonPlan]:
        sheet = reader.title
        lists = {
            P_POLITICAL: _ListIndex(PoliticalStatus),
            P_POST: _ListIndex(Post),
            P_RANK: _ListIndex(Rank),
            P_CATEGORY: _ListIndex(StaffCategory),
        }
        people: list[PersonPlan] = []
        for row in reader.rows():
            person = self._person_row(sheet, row, index, lists)
            if person is not None:
                people.append(person)
        self._find_duplicates(sheet, people, index)
        return people

    def _person_row(
        self,
        sheet: str,
        row: SheetRow,
        index: _UnitIndex,
        lists: dict[str, _ListIndex],
    ) -> PersonPlan | None:
        ok = True
        n = row.number
        name = row.text(P_NAME)
        if not name:
            ok = self._required(sheet, n, P_NAME)
        elif len(name) > 64:
            ok = self._too_long(sheet, n, P_NAME, 64)
        gender_text = row.text(P_GENDER)
        gender = _GENDERS.get(_fold(gender_text), "") if gender_text else ""
        if not gender_text:
            ok = self._required(sheet, n, P_GENDER)
        elif not gender:
            self.problem(
                sheet,
                n,
                P_GENDER,
                _("Unknown gender “%(value)s”. Write 男 or 女.") % {"value": gender_text[:20]},
            )
            ok = False
        months: dict[str, dt.date | None] = {}
        for column in (P_BIRTH, P_WORK_START, P_POST_SINCE):
            try:
                months[column] = self.month(row[column])
            except CellError as exc:
                self.problem(sheet, n, column, str(exc))
                ok, months[column] = False, None
        try:
            mobile = parse_mobile(row[P_MOBILE])
        except CellError as exc:
            self.problem(sheet, n, P_MOBILE, str(exc))
            ok, mobile = False, ""
        chosen: dict[str, Any] = {}
        for column, items in lists.items():
            text = row.text(column)
            chosen[column] = items.get(text) if text else None
            if text and chosen[column] is None:
                self.problem(
                    sheet,
                    n,
                    column,
                    _unknown_entry(column) % {"value": text[:40]}
                    + " "
                    + _("Use an entry of the list, or ask an administrator to add it."),
                )
                ok = False
        unit_text = row.text(P_UNIT)
        unit_row: int | None = None
        unit_id: int | None = None
        if not unit_text:
            ok = self._required(sheet, n, P_UNIT)
        else:
            in_file = index.in_file(unit_text)
            if len(in_file) > 1:
                ok = self._ambiguous(sheet, n, P_UNIT, unit_text, len(in_file))
            elif in_file:
                unit_row = in_file[0].row
            else:
                existing = index.existing(unit_text)
                if len(existing) > 1:
                    ok = self._ambiguous(sheet, n, P_UNIT, unit_text, len(existing))
                elif existing:
                    unit_id = existing[0]
                else:
                    self.problem(
                        sheet,
                        n,
                        P_UNIT,
                        _(
                            "Unknown unit “%(value)s”: it is neither in the sheet %(sheet)s "
                            "nor an existing unit."
                        )
                        % {"value": unit_text[:60], "sheet": UNIT_SHEET},
                    )
                    ok = False
        if not ok:
            return None
        return PersonPlan(
            row=n,
            name=name,
            gender=gender,
            birth_month=months[P_BIRTH],
            unit_text=unit_text,
            unit_row=unit_row,
            unit_id=unit_id,
            political_status=chosen[P_POLITICAL],
            post=chosen[P_POST],
            rank=chosen[P_RANK],
            staff_category=chosen[P_CATEGORY],
            work_start=months[P_WORK_START],
            post_since=months[P_POST_SINCE],
            mobile=mobile,
        )

    def _find_duplicates(self, sheet: str, people: list[PersonPlan], index: _UnitIndex) -> None:
        def unit_key(p: PersonPlan) -> tuple[str, int]:
            return ("file", p.unit_row) if p.unit_row is not None else ("db", p.unit_id or 0)

        seen: dict[tuple[Any, ...], int] = {}
        keys = [(normalize_name(p.name), p.birth_month, unit_key(p)) for p in people]
        for person, key in zip(people, keys, strict=True):
            if key in seen:
                self.problem(
                    sheet,
                    person.row,
                    P_NAME,
                    _(
                        "%(name)s, born %(month)s, of %(unit)s is already in row %(row)d: "
                        "the same person twice?"
                    )
                    % {
                        "name": person.name,
                        "month": format_month(person.birth_month) or "—",
                        "unit": person.unit_text,
                        "row": seen[key],
                    },
                )
            else:
                seen[key] = person.row
        unit_ids = {p.unit_id for p in people if p.unit_id is not None}
        if not unit_ids:
            return
        existing: set[tuple[Any, ...]] = {
            (normalize_name(name), birth_month, ("db", unit_id))
            for unit_id, name, birth_month in Person.objects.filter(
                unit_id__in=sorted(unit_ids)
            ).values_list("unit_id", "name", "birth_month")
        }
        for person, key in zip(people, keys, strict=True):
            if person.unit_id is None:
                continue
            if key in existing:
                self.problem(
                    sheet,
                    person.row,
                    P_NAME,
                    _("%(name)s, born %(month)s, already exists in %(unit)s.")
                    % {
                        "name": person.name,
                        "month": format_month(person.birth_month) or "—",
                        "unit": index.db_names.get(person.unit_id, person.unit_text),
                    },
                )

    # helpers ----------------------------------------------------------------------------------

    def _required(self, sheet: str, row: int, column: str) -> bool:
        self.problem(sheet, row, column, _("This cell is required."))
        return False

    def _too_long(self, sheet: str, row: int, column: str, limit: int) -> bool:
        self.problem(
            sheet,
            row,
            column,
            _("This cell is longer than %(limit)d characters.") % {"limit": limit},
        )
        return False

    def _ambiguous(self, sheet: str, row: int, column: str, text: str, count: int) -> bool:
        self.problem(
            sheet,
            row,
            column,
            _("“%(value)s” matches %(count)d units. Write the unit's code instead.")
            % {"value": text[:60], "count": count},
        )
        return False


def _existing_units(actor: Any) -> list[tuple[int, str, str, str]]:
    """Units a file may refer to: active, and visible to the actor (all for the command line)."""
    qs = OrgUnit.objects.all() if actor is None else units_visible(actor)
    return list(qs.filter(is_active=True).values_list("pk", "name", "short_name", "code"))


def plan_from_bytes(data: bytes, *, actor: Any = None, file_name: str = "") -> ImportPlan:
    """Read and check the whole workbook; write nothing."""
    planner = _Planner(actor=actor)
    plan = planner.plan
    plan.file_name = file_name
    plan.sha256 = hashlib.sha256(data).hexdigest()
    try:
        with open_workbook(data) as book:
            _plan_workbook(planner, book)
    except WorkbookError as exc:
        planner.problems = [Problem("", None, "", str(exc.message))]
        plan.units, plan.people = [], []
    if len(planner.problems) > MAX_PROBLEMS:
        hidden = len(planner.problems) - MAX_PROBLEMS
        planner.problems = [
            *planner.problems[:MAX_PROBLEMS],
            Problem(
                "",
                None,
                "",
                ngettext(
                    "%(count)d more problem is not shown.",
                    "%(count)d more problems are not shown.",
                    hidden,
                )
                % {"count": hidden},
            ),
        ]
    plan.problems = planner.problems
    return plan


def _plan_workbook(planner: _Planner, book: Any) -> None:
    plan = planner.plan
    unit_ws, people_ws = book.sheet(UNIT_SHEET), book.sheet(PEOPLE_SHEET)
    if unit_ws is None and people_ws is None:
        planner.problem(
            "、".join(book.sheet_names),
            None,
            "",
            _(
                "The workbook has no sheet named %(units)s or %(people)s (its sheets: "
                "%(found)s). Use the import layout: sheet %(units)s for units, %(people)s for "
                "people."
            )
            % {
                "units": UNIT_SHEET,
                "people": PEOPLE_SHEET,
                "found": "、".join(book.sheet_names) or "—",
            },
        )
        return
    readers: list[tuple[str, SheetReader]] = []
    if unit_ws is not None:
        readers.append((UNIT_SHEET, SheetReader(unit_ws, UNIT_COLUMNS)))
    if people_ws is not None:
        readers.append((PEOPLE_SHEET, SheetReader(people_ws, PEOPLE_COLUMNS)))
    for _name, reader in readers:
        for column in reader.missing:
            planner.problem(
                reader.title,
                reader.header_row or 1,
                column.header,
                _("The column %(column)s is missing from the header row.")
                % {"column": column.header},
            )
    if planner.problems:
        return  # rows make no sense until the columns are right
    index = _UnitIndex(_existing_units(planner.actor))
    unit_reader = dict(readers).get(UNIT_SHEET)
    people_reader = dict(readers).get(PEOPLE_SHEET)
    if unit_reader is not None:
        entries = planner.read_units(unit_reader, index)
        planner.resolve_parents(unit_reader.title, entries, index)
        plan.units = planner.order_units(unit_reader.title, entries)
    if people_reader is not None:
        plan.people = planner.read_people(people_reader, index)
    if not planner.problems and not plan.units and not plan.people:
        planner.problem(
            "、".join(r.title for _name, r in readers),
            None,
            "",
            _("The file contains no units and no people."),
        )


def plan_import(
    source: bytes | IO[bytes] | str | Path, *, actor: Any = None, file_name: str = ""
) -> ImportPlan:
    """Read and check a workbook (bytes, a file object or a path); write nothing."""
    try:
        data = read_limited(source)
    except WorkbookError as exc:
        return ImportPlan(file_name=file_name, problems=[Problem("", None, "", str(exc.message))])
    return plan_from_bytes(data, actor=actor, file_name=file_name)
