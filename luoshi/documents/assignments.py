"""Assignments in brackets (（牵头部门：X；配合部门：A、B；完成时限：…）, the short form
（X牵头，A、B配合）): lead and cooperating units resolved against the org tree by the caller."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from luoshi.core.text import to_simplified

from .cjk import _simplified_same_length, fold_width
from .dates import _ONGOING, _scan_dates

Resolver = Callable[[str], Sequence[Any]]


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
