"""The rules of the annual summary (年度工作总结), as pure functions (no database).

Marks: [practice] seen in public practice; [open] not verified. Every value is a field of
`Policy` with that default, overridden by the Django setting LUOSHI_SUMMARIES = {"field": value}
(an unknown key is an error); a round copies the limits when it is created, and the office may
set other limits for that round.

Counting characters (字数) [practice]: every character except white space (spaces, tabs, line
breaks, the full-width space) counts, punctuation included, as word processors count 字数 for
Chinese text. The live counter of the edit page (static/summaries/summary-edit.js) counts the
same way.

Last year's figure of an indicator [practice]: an indicator of this year's task is matched to
an indicator of last year's plan of the same agency when their names are equal after
normalisation (`indicator_key`: white space removed, full-width forms folded, case folded) and
both belong to tasks of the same lead unit; where several of last year's indicators match, the
one whose task sits under a key point of the same normalised title is taken, then the first in
plan order. Units of measure must be equal (an indicator in 万元 is not compared with one in
元). No match, or a match without an actual value: no comparison is written.

"明年工作打算" becomes next year's draft plan line by line (`plan_items`): each non-empty
line (a paragraph) is an item; a line "要点：任务" (split at the first colon, full-width or
not) names its key point and its task; a line without one is a task under the key point
`Policy.default_key_point`. Leading numbering (一、 （一） 1. （1） ① and the like) is dropped.
Key points of the same normalised title are one key point, in the order they first appear
(units in unit order).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings

SECTIONS = ("achievements", "problems", "next_year")
# The headings of the sections as the documents print them, whatever the interface language.
SECTION_HEADINGS = {
    "achievements": "主要工作和成效",
    "problems": "存在问题",
    "next_year": "明年工作打算",
}


@dataclass(frozen=True)
class Policy:
    # The whole summary at most this many characters [practice]
    total_max: int = 3500
    # 主要工作和成效 at least this many characters [practice]
    highlights_min: int = 600
    # Days from the round's creation to its due date, when none is given [practice]
    due_days: int = 20
    # The key point of a next-year item written without one [open]
    default_key_point: str = "其他重点工作"
    # The office's role that runs the rounds: the general office (督查督办) [practice]
    office_role: str = "supervisor"


def policy_from(overrides: Mapping[str, Any] | None) -> Policy:
    """A Policy with `overrides` applied (unknown keys are an error: a typo must not pass)."""
    if not overrides:
        return Policy()
    names = {f.name for f in dataclasses.fields(Policy)}
    values: dict[str, Any] = {}
    defaults = Policy()
    for key, value in overrides.items():
        if key not in names:
            raise ValueError(f"LUOSHI_SUMMARIES: unknown rule {key!r}")
        values[key] = int(value) if isinstance(getattr(defaults, key), int) else str(value)
    return dataclasses.replace(defaults, **values)


def policy() -> Policy:
    return policy_from(settings.LUOSHI_SUMMARIES)


# --- counting and limits -----------------------------------------------------------------------

_SPACE = re.compile(r"\s", re.UNICODE)


def char_count(text: str) -> int:
    """Characters of `text` that count (everything but white space, see the module's doc)."""
    return len(_SPACE.sub("", text or ""))


@dataclass(frozen=True)
class LimitProblem:
    code: str  # "too_long" | "too_short"
    section: str  # "" for the whole summary
    count: int
    limit: int


def limit_problems(
    sections: Mapping[str, str], *, total_max: int, highlights_min: int
) -> list[LimitProblem]:
    """What keeps `sections` (already expanded: citations as their text) from being submitted."""
    problems = []
    total = sum(char_count(sections.get(s, "")) for s in SECTIONS)
    if total_max and total > total_max:
        problems.append(LimitProblem("too_long", "", total, total_max))
    highlights = char_count(sections.get("achievements", ""))
    if highlights < highlights_min:
        problems.append(LimitProblem("too_short", "achievements", highlights, highlights_min))
    for name in ("problems", "next_year"):
        if not char_count(sections.get(name, "")):
            problems.append(LimitProblem("too_short", name, 0, 1))
    return problems


# --- citations in the prose ------------------------------------------------------------------

# A citation stands in the prose as [[n]] (n: its number in the summary) and is printed as its
# text; refreshing a citation changes its text, never the prose around it.
TOKEN = re.compile(r"\[\[(\d{1,4})\]\]")


def token(number: int) -> str:
    return f"[[{number}]]"


def expand(text: str, texts: Mapping[int, str]) -> str:
    """The prose with each [[n]] replaced by citation n's text (an unknown number is kept)."""
    return TOKEN.sub(lambda m: texts.get(int(m.group(1)), m.group(0)), text or "")


def tokens_in(text: str) -> list[int]:
    return [int(m.group(1)) for m in TOKEN.finditer(text or "")]


# --- figures as the summary writes them ------------------------------------------------------


def number_text(value: Decimal | int | None) -> str:
    """12 → "12", Decimal("12.50") → "12.5", None → "—"."""
    if value is None:
        return "—"
    d = Decimal(value)
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


def completion_rate(
    target: Decimal | None, actual: Decimal | None, direction: str = "higher"
) -> Decimal | None:
    """actual / target in percent, one decimal (lower-is-better: target / actual); None when
    either is missing or the divisor is zero."""
    if target is None or actual is None:
        return None
    num, den = (actual, target) if direction != "lower" else (target, actual)
    if den == 0:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def change_text(previous: Decimal | None, actual: Decimal | None, unit: str) -> str:
    """How this year's actual compares with last year's: "比上年增加3万元（增长12.5%）"."""
    if previous is None or actual is None:
        return ""
    delta = Decimal(actual) - Decimal(previous)
    if delta == 0:
        return "与上年持平"
    word = "增加" if delta > 0 else "减少"
    text = f"比上年{word}{number_text(abs(delta))}{unit}"
    if previous:
        pct = (abs(delta) * 100 / abs(Decimal(previous))).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        text += f"（{'增长' if delta > 0 else '下降'}{number_text(pct)}%）"
    return text


LIGHT_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "灰灯"}
STATUS_WORDS = {
    "draft": "未启动",
    "in_progress": "推进中",
    "completion_requested": "已申请办结",
    "completed": "已完成",
    "adjustment_requested": "调整中",
    "cancelled": "已取消",
}


# --- matching last year's indicator ----------------------------------------------------------


def normalise(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


def indicator_key(name: str) -> str:
    return normalise(name)


# --- next year's items -----------------------------------------------------------------------

_NUMBERING = re.compile(
    r"^\s*(?:[（(]?[一二三四五六七八九十百]+[)）、.．]|[（(]\d+[)）]|\d+[、.．)）]|[①-⑳])\s*"
)
_COLON = re.compile(r"[：:]")


@dataclass(frozen=True)
class PlanItem:
    key_point: str
    task: str


def strip_numbering(line: str) -> str:
    previous = None
    text = line.strip()
    while previous != text:
        previous, text = text, _NUMBERING.sub("", text).strip()
    return text


def plan_items(text: str, default_key_point: str) -> list[PlanItem]:
    """The items of a "明年工作打算" text, one a non-empty line (see the module's doc)."""
    items = []
    for raw in (text or "").splitlines():
        line = strip_numbering(raw)
        if not line:
            continue
        parts = _COLON.split(line, maxsplit=1)
        if len(parts) == 2 and parts[0].strip() and parts[1].strip():
            point, task = strip_numbering(parts[0]), parts[1].strip()
        else:
            point, task = default_key_point, line
        items.append(PlanItem(point[:500], task.rstrip("。；;")[:500] or task[:500]))
    return items


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (up to 99)."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (
        (CHINESE_DIGITS[tens] if tens > 1 else "") + "十" + (CHINESE_DIGITS[ones] if ones else "")
    )
