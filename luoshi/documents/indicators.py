"""Quantified indicators proposed from a task's text (不少于20场, 控制在5%以内): name, target,
unit and direction (higher or lower is better)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .cjk import fold_width

HIGHER = "higher"


LOWER = "lower"


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
