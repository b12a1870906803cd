"""Deadlines as offices write them (2024年12月底前, 6月中旬, 今年年底, 长期坚持, 每季度): one
date or an ongoing/recurring marker, with the phrase it was read from."""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .cjk import _simplified_same_length, chinese_number

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
