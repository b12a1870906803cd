"""The rules of democratic evaluation (RULES.md §1 "Democratic evaluation practice", §2).

Pure functions and defaults; every [practice] value is a setting with the documented default:
- LUOSHI_EVALUATION_MIN_BALLOTS (8): ballots that rate a candidate before their result counts;
- LUOSHI_EVALUATION_POINTS: points per grade code, e.g. {"excellent": 95, "competent": 85, ...};
  a grade missing from it keeps its default, a grade mapped to None is not counted.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

UNKNOWN = "unknown"  # 不了解: offered on every ballot, never counted

# code → label, default points (None: not counted). RULES.md §1 (civil servants, 参公) and §2
# (public institutions).
CIVIL_SERVANT_SCALE: tuple[tuple[str, Any, int | None], ...] = (
    ("excellent", _("Excellent"), 95),
    ("competent", _("Competent"), 85),
    ("basically_competent", _("Basically competent"), 75),
    ("incompetent", _("Incompetent"), 65),
    (UNKNOWN, _("Don't know"), None),
)
PUBLIC_INSTITUTION_SCALE: tuple[tuple[str, Any, int | None], ...] = (
    ("excellent", _("Excellent"), 95),
    ("qualified", _("Qualified"), 85),
    ("basically_qualified", _("Basically qualified"), 75),
    ("unqualified", _("Unqualified"), 65),
    (UNKNOWN, _("Don't know"), None),
)
SCALES = {"civil_servant": CIVIL_SERVANT_SCALE, "public_institution": PUBLIC_INSTITUTION_SCALE}
_LABELS = {code: label for scale in SCALES.values() for code, label, _points in scale}

# Printed codes: no 0/O or 1/I/L to misread; 31 symbols, 8 of them (about 40 bits).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def builtin_grade_label(code: str) -> str:
    label = _LABELS.get(code)
    return str(label) if label is not None else code


def min_ballots_default() -> int:
    return int(settings.LUOSHI_EVALUATION_MIN_BALLOTS)


# Guessing printed codes: this many failed attempts from one client address within the window
# lock that address out of code voting until the oldest of them leaves the window
# (LUOSHI_BALLOT_CODE_MAX_FAILURES, 10; LUOSHI_BALLOT_CODE_FAILURE_MINUTES, 15).


def code_max_failures() -> int:
    limit = settings.LUOSHI_BALLOT_CODE_MAX_FAILURES
    return max(1, int(limit))


def code_failure_window() -> dt.timedelta:
    minutes = settings.LUOSHI_BALLOT_CODE_FAILURE_MINUTES
    return dt.timedelta(minutes=max(1, int(minutes)))


# A campaign closed this many minutes ago and still sealing has lost its task: `luoshi tick`
# enqueues it again (sealing 1,000 candidates x 300 ballots takes well under a minute).
SEALING_RETRY_MINUTES = 5


@dataclass(frozen=True)
class ScaleRow:
    code: str
    label: str
    points: int | None
    sort_order: int


def default_scale(family: str) -> list[ScaleRow]:
    """The grade rows a new campaign starts with (labels empty: shown translated by code)."""
    overrides: Mapping[str, int | None] = settings.LUOSHI_EVALUATION_POINTS or {}
    scale = SCALES.get(family, CIVIL_SERVANT_SCALE)
    return [
        ScaleRow(code, "", overrides.get(code, points), index)
        for index, (code, _label, points) in enumerate(scale, start=1)
    ]


def normalize_code(text: str) -> str:
    """What a person typed into the code field, as it was printed (spaces, dashes, case)."""
    return "".join(ch for ch in (text or "").upper() if ch.isascii() and ch.isalnum())


def format_code(code: str) -> str:
    """Printed in two groups of four for reading aloud and typing: ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


@dataclass(frozen=True)
class CandidateResult:
    """One candidate's tally. Stable: the annual appraisal reads it.

    counts: ballots per grade code (every grade of the scale present, "unknown" included);
    ballots: ballots that rated the candidate with a counted grade (不了解 is not counted);
    score: the average points over those ballots, two decimals — None below the minimum;
    valid: ballots ≥ the campaign's minimum.
    """

    person_id: int
    counts: dict[str, int] = field(default_factory=dict)
    ballots: int = 0
    score: decimal.Decimal | None = None
    valid: bool = False


def tally(
    person_id: int,
    counts: Mapping[str, int],
    points: Mapping[str, int | None],
    minimum: int,
) -> CandidateResult:
    """The result of one candidate from their counts per grade and the scale's points."""
    rated = sum(n for code, n in counts.items() if points.get(code) is not None)
    total = sum(n * (points.get(code) or 0) for code, n in counts.items())
    valid = rated >= max(minimum, 1)
    score = (
        (decimal.Decimal(total) / decimal.Decimal(rated)).quantize(
            decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP
        )
        if valid
        else None
    )
    full = {code: int(counts.get(code, 0)) for code in points}
    return CandidateResult(
        person_id=person_id, counts=full, ballots=rated, score=score, valid=valid
    )


def weighted_tally(
    person_id: int,
    counts_by_category: Mapping[int | None, Mapping[str, int]],
    weights: Mapping[int, int],
    points: Mapping[str, int | None],
    minimum: int,
) -> CandidateResult:
    """The result of one candidate of an anonymous-slips campaign with rater categories.

    counts, ballots and validity are over all ballots, as in `tally`; the score is the mean of
    each category's average points weighted by the categories' weights, over the categories
    that rated the candidate at all (the weights of the others are shared out in proportion).
    Without weights (identified ballots) it is `tally`.
    """
    merged: dict[str, int] = {}
    for counts in counts_by_category.values():
        for code, n in counts.items():
            merged[code] = merged.get(code, 0) + int(n)
    plain = tally(person_id, merged, points, minimum)
    if not weights or not plain.valid:
        return plain
    weighted = decimal.Decimal(0)
    total_weight = 0
    for category, counts in counts_by_category.items():
        weight = weights.get(category) if category is not None else None
        rated = sum(n for code, n in counts.items() if points.get(code) is not None)
        if not weight or not rated:
            continue
        mean = decimal.Decimal(
            sum(n * (points.get(code) or 0) for code, n in counts.items())
        ) / decimal.Decimal(rated)
        weighted += mean * weight
        total_weight += weight
    if not total_weight:
        return plain
    score = (weighted / decimal.Decimal(total_weight)).quantize(
        decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP
    )
    return CandidateResult(
        person_id=person_id, counts=plain.counts, ballots=plain.ballots, score=score, valid=True
    )


# A rater category's weight is a share in per cent; a campaign's categories add up to this.
CATEGORY_WEIGHT_TOTAL = 100
MAX_SLIPS_PER_CATEGORY = 2000
