"""Reading an annual work plan (工作要点) as offices write it: outline, assignments, dates, numbers.

Pure parsing, no database. The caller passes a `resolve(name) -> [candidate ids]` callable that
knows the org tree, and gets back dataclasses it can show in a preview and commit.

Outline levels, by the numbering in front of a line (Simplified or Traditional script, full- or
half-width characters):

- level 1, key point: 一、 (also 一. 一．)
- level 2, section: （一） (一) （一）、
- level 3, task: 1. 1、 １、 1． (not 1.5, a decimal)
- level 4, sub-item: （1） (1) 1） ① ⑴ — folded into the task's measures

A line without a number continues the node before it. Lines before the first numbered line are
the preamble: the title (with the year) and the introduction. Lines after the last task, once
that task's assignment bracket has been read, are the closing (a general requirement, the
issuer, the date).

A task line may end with its assignment in brackets, for example
（牵头部门：X；配合部门：A、B；完成时限：2024年12月底前）. Variants: 牵头单位 and
责任部门/责任单位 (= lead), 配合单位/协办, 完成时限/时限/时间; any of ；;，, as separators;
full- or half-width brackets; either script; also the short form
（X牵头，A、B配合，6月底前完成）. The assignment may also stand on a line of its own below
the task. A section or key point heading may carry one too:
its tasks inherit what they do not say themselves.

Task codes are `YEAR-K-S-T`: the position of the key point, the section and the task in the
document (1-based, in order of appearance). A task directly under a key point (a plan without
the （一） level, or a key point's tasks before its first section) has S = 0, so every code has
four parts and codes sort in outline order. A section that has no numbered tasks but carries an
assignment (a plan whose （一） items are its tasks) is itself a task directly under its key point:
`YEAR-K-0-S`. Tasks before any key point sit under an implicit key point 0.
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from luoshi.core.errors import InvalidInput
from luoshi.core.text import to_simplified
from luoshi.documents.docx import TableBlock, open_docx
from luoshi.documents.xlsx import normalize_header

Resolver = Callable[[str], Sequence[Any]]

HIGHER = "higher"
LOWER = "lower"

# Unit texts that stand for every department of the agency: the caller expands them.
EVERY_UNIT_TEXTS = frozenset(
    {
        "各部门",
        "各单位",
        "各部门各单位",
        "各部门和各单位",
        "机关各部门",
        "机关各单位",
        "机关各部门各单位",
        "各处室",
        "各科室",
        "各部室",
        "机关各处室",
        "全体部门",
        "所有部门",
    }
)


class OutlineError(InvalidInput):
    """A document in which no outline of a work plan was found."""

    code = "no_outline"


# --- text helpers -----------------------------------------------------------------------------

_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """Full-width ASCII variants (（）１：；，％) as half-width; same length as the input."""
    return text.translate(_HALF)


def _simplified_same_length(text: str) -> str:
    """Half-width, Simplified text of the same length, so that positions map back."""
    folded = fold_width(text)
    simplified = to_simplified(folded)
    return simplified if len(simplified) == len(folded) else folded


_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip


def chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十一 → 21, 一百零五 → 105, 二〇二四 → 2024; digits as they are."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if all(c in _CN_DIGITS for c in text) and len(text) > 1:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, current = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


# --- dates ------------------------------------------------------------------------------------

_N = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_Y = r"(?:\d{4}|[〇零一二三四五六七八九]{4})"
_REL = r"(?P<rel>今年|本年|当年|明年|次年|翌年)"

_BEFORE = r"(?:\s*(?:之前|以前|前))?"
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "iso",
        re.compile(
            r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)" + _BEFORE
        ),
    ),
    (
        "day",
        re.compile(
            rf"(?:(?P<y>{_Y})\s*年|{_REL})?\s*(?P<m>{_N})\s*月\s*(?P<d>{_N})\s*[日号]" + _BEFORE
        ),
    ),
    (
        "month",
        re.compile(
            rf"(?:(?P<y>{_Y})\s*年|{_REL})?\s*(?P<m>{_N})\s*月份?"
            r"(?P<part>上旬|中旬|下旬|初|中|底|末)?(?P<before>之?前|以前)?"
        ),
    ),
    (
        "quarter",
        re.compile(
            rf"(?:(?P<y>{_Y})\s*年|{_REL})?\s*第?(?P<q>[一二三四1-4])\s*季度?(?:末|底)?" + _BEFORE
        ),
    ),
    (
        "half",
        re.compile(
            rf"(?:(?P<y>{_Y})\s*年|{_REL})?\s*"
            r"(?P<what>上半年|下半年|年中|年底|年末|年终|年内|全年|年度内|本年度|年度)" + _BEFORE
        ),
    ),
    ("year_end", re.compile(rf"(?P<y>{_Y})\s*年\s*(?P<what>底|末|终|内|度内)" + _BEFORE)),
]
_ONGOING = re.compile(r"长期|持续|常态化|经常性|长效|不定期|随时|常年")
_RECURRING = re.compile(r"每(?:个)?(?:月|季度|季|周|年|半年|旬|两个月)")
_WEAK = {"全年", "年内", "年度内", "本年度", "年度"}  # "all year" next to 持续 means ongoing


@dataclass(frozen=True)
class Deadline:
    """A time limit as written, and what it means for a plan of a given year."""

    text: str = ""
    date: dt.date | None = None
    ongoing: bool = False  # 长期, 持续推进, 常态化, 每月…: recognised, but no single deadline
    recurring: bool = False  # 每月…, 每季度…: a cadence rather than a date
    problem: str = ""  # why `text` gave no date, for a person; "" when fine or not given

    @property
    def given(self) -> bool:
        return bool(self.text.strip())

    @property
    def recognised(self) -> bool:
        return self.date is not None or self.ongoing


@dataclass(frozen=True)
class _DateMatch:
    start: int
    end: int
    date: dt.date | None
    problem: str
    weak: bool = False


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, monthrange(year, month)[1])


def _year_of(match: re.Match[str], plan_year: int | None) -> int | None:
    groups = match.groupdict()
    if groups.get("y"):
        return chinese_number(groups["y"])
    if groups.get("rel") in {"明年", "次年", "翌年"}:
        return plan_year + 1 if plan_year else None
    return plan_year


def _date_of(kind: str, match: re.Match[str], year: int) -> dt.date:
    """The deadline a matched phrase means; raises ValueError for an impossible date."""
    groups = match.groupdict()
    if kind in {"iso", "day"}:
        month, day = chinese_number(groups["m"]), chinese_number(groups["d"])
        if month is None or day is None:
            raise ValueError(kind)
        return dt.date(year, month, day)
    if kind == "month":
        month = chinese_number(groups["m"])
        if month is None or not 1 <= month <= 12:
            raise ValueError(kind)
        part = groups.get("part") or ""
        if not part and groups.get("before"):  # 6月前: before June begins
            return dt.date(year, month, 1) - dt.timedelta(days=1)
        if part in {"上旬", "初"}:
            return dt.date(year, month, 10)
        if part == "中旬":
            return dt.date(year, month, 20)
        if part == "中":
            return dt.date(year, month, 15)
        return _month_end(year, month)
    if kind == "quarter":
        quarter = chinese_number(groups["q"])
        if quarter is None or not 1 <= quarter <= 4:
            raise ValueError(kind)
        return _month_end(year, quarter * 3)
    what = groups["what"]
    if what in {"上半年", "年中", "中"}:
        return dt.date(year, 6, 30)
    return dt.date(year, 12, 31)


def _scan_dates(text: str, plan_year: int | None) -> list[_DateMatch]:
    """Every date phrase in `text` (already width-folded and Simplified), in order."""
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if match.group(0).strip():
                found.append((match.start(), match.end(), kind, match))
    # leftmost first, then the longest; drop matches inside one already taken
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    taken: list[_DateMatch] = []
    last_end = -1
    for start, end, kind, match in found:
        if start < last_end:
            continue
        if kind in {"month", "day"} and start > 0 and text[start - 1].isdigit():
            continue  # part of a longer number
        year = _year_of(match, plan_year)
        weak = kind == "half" and match.group("what") in _WEAK
        if year is None:
            taken.append(
                _DateMatch(start, end, None, _("The year of the plan is not known."), weak)
            )
        else:
            try:
                taken.append(_DateMatch(start, end, _date_of(kind, match, year), "", weak))
            except ValueError:
                taken.append(
                    _DateMatch(
                        start,
                        end,
                        None,
                        _("“%(text)s” is not a valid date.") % {"text": match.group(0).strip()},
                        weak,
                    )
                )
        last_end = end
    return taken


def parse_deadline(text: str, year: int | None) -> Deadline:
    """Turn a time limit as written into a deadline for a plan of `year`.

    2024年6月底前, 6月底前, 6月底, 6月 → the month's last day; 6月15日前 → that day; 6月上旬 → the
    10th, 6月中旬 → the 20th; 6月前 → the day before June begins; 上半年/年中 → 06-30;
    下半年/年内/年底(前)/全年 → 12-31; (第)一季度 … 四季度 → the quarter's last day; 明年/次年 →
    the next year; 2024-06-30 as written. When several dates are written, the last one is the
    deadline. 长期/持续推进/常态化 → ongoing; 每月/每季度… → recurring (and ongoing). Anything
    else gives no date and a problem to show.
    """
    raw = text.strip()
    if not raw:
        return Deadline()
    norm = _simplified_same_length(raw)
    matches = _scan_dates(norm, year)
    strong = [m for m in matches if not m.weak]
    ongoing = bool(_ONGOING.search(norm))
    recurring = bool(_RECURRING.search(norm))
    if matches and not ((ongoing or recurring) and not strong):
        chosen = (strong or matches)[-1]
        if chosen.date is None:
            return Deadline(raw, None, problem=chosen.problem)
        return Deadline(raw, chosen.date)
    if ongoing or recurring:
        return Deadline(raw, None, ongoing=True, recurring=recurring)
    return Deadline(
        raw,
        None,
        problem=_("The time limit “%(text)s” was not recognised; enter the deadline by hand.")
        % {"text": raw},
    )


# --- indicators -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedIndicator:
    """A quantified indicator read from text: 举办研习班4期 → (举办研习班, 4, 期, higher)."""

    name: str
    target: Decimal
    unit: str
    direction: str  # HIGHER or LOWER
    text: str  # the phrase it was read from


_UNIT_WORDS = """人次 人天 户次 家次 场次 批次 期次 个百分点 百分点 人 名 位 个 项 次 场 期 篇 家
所 批 件 条 部 本 份 处 户 天 小时 课时 学时 % 支 类 套 种 轮 站 团 组 册 集 门 节 元 平方米
公里 座 间 张 遍 起 宗 笔 首 幅 部次 例 台 辆 村 校 期刊 分"""
_UNITS = sorted(
    _UNIT_WORDS.split(),
    key=len,
    reverse=True,
)
_HIGHER_WORDS = r"不少于|不低于|至少|达到|达|超过|高于|力争|突破|提高到|提升到|增加到|增长|≥|>=|>"
_LOWER_WORDS = (
    r"不超过|不高于|不多于|低于|少于|控制在|压缩到|压减到|降低到|降至|下降到|减少到|≤|<=|<"
)
_NUMBER_RE = re.compile(
    rf"(?P<cmp>{_LOWER_WORDS}|{_HIGHER_WORDS})?\s*"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<approx>余|多)?"
    r"(?P<scale>万|千|亿|百)?"
    rf"(?P<unit>{'|'.join(re.escape(u) for u in _UNITS)})"
    r"(?P<tail>及以上|以上|及以下|以下|以内|之内|左右)?"
)
_LOWER_SET = set(_LOWER_WORDS.split("|"))
_LEADING_WORDS = re.compile(
    r"^(?:年内|全年|每年|今年|年度内|累计|共计|总计|共|其中|力争|确保|要|并|及|和|同时|另外|全面)+"
)
_TRAILING_WORDS = re.compile(r"(?:达到|达|实现|完成率|为|在|共|累计|总计)$")
# clauses end at punctuation; a comma between digits (1,200) is a thousands separator
_CLAUSE_SPLIT = re.compile(r"[;；。!！?？\n]|(?<!\d),|,(?!\d{3}(?!\d))")


def propose_indicators(text: str, *, fallback_name: str = "") -> list[ProposedIndicator]:
    """Numbers with a unit in `text`, as proposed indicators (dates and ordinals are not).

    The name is the clause before the number (不少于12次 takes the clause's words before it);
    a bare number (as in a breakdown table's 量化指标 cell: 4期;300人次) takes `fallback_name`.
    不超过/控制在…以内/以下 mean lower is better; everything else higher is better.
    """
    norm = fold_width(text).replace("％", "%")
    indicators: list[ProposedIndicator] = []
    position = 0
    for clause in _CLAUSE_SPLIT.split(norm):
        clause_start = norm.find(clause, position)
        position = clause_start + len(clause)
        cursor = 0
        for match in _NUMBER_RE.finditer(clause):
            start = match.start()
            before = clause[:start]
            if before.endswith(("第", "前", "近", "每")) or (
                before and (before[-1].isascii() and before[-1].isalpha())
            ):
                cursor = match.end()
                continue
            following = clause[match.end() : match.end() + 1]
            if following in {"月", "年", "日", "号", "周"} or (
                match.group("num").startswith("0") and "." not in match.group("num")
            ):
                cursor = match.end()
                continue
            name = clause[cursor:start].strip()
            name = _LEADING_WORDS.sub("", name)
            name = _TRAILING_WORDS.sub("", name.strip(" 、")).strip(" 、：:（()）“”\"'")
            if not name:
                name = fallback_name
            try:
                target = Decimal(match.group("num").replace(",", ""))
            except InvalidOperation:
                cursor = match.end()
                continue
            unit = (match.group("scale") or "") + match.group("unit")
            lower = (match.group("cmp") or "") in _LOWER_SET or (match.group("tail") or "") in {
                "以下",
                "及以下",
                "以内",
                "之内",
            }
            original = text[clause_start + cursor : clause_start + match.end()].strip()
            indicators.append(
                ProposedIndicator(
                    name=name[:200],
                    target=target,
                    unit=unit[:32],
                    direction=LOWER if lower else HIGHER,
                    text=original,
                )
            )
            cursor = match.end()
    return indicators


# --- units and assignments --------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    """A unit named in the document and what the resolver made of it."""

    text: str  # as written
    ids: tuple[Any, ...] = ()  # candidates the resolver gave; exactly one means resolved
    every: bool = False  # 各部门/各单位: every department, for the caller to expand

    @property
    def resolved(self) -> bool:
        return self.every or len(self.ids) == 1

    @property
    def id(self) -> Any | None:
        return self.ids[0] if len(self.ids) == 1 and not self.every else None

    @property
    def ambiguous(self) -> bool:
        return len(self.ids) > 1


def _clean_unit_text(text: str) -> str:
    text = text.strip(" \t\u3000：:“”\"'《》")
    return re.sub(r"(?:等部门|等单位|等处室|等)$", "", text).strip()


def resolve_unit(text: str, resolve: Resolver | None) -> UnitRef:
    """Look a unit name up: as written, then in Simplified script; 各部门 → every department."""
    text = _clean_unit_text(text)
    folded = re.sub(r"[\s、,，和及与]", "", to_simplified(fold_width(text)))
    if folded in EVERY_UNIT_TEXTS:
        return UnitRef(text, every=True)
    if resolve is None or not text:
        return UnitRef(text)
    ids: list[Any] = []
    without_note = re.sub(r"[(（][^()（）]*[)）]$", "", text).strip()  # 办公室（督查室）
    for candidate in dict.fromkeys([text, to_simplified(text), without_note]):
        if candidate and not ids:
            ids = list(resolve(candidate))
    unique = tuple(dict.fromkeys(ids))
    return UnitRef(text, unique)


def _split_units(value: str, resolve: Resolver | None) -> list[UnitRef]:
    refs: list[UnitRef] = []
    for part in re.split(r"[、,，/／;；\s]+", value):
        if not _clean_unit_text(part):
            continue
        ref = resolve_unit(part, resolve)
        if not ref.resolved and re.search(r"[和及与]", ref.text):
            # "办公室和研究室": two units, if both parts are known
            pieces = [resolve_unit(p, resolve) for p in re.split(r"[和及与]", ref.text) if p]
            if pieces and all(p.resolved for p in pieces):
                refs.extend(pieces)
                continue
        refs.append(ref)
    merged: list[UnitRef] = []
    for ref in refs:  # 各部门、各单位 is one "every department"
        if ref.every and any(r.every for r in merged):
            continue
        merged.append(ref)
    return merged


_KEYS: list[tuple[str, str]] = [
    (key, fieldname)
    for fieldname, keys in (
        ("leader", "牵头领导 责任领导 分管领导 联系领导 领导"),
        ("person", "具体责任人 责任人 联系人 经办人"),
        (
            "lead",
            "牵头部门 牵头单位 牵头处室 牵头科室 牵头 责任部门 责任单位 责任处室 责任科室 主责部门 "
            "主责单位 负责部门 负责单位 承办部门 承办单位 主办部门 主办单位",
        ),
        (
            "cooperating",
            "配合部门 配合单位 配合处室 配合科室 配合 协办部门 协办单位 协办 参与部门 参与单位 "
            "协同部门 协同单位 协助部门 协助单位",
        ),
        (
            "deadline",
            "完成时限 完成时间 完成期限 截止时间 截止日期 时间节点 时间要求 进度要求 "
            "时限 期限 时间",
        ),
    )
    for key in keys.split()
]
_KEY_RE = re.compile(
    r"^\s*(?P<key>"
    + "|".join(re.escape(k) for k, _f in sorted(_KEYS, key=lambda k: -len(k[0])))
    + r")\s*[:：]\s*(?P<value>.*)$"
)
_KEY_FIELD = dict(_KEYS)
_SHORT_LEAD = re.compile(r"^(?P<unit>.{2,30}?)(?:牵头负责|牵头)$")
_SHORT_COOP = re.compile(r"^(?P<unit>.{2,60}?)(?:配合|协助|协办|参与)$")


@dataclass
class Assignment:
    """What a bracket such as （牵头部门：X；配合部门：A、B；完成时限：…） says, as written."""

    text: str = ""  # the bracket's content as written
    lead: str = ""
    cooperating: str = ""
    deadline: str = ""
    leader: str = ""
    person: str = ""

    def __bool__(self) -> bool:
        return bool(self.lead or self.cooperating or self.deadline or self.leader or self.person)


def parse_assignment(content: str) -> Assignment:
    """Read the content of an assignment bracket; an empty Assignment when it is not one."""
    norm = _simplified_same_length(content)
    found: dict[str, list[str]] = {}
    current: str | None = None
    short: list[tuple[int, int, str]] = []
    for piece in re.finditer(r"[^;；,，。\s]+", norm):
        segment = piece.group(0)
        original = content[piece.start() : piece.end()]
        keyed = _KEY_RE.match(segment)
        if keyed:
            current = _KEY_FIELD[keyed.group("key")]
            value = original[keyed.start("value") : keyed.end("value")]
            if value.strip():
                found.setdefault(current, []).append(value.strip())
            else:
                found.setdefault(current, [])
            continue
        if current is not None:
            found[current].append(original.strip())
            continue
        short.append((piece.start(), piece.end(), segment))
    if not found and short:  # （办公室牵头，研究室配合，6月底前完成）
        for start, end, segment in short:
            original = content[start:end]
            lead = _SHORT_LEAD.match(segment)
            coop = _SHORT_COOP.match(segment)
            if lead:
                found.setdefault("lead", []).append(original[: lead.end("unit")])
            elif coop:
                found.setdefault("cooperating", []).append(original[: coop.end("unit")])
            elif _scan_dates(segment, 2000) or _ONGOING.search(segment):
                found.setdefault("deadline", []).append(original)
        if "lead" not in found:
            return Assignment()
    if not found:
        return Assignment()
    return Assignment(
        text=content.strip(),
        lead="、".join(found.get("lead", [])),
        cooperating="、".join(found.get("cooperating", [])),
        deadline="，".join(found.get("deadline", [])),
        leader="、".join(found.get("leader", [])),
        person="、".join(found.get("person", [])),
    )


_OPEN = "(（[【〔"
_CLOSE = ")）]】〕"


def split_assignment(line: str) -> tuple[str, Assignment]:
    """A line without its trailing assignment bracket, and the assignment (empty if none).

    A line that is nothing but an assignment without brackets (牵头部门：X；完成时限：…) counts too.
    """
    stripped = line.rstrip(" \t\u3000。.;；,，")
    if stripped and stripped[-1] in _CLOSE:
        depth = 0
        for index in range(len(stripped) - 1, -1, -1):
            char = stripped[index]
            if char in _CLOSE:
                depth += 1
            elif char in _OPEN:
                depth -= 1
                if depth == 0:
                    assignment = parse_assignment(stripped[index + 1 : -1])
                    if assignment:
                        return stripped[:index].rstrip(), assignment
                    break
    norm = _simplified_same_length(stripped)
    if _KEY_RE.match(re.split(r"[;；,，]", norm, maxsplit=1)[0]):
        assignment = parse_assignment(stripped)
        if assignment:
            return "", assignment
    return line, Assignment()


# --- outline ----------------------------------------------------------------------------------

_CN = r"[一二三四五六七八九十百〇零两]+"
_LEVEL_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^(?P<num>{_CN})\s*[、.,](?!\d)")),
    (2, re.compile(rf"^\(\s*(?P<num>{_CN})\s*\)\s*[、.]?")),
    (3, re.compile(r"^(?P<num>\d{1,3})\s*(?:[、,]|\.(?!\d))")),
    (
        4,
        re.compile(
            r"^(?:\(\s*(?P<num>\d{1,3})\s*\)|(?P<num2>\d{1,3})\)|(?P<circ>[①-⑳⑴-⒇]))\s*[、.]?"
        ),
    ),
]


def classify(line: str) -> tuple[int, int, str, str]:
    """(level, number, label as written, rest of the line); level 0 for a line without one."""
    stripped = line.strip()
    folded = fold_width(stripped)
    for level, pattern in _LEVEL_PATTERNS:
        match = pattern.match(folded)
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("circ"):
            circ = groups["circ"]
            number = ord(circ) - (0x2460 if circ <= "⑳" else 0x2474) + 1
        else:
            number = chinese_number(groups.get("num") or groups.get("num2") or "") or 0
        rest = stripped[match.end() :].strip()
        if not rest:
            continue  # a bare number is not a heading
        return level, number, stripped[: match.end()].strip(), rest
    return 0, 0, "", stripped


@dataclass
class ParsedMilestone:
    """A step of a task's roadmap: 3月底前完成方案 → (完成方案, 2024-03-31)."""

    title: str
    due: dt.date | None
    text: str  # as written
    problem: str = ""


@dataclass
class ParsedTask:
    code: str  # YEAR-K-S-T, see the module docstring
    number: int  # as written in front of the task (1. → 1)
    label: str  # the numbering as written: "1.", "2、", "（三）"
    title: str  # the task line without its number and assignment bracket
    text: str  # every line of the task as written, its number and bracket included
    position: tuple[int, int, int] = (0, 0, 0)  # (key point, section or 0, task), 1-based
    line: int = 0  # 1-based line of the document (a row number for a breakdown table)
    measures: list[str] = field(default_factory=list)  # continuation lines and sub-items
    lead: UnitRef | None = None
    cooperating: list[UnitRef] = field(default_factory=list)
    deadline: Deadline = field(default_factory=Deadline)
    leader: str = ""  # 分管领导 as written, if the assignment names one
    responsible: str = ""  # 责任人 as written, if the assignment names one
    assignment: str = ""  # the assignment bracket's content as written
    indicators: list[ProposedIndicator] = field(default_factory=list)
    milestones: list[ParsedMilestone] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # to fix before committing
    notes: list[str] = field(default_factory=list)  # worth a look, nothing to fix

    @property
    def lead_id(self) -> Any | None:
        return self.lead.id if self.lead else None

    @property
    def cooperating_ids(self) -> list[Any]:
        return [ref.id for ref in self.cooperating if ref.id is not None]

    @property
    def cooperating_every(self) -> bool:
        return any(ref.every for ref in self.cooperating)

    @property
    def unresolved_units(self) -> list[str]:
        refs = ([self.lead] if self.lead else []) + self.cooperating
        return [ref.text for ref in refs if not ref.resolved]


@dataclass
class ParsedSection:
    number: int
    label: str  # "（一）"
    title: str
    text: str = ""  # continuation lines below the heading
    tasks: list[ParsedTask] = field(default_factory=list)


@dataclass
class ParsedKeyPoint:
    number: int
    label: str  # "一、"
    title: str
    text: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    tasks: list[ParsedTask] = field(default_factory=list)  # tasks directly under the key point


@dataclass(frozen=True)
class Unresolved:
    """Something the office must fix in the preview: a unit or a date that was not understood."""

    code: str  # the task's code
    field: str  # "lead", "cooperating" or "deadline"
    text: str  # as written ("" when missing)
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "text": self.text, "message": self.message}


@dataclass
class ParsedPlan:
    title: str
    year: int | None
    key_points: list[ParsedKeyPoint] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)  # title and introduction lines
    closing: list[str] = field(default_factory=list)  # lines after the last task
    problems: list[str] = field(default_factory=list)  # about the plan as a whole
    notes: list[str] = field(default_factory=list)

    def tasks(self) -> Iterator[ParsedTask]:
        """Every task in outline order."""
        for key_point in self.key_points:
            yield from key_point.tasks
            for section in key_point.sections:
                yield from section.tasks

    @property
    def task_count(self) -> int:
        return sum(1 for _task in self.tasks())

    def unresolved(self) -> list[Unresolved]:
        return [item for task in self.tasks() for item in task_unresolved(task)]

    def summary(self) -> dict[str, Any]:
        """What the CLI prints: {"key_points", "tasks", "unresolved": [...]}."""
        return {
            "key_points": len(self.key_points),
            "tasks": self.task_count,
            "unresolved": [item.as_dict() for item in self.unresolved()],
        }


def task_unresolved(task: ParsedTask) -> list[Unresolved]:
    items: list[Unresolved] = []
    if task.lead is None:
        items.append(Unresolved(task.code, "lead", "", _("No lead unit is named.")))
    elif task.lead.every:
        items.append(
            Unresolved(
                task.code,
                "lead",
                task.lead.text,
                _("The lead unit must be exactly one unit, not every department."),
            )
        )
    elif not task.lead.resolved:
        items.append(Unresolved(task.code, "lead", task.lead.text, _unit_message(task.lead)))
    for ref in task.cooperating:
        if not ref.resolved:
            items.append(Unresolved(task.code, "cooperating", ref.text, _unit_message(ref)))
    if task.deadline.problem:
        items.append(Unresolved(task.code, "deadline", task.deadline.text, task.deadline.problem))
    return items


def _unit_message(ref: UnitRef) -> str:
    if ref.ambiguous:
        return _("“%(name)s” matches several units; choose one.") % {"name": ref.text}
    return _("No unit called “%(name)s” was found.") % {"name": ref.text}


@dataclass
class _Node:
    level: int
    number: int
    label: str
    lines: list[str]  # the heading's rest, then continuation lines, as written
    line: int
    assignment: Assignment = field(default_factory=Assignment)
    children: list[_Node] = field(default_factory=list)
    pending: list[tuple[int, str]] = field(default_factory=list)

    def take_assignment(self) -> None:
        """Find the assignment in the node's lines (the last one written wins) and remove it."""
        for index in range(len(self.lines) - 1, -1, -1):
            rest, assignment = split_assignment(self.lines[index])
            if assignment:
                self.assignment = assignment
                if rest.strip() or index == 0:
                    self.lines[index] = rest
                else:
                    del self.lines[index]
                return


_TITLE_WORDS = re.compile(r"工作要点|工作计划|工作安排|重点工作|任务清单|要点|计划|安排")
_YEAR_RE = re.compile(r"((?:19|20)\d{2}|[二][〇零][〇零一二三四五六七八九]{2})\s*年")
_DATE_LINE = re.compile(
    r"^(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日$"
)


def _find_title(preamble: list[str]) -> tuple[str, int | None]:
    title_lines: list[str] = []
    for text in preamble:
        if len(text) > 60 or "。" in text or text.startswith(("(", "（")):
            break
        title_lines.append(text)
        if _TITLE_WORDS.search(to_simplified(text)):
            break
    title = "".join(title_lines) if title_lines else (preamble[0][:200] if preamble else "")
    match = _YEAR_RE.search(title)
    if not match:
        for text in preamble[:3]:
            if _TITLE_WORDS.search(to_simplified(text)) and (match := _YEAR_RE.search(text)):
                break
    year = chinese_number(match.group(1)) if match else None
    return title.strip(), year


def _title_and_measures(lines: list[str]) -> tuple[str, list[str]]:
    """The heading line (up to its first full stop, when more follows) and the rest."""
    if not lines:
        return "", []
    first = lines[0].strip()
    measures = [line.strip() for line in lines[1:] if line.strip()]
    stop = first.find("。")
    if 0 < stop < len(first) - 1:
        rest = first[stop + 1 :].strip()
        first = first[:stop]
        if rest:
            measures.insert(0, rest)
    return first.rstrip("。；;，, "), measures


class _Builder:
    def __init__(self, resolve: Resolver | None, year: int | None) -> None:
        self.resolve = resolve
        self.year = year
        self.preamble: list[str] = []
        self.roots: list[_Node] = []
        self.closing: list[str] = []
        self.raw: dict[int, list[str]] = {}  # id(node) -> lines as written
        self.stack: list[_Node] = []
        self.seen_level3 = False

    def feed(self, number: int, line: str) -> None:
        level, value, label, rest = classify(line)
        text = line.strip()
        if not text:
            return
        if level == 0 or (level == 4 and not self.stack):
            self._continue(number, text)
            return
        if level == 4:
            task = self._current_task()
            target = task or self.stack[-1]
            self._flush(target)
            target.lines.append(text)
            self.raw[id(target)].append(text)
            if not target.assignment:
                target.take_assignment()
            return
        if level == 3:
            self.seen_level3 = True
        self._flush_all()
        node = _Node(level, value, label, [rest], number)
        self.raw[id(node)] = [text]
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        if not self.stack and level > 1:
            implicit = _Node(1, 0, "", [""], number)
            self.raw[id(implicit)] = []
            self.roots.append(implicit)
            self.stack.append(implicit)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.roots.append(node)
        self.stack.append(node)
        node.take_assignment()

    def _current_task(self) -> _Node | None:
        for node in reversed(self.stack):
            if node.level == 3:
                return node
        return None

    def _continue(self, number: int, text: str) -> None:
        if not self.stack:
            self.preamble.append(text)
            return
        node = self.stack[-1]
        if node.level == 3 and node.assignment:
            node.pending.append((number, text))  # closing lines, or text after the bracket
            return
        node.lines.append(text)
        self.raw[id(node)].append(text)
        if not node.assignment:
            node.take_assignment()

    def _flush(self, node: _Node) -> None:
        for _number, text in node.pending:
            node.lines.append(text)
            self.raw[id(node)].append(text)
        node.pending.clear()

    def _flush_all(self) -> None:
        for node in self.stack:
            self._flush(node)

    def finish(self) -> None:
        last = self.stack[-1] if self.stack else None
        if last is not None and last.pending:
            self.closing = [text for _n, text in last.pending]
            last.pending.clear()
        elif last is not None:
            # an issuer and a date at the end belong to the closing, not to the last node
            while len(last.lines) > 1 and (
                _DATE_LINE.match(last.lines[-1].strip())
                or (
                    self.closing
                    and len(last.lines[-1]) <= 30
                    and not re.search(r"[。，,；;：:]", last.lines[-1])
                )
            ):
                self.closing.insert(0, last.lines.pop())
                self.raw[id(last)].pop()
        self._flush_all()


def parse_outline(
    lines: Iterable[str], *, resolve: Resolver | None = None, year: int | None = None
) -> ParsedPlan:
    """Read a work plan's lines (as a Word document shows them) into its outline and tasks.

    `year` is the plan's year when the caller knows it (it wins over the title's, with a
    problem noted when they differ); otherwise the year comes from the title. Raises
    OutlineError when no numbered outline is found.
    """
    builder = _Builder(resolve, year)
    for number, line in enumerate(lines, start=1):
        for part in line.split("\n"):
            builder.feed(number, part)
    builder.finish()

    title, title_year = _find_title(builder.preamble)
    plan = ParsedPlan(title=title, year=year or title_year, preamble=builder.preamble)
    plan.closing = builder.closing
    if year and title_year and year != title_year:
        plan.problems.append(
            _("The document is the plan for %(found)s, not for %(year)s.")
            % {"found": title_year, "year": year}
        )
    if plan.year is None:
        plan.problems.append(
            _("The year of the plan was not found in its title; give the year when importing.")
        )
    if not builder.roots or not any(root.children or root.assignment for root in builder.roots):
        raise OutlineError(
            _(
                "No numbered outline (一、 （一） 1.) was found in the document. "
                "Check that it is a work plan with numbered key points and tasks."
            )
        )
    code_year = plan.year or 0
    promote_sections = not builder.seen_level3
    counted = 0
    for root in builder.roots:
        implicit = root.label == ""
        if not implicit:
            counted += 1
        k_index = 0 if implicit else counted
        key_point = ParsedKeyPoint(
            number=root.number,
            label=root.label,
            title=_heading(root.lines)[0],
            text="\n".join(_heading(root.lines)[1]),
        )
        if implicit:
            plan.notes.append(_("Tasks before the first key point were put under key point 0."))
        elif root.number != k_index:
            plan.notes.append(
                _("Key point %(label)s is numbered out of order.") % {"label": root.label}
            )
        section_index = 0
        direct_index = 0
        for child in root.children:
            if child.level == 2 and (child.children or not (child.assignment or promote_sections)):
                section_index += 1
                section = ParsedSection(
                    number=child.number,
                    label=child.label,
                    title=_heading(child.lines)[0],
                    text="\n".join(_heading(child.lines)[1]),
                )
                for t_index, grandchild in enumerate(child.children, start=1):
                    section.tasks.append(
                        _task(
                            grandchild,
                            builder,
                            code=f"{code_year}-{k_index}-{section_index}-{t_index}",
                            position=(k_index, section_index, t_index),
                            inherited=[child.assignment, root.assignment],
                            year=plan.year,
                        )
                    )
                key_point.sections.append(section)
            else:
                direct_index = child.number if child.level == 2 else direct_index + 1
                key_point.tasks.append(
                    _task(
                        child,
                        builder,
                        code=f"{code_year}-{k_index}-0-{direct_index}",
                        position=(k_index, 0, direct_index),
                        inherited=[root.assignment],
                        year=plan.year,
                    )
                )
        plan.key_points.append(key_point)
    codes = [task.code for task in plan.tasks()]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        plan.problems.append(
            _("Several tasks have the same position in the outline: %(codes)s.")
            % {"codes": ", ".join(duplicates)}
        )
    if plan.task_count == 0:
        raise OutlineError(
            _("The document has key points but no numbered tasks (1. 2. …) under them.")
        )
    return plan


def _heading(lines: list[str]) -> tuple[str, list[str]]:
    """A heading's title (its first sentence) and the text below it."""
    return _title_and_measures(lines)


def _task(
    node: _Node,
    builder: _Builder,
    *,
    code: str,
    position: tuple[int, int, int],
    inherited: list[Assignment],
    year: int | None,
) -> ParsedTask:
    # sub-items of a promoted section or deeper levels are measures of the task
    lines = list(node.lines)
    raw = list(builder.raw.get(id(node), []))
    for child in node.children:
        lines.extend(child.lines)
        raw.extend(builder.raw.get(id(child), []))
    title, measures = _title_and_measures(lines)
    task = ParsedTask(
        code=code,
        number=node.number,
        label=node.label,
        title=title,
        text="\n".join(raw),
        position=position,
        line=node.line,
        measures=measures,
    )
    apply_assignment(task, node.assignment, inherited=inherited, resolve=builder.resolve, year=year)
    task.indicators = propose_indicators("\n".join([title, *measures]), fallback_name=title)
    return task


def apply_assignment(
    task: ParsedTask,
    assignment: Assignment,
    *,
    inherited: Sequence[Assignment] = (),
    resolve: Resolver | None,
    year: int | None,
) -> None:
    """Fill a task's lead, cooperating units, deadline, leader and person from an assignment.

    What the task's own assignment leaves out is taken from `inherited` (its section's, then its
    key point's), with a note.
    """
    values = {
        "lead": assignment.lead,
        "cooperating": assignment.cooperating,
        "deadline": assignment.deadline,
        "leader": assignment.leader,
        "person": assignment.person,
    }
    for fieldname in values:
        if values[fieldname]:
            continue
        for outer in inherited:
            if getattr(outer, fieldname):
                values[fieldname] = getattr(outer, fieldname)
                task.notes.append(
                    _("“%(value)s” is taken from the heading above the task.")
                    % {"value": values[fieldname]}
                )
                break
    task.assignment = assignment.text
    task.leader = values["leader"]
    task.responsible = values["person"]
    if values["lead"]:
        leads = _split_units(values["lead"], resolve)
        if leads:
            task.lead = leads[0]
            if len(leads) > 1:
                task.cooperating.extend(leads[1:])
                task.notes.append(
                    _("Several lead units are named; %(first)s leads and the others cooperate.")
                    % {"first": leads[0].text}
                )
    task.cooperating.extend(
        ref
        for ref in _split_units(values["cooperating"], resolve)
        if not (task.lead and ref.ids and ref.ids == task.lead.ids)
    )
    task.deadline = parse_deadline(values["deadline"], year)
    if not task.deadline.given:
        task.notes.append(_("No time limit is given."))
    elif task.deadline.recurring:
        task.notes.append(_("The time limit is recurring, not a single deadline."))
    elif task.deadline.ongoing:
        task.notes.append(_("The task is ongoing, without a deadline."))
    task.problems = [item.message for item in task_unresolved(task)]


# --- Word documents ---------------------------------------------------------------------------

_TASK_HEADERS = ("重点任务", "任务", "工作任务", "任务名称", "主要任务", "具体任务", "重点工作",
                 "工作内容", "任务内容", "工作事项", "事项")  # fmt: skip
_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "序"),
    "task": _TASK_HEADERS,
    "measures": ("具体措施", "措施", "工作措施", "主要措施", "工作举措"),
    "lead": ("牵头部门", "牵头单位", "责任部门", "责任单位", "牵头处室", "主责部门"),
    "cooperating": ("配合部门", "配合单位", "协办部门", "协办单位", "参与部门"),
    "leader": ("分管领导", "责任领导", "牵头领导"),
    "person": ("责任人", "具体责任人"),
    "deadline": ("完成时限", "时限", "完成时间", "截止时间", "时间节点", "完成期限"),
}


def _table_header(row: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        normalized = normalize_header(cell)
        for name, headers in _TABLE_COLUMNS.items():
            if name not in found and normalized in {normalize_header(h) for h in headers}:
                found[name] = index
                break
    return found


def table_lines(rows: Sequence[Sequence[str]]) -> Iterator[str]:
    """A table in a plan as outline lines.

    A task table (with a task column and a lead-unit column) gives one task line per row, its
    assignment written as a bracket on the next line; a row with one text (a heading across the
    table) gives that text. Any other table gives its cells' lines, row by row.
    """
    header_at, header = -1, {}
    for index, row in enumerate(rows[:3]):
        found = _table_header(row)
        if "task" in found and ("lead" in found or "deadline" in found):
            header_at, header = index, found
            break
    if header_at < 0:
        for row in rows:
            for cell in row:
                yield from (line.strip() for line in cell.split("\n") if line.strip())
        return

    def column(row: Sequence[str], name: str) -> str:
        index = header.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    for row in rows[header_at + 1 :]:
        texts = list(dict.fromkeys(c.strip() for c in row if c.strip()))
        if not texts:
            continue
        if len(texts) == 1:
            yield from (line for line in texts[0].split("\n") if line.strip())
            continue
        number, task = column(row, "number"), column(row, "task")
        task_lines = [line for line in task.split("\n") if line.strip()] or [""]
        first = task_lines[0]
        if number and classify(first)[0] == 0:
            value = chinese_number(fold_width(number).strip(" .、"))
            first = f"{value}.{first}" if value is not None else f"{number}{first}"
        yield first
        yield from task_lines[1:]
        yield from (line for line in column(row, "measures").split("\n") if line.strip())
        parts = [
            (key, column(row, name))
            for key, name in (
                ("牵头部门", "lead"),
                ("配合部门", "cooperating"),
                ("分管领导", "leader"),
                ("责任人", "person"),
                ("完成时限", "deadline"),
            )
        ]
        bracket = "；".join(f"{key}：{value}" for key, value in parts if value)
        if bracket:
            yield f"（{bracket}）"


def docx_outline_lines(
    source: bytes | IO[bytes] | str | Path, *, max_bytes: int | None = None
) -> list[str]:
    """The lines of a .docx work plan, tables turned into outline lines (see table_lines)."""
    document = open_docx(source, max_bytes=max_bytes)
    lines: list[str] = []
    for block in document.blocks():
        if isinstance(block, TableBlock):
            lines.extend(table_lines(block.rows))
        else:
            lines.extend(line for line in block.text.split("\n") if line.strip())
    return lines


def parse_docx(
    source: bytes | IO[bytes] | str | Path,
    *,
    resolve: Resolver | None = None,
    year: int | None = None,
    max_bytes: int | None = None,
) -> ParsedPlan:
    """Open an uploaded .docx work plan and parse it (DocumentError or OutlineError if not)."""
    return parse_outline(
        docx_outline_lines(source, max_bytes=max_bytes), resolve=resolve, year=year
    )
