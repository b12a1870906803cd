"""The rules of staff and unit appraisal, as pure functions (no database).

RULES.md §1 (civil servants and 参公), §2 (public-institution staff). Every value marked
[practice] or [open] there is a field of `Policy` with that default; a deployment overrides any of
them with the Django setting LUOSHI_APPRAISAL = {"field": value, ...}. [law] values (the statutory
deadlines of review and appeal) live here too, in one place.

Grades are stored as family-neutral codes (excellent / competent / basic / incompetent); the
person's rule family gives the words: 优秀 / 称职 / 基本称职 / 不称职 for civil servants and 参公,
优秀 / 合格 / 基本合格 / 不合格 for public-institution staff.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core import publicity

# --- families and grades ----------------------------------------------------------------------

CIVIL_SERVANT = "civil_servant"
PUBLIC_INSTITUTION = "public_institution"
FAMILIES = (CIVIL_SERVANT, PUBLIC_INSTITUTION)

EXCELLENT, COMPETENT, BASIC, INCOMPETENT = "excellent", "competent", "basic", "incompetent"
GRADES = (EXCELLENT, COMPETENT, BASIC, INCOMPETENT)

GRADE_LABELS: dict[str, dict[str, Any]] = {
    CIVIL_SERVANT: {
        EXCELLENT: _("Excellent"),
        COMPETENT: _("Competent"),
        BASIC: _("Basically competent"),
        INCOMPETENT: _("Incompetent"),
    },
    PUBLIC_INSTITUTION: {
        EXCELLENT: _("Excellent"),
        COMPETENT: _("Qualified"),
        BASIC: _("Basically qualified"),
        INCOMPETENT: _("Unqualified"),
    },
}
# Chinese words for the official forms (always Chinese, whatever the interface language).
GRADE_WORDS: dict[str, dict[str, str]] = {
    CIVIL_SERVANT: {EXCELLENT: "优秀", COMPETENT: "称职", BASIC: "基本称职", INCOMPETENT: "不称职"},
    PUBLIC_INSTITUTION: {
        EXCELLENT: "优秀",
        COMPETENT: "合格",
        BASIC: "基本合格",
        INCOMPETENT: "不合格",
    },
}


def family_for(appraisal_family: str) -> str:
    """The rule family for a staff category's `appraisal_family` (anything else: civil servant
    rules, the stricter default; the cycle still shows the category)."""
    return PUBLIC_INSTITUTION if appraisal_family == PUBLIC_INSTITUTION else CIVIL_SERVANT


def grade_label(family: str, grade: str) -> str:
    if not grade:
        return ""
    return str(GRADE_LABELS[family_for(family)].get(grade, grade))


def grade_word(family: str, grade: str) -> str:
    if not grade:
        return ""
    return GRADE_WORDS[family_for(family)].get(grade, grade)


def grade_choices(family: str) -> list[tuple[str, str]]:
    return [(g, grade_label(family, g)) for g in GRADES]


def parse_grade(word: str) -> str | None:
    """A grade code from a Chinese word of either family or a code ("优秀", "合格", "competent")."""
    text = (word or "").strip()
    if text in GRADES:
        return text
    for words in GRADE_WORDS.values():
        for code, w in words.items():
            if w == text:
                return code
    return None


# Routine (平时) grades
GOOD, FAIRLY_GOOD, AVERAGE, POOR = "good", "fairly_good", "average", "poor"
ROUTINE_GRADES = (GOOD, FAIRLY_GOOD, AVERAGE, POOR)
ROUTINE_LABELS = {
    GOOD: pgettext_lazy("routine grade", "Good"),
    FAIRLY_GOOD: pgettext_lazy("routine grade", "Fairly good"),
    AVERAGE: pgettext_lazy("routine grade", "Average"),
    POOR: pgettext_lazy("routine grade", "Poor"),
}
ROUTINE_WORDS = {GOOD: "好", FAIRLY_GOOD: "较好", AVERAGE: "一般", POOR: "较差"}


# --- policy: every configurable value, with its default ---------------------------------------


@dataclass(frozen=True)
class Policy:
    # Excellent quota (RULES §1 [practice]; §2 [open] → same default, per unit allocations allowed)
    excellent_quota_percent: Decimal = Decimal("20")
    excellent_quota_max_percent: Decimal = Decimal("25")
    # Routine appraisal (RULES §1 [practice])
    routine_good_cap_percent: Decimal = Decimal("40")
    routine_score_bands: tuple[int, int, int] = (90, 80, 60)  # ≥90 好, 80–89 较好, 60–79 一般
    routine_link_for_excellent: bool = False  # 优秀 needs 好 in ≥ half the quarters, no 一般/较差
    # Publicity (RULES §1 [practice]: at least 5 working days)
    publicity_working_days: int = 5
    publication_day_counts: bool = True  # when it is a working day
    # Eligibility (RULES §1 [practice])
    probation_months: int = 12
    leave_share_ungraded: Decimal = Decimal("0.5")  # leave over half the year → ungraded
    # Review and appeal (RULES §1 [law], calendar days)
    review_request_days: int = 30
    review_decision_days: int = 30
    appeal_after_review_days: int = 15
    appeal_direct_days: int = 30
    appeal_decision_days: int = 60
    appeal_extension_max_days: int = 30
    # Consequences (RULES §1 [practice])
    merit_consecutive_excellent: int = 3
    pay_step_cumulative_years: int = 2
    salary_level_cumulative_years: int = 5
    incompetent_consecutive_flag: int = 2
    # Unit performance weights (issue 5 §4; no national rule — all configurable)
    unit_weights: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            "completion": Decimal("30"),
            "on_time": Decimal("30"),
            "supervision": Decimal("10"),
            "reports_on_time": Decimal("10"),
            "leadership": Decimal("20"),
        }
    )


def policy_from(overrides: Mapping[str, Any] | None) -> Policy:
    """A Policy with `overrides` applied (unknown keys are an error: a typo must not pass)."""
    if not overrides:
        return Policy()
    names = {f.name: f for f in dataclasses.fields(Policy)}
    values: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in names:
            raise ValueError(f"LUOSHI_APPRAISAL: unknown rule {key!r}")
        default = getattr(Policy(), key)
        if isinstance(default, Decimal):
            value = Decimal(str(value))
        elif key == "unit_weights":
            value = {k: Decimal(str(v)) for k, v in value.items()}
        elif isinstance(default, tuple):
            value = tuple(value)
        values[key] = value
    return dataclasses.replace(Policy(), **values)


def policy() -> Policy:
    return policy_from(settings.LUOSHI_APPRAISAL)


# --- dates -------------------------------------------------------------------------------------


def default_as_of(year: int) -> dt.date:
    """The staff cut-off date a cycle's participants are drawn as of, unless the officer picks
    another: 31 December of the appraised year (RULES.md §1 "Timing: end of the year or the start
    of the next" [practice]; the year's whole staff, not those hired by the day it is opened)."""
    return dt.date(year, 12, 31)


# The dates of publicity and objections are guarded by luoshi.core.publicity (`start_refusal`,
# `objection_refusal`; RULES.md §1 procedure, steps 5–6 [practice]), shared with commendation.


# --- quotas -----------------------------------------------------------------------------------


def cap_for(count: int, percent: Decimal | int | str) -> int:
    """floor(count × percent%) — a whole number of people, rounded down."""
    if count <= 0:
        return 0
    value = Decimal(count) * Decimal(str(percent)) / Decimal(100)
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def excellent_cap(graded: int, percent: Decimal | int | str) -> int:
    return cap_for(graded, percent)


QUOTA_OK, QUOTA_NEEDS_APPROVAL, QUOTA_TOO_HIGH, QUOTA_TOO_LOW = "ok", "approval", "high", "low"


def check_quota_percent(percent: Decimal | int | str, pol: Policy, *, has_approval: bool) -> str:
    """Whether a cycle's quota percent is acceptable: up to the default freely; above it and up
    to the maximum only with an approval record; never above the maximum."""
    p = Decimal(str(percent))
    if p <= 0:
        return QUOTA_TOO_LOW
    if p > pol.excellent_quota_max_percent:
        return QUOTA_TOO_HIGH
    if p > pol.excellent_quota_percent and not has_approval:
        return QUOTA_NEEDS_APPROVAL
    return QUOTA_OK


def within_cap(current: int, cap: int) -> bool:
    """True when one more can be confirmed (current is the count already confirmed)."""
    return current + 1 <= cap


def routine_good_cap(count: int, pol: Policy) -> int:
    return cap_for(count, pol.routine_good_cap_percent)


def routine_grade_for_score(score: int | Decimal, pol: Policy) -> str:
    good, fairly, average = pol.routine_score_bands
    if score >= good:
        return GOOD
    if score >= fairly:
        return FAIRLY_GOOD
    if score >= average:
        return AVERAGE
    return POOR


def routine_allows_excellent(routine_grades: Sequence[str], pol: Policy) -> bool:
    """The optional link (off by default): 好 in at least half of the year's routine appraisals
    and no 一般 or 较差."""
    if not pol.routine_link_for_excellent:
        return True
    if not routine_grades:
        return False
    if any(g in (AVERAGE, POOR) for g in routine_grades):
        return False
    return sum(1 for g in routine_grades if g == GOOD) * 2 >= len(routine_grades)


def percent_text(value: Decimal | int | str) -> str:
    """A percentage as people write it: 20, 22.5 (never 2E+1 nor 20.00)."""
    d = Decimal(str(value))
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# --- eligibility ------------------------------------------------------------------------------

GRADED, COMMENTS_ONLY, UNGRADED, PENDING = "graded", "comments_only", "ungraded", "pending"
ELIGIBILITY = (GRADED, COMMENTS_ONLY, UNGRADED, PENDING)
ELIGIBILITY_LABELS = {
    GRADED: _("Graded"),
    COMMENTS_ONLY: _("Comments only (probation)"),
    UNGRADED: _("Ungraded"),
    PENDING: _("Pending (grade filled in later)"),
}

# Penalties, lightest first; the heavier one governs.
WARNING, DEMERIT, MAJOR_DEMERIT, DEMOTION, DISMISSAL_FROM_POST, PARTY_INCOMPETENT = (
    "warning",
    "demerit",
    "major_demerit",
    "demotion",
    "dismissal_from_post",
    "party_incompetent",
)
PENALTY_SEVERITY = {
    WARNING: 1,
    DEMERIT: 2,
    MAJOR_DEMERIT: 3,
    DEMOTION: 3,
    DISMISSAL_FROM_POST: 3,
    PARTY_INCOMPETENT: 4,
}
PENALTY_LABELS = {
    WARNING: _("Warning"),
    DEMERIT: _("Demerit"),
    MAJOR_DEMERIT: _("Major demerit"),
    DEMOTION: _("Demotion"),
    DISMISSAL_FROM_POST: _("Dismissal from post"),
    PARTY_INCOMPETENT: _("Party penalty with an incompetent grade"),
}

REASONS = {
    "": "",
    "probation": _("New hire in probation: comments only, no grade."),
    "leave": _("Sick or personal leave over half the year: ungraded."),
    "investigation": _("Under investigation: the grade is filled in after it closes."),
    "warning": _("Warning this year: cannot be Excellent."),
    "demerit": _("Demerit this year: ungraded."),
    "major": _("Major demerit, demotion or dismissal from post this year or last: ungraded."),
    "party": _("Party penalty: graded Incompetent."),
    "manual": _("Changed by the personnel officer."),
}


@dataclass(frozen=True)
class Penalty:
    kind: str
    year: int


@dataclass(frozen=True)
class EligibilityFacts:
    year: int
    hire_date: dt.date | None = None
    leave_days: int = 0
    under_investigation: bool = False
    penalties: tuple[Penalty, ...] = ()


@dataclass(frozen=True)
class Eligibility:
    status: str
    reason: str = ""  # a key of REASONS
    may_be_excellent: bool = True
    forced_grade: str = ""  # e.g. INCOMPETENT for certain Party penalties

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, ""))


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    # clamp the day (31 → 30/28)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _days_in_year(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


def governing_penalty(penalties: Iterable[Penalty], year: int) -> Penalty | None:
    """The heaviest penalty that has an effect on `year` (warnings and demerits that year; the
    heavy ones that year and the next; Party penalties that year)."""
    effective: list[Penalty] = []
    for p in penalties:
        severity = PENALTY_SEVERITY.get(p.kind)
        if severity is None:
            continue
        if p.year == year or (severity == 3 and p.year == year - 1):
            effective.append(p)
    if not effective:
        return None
    return max(effective, key=lambda p: (PENALTY_SEVERITY[p.kind], p.year))


def eligibility(facts: EligibilityFacts, pol: Policy, as_of: dt.date) -> Eligibility:
    """RULES.md §1 "Not graded" and "Penalties": who is graded, and how.

    Order: an open investigation holds everything (pending, filled in later); then penalties
    (heavier governs: Party penalty → Incompetent; heavy ones → ungraded this year and next;
    demerit → ungraded; warning → cannot be Excellent); then probation (comments only); then
    leave over the threshold share of the year (ungraded).
    """
    if facts.under_investigation:
        return Eligibility(PENDING, "investigation", may_be_excellent=False)
    penalty = governing_penalty(facts.penalties, facts.year)
    if penalty is not None:
        severity = PENALTY_SEVERITY[penalty.kind]
        if severity == 4:
            return Eligibility(GRADED, "party", may_be_excellent=False, forced_grade=INCOMPETENT)
        if severity == 3:
            return Eligibility(UNGRADED, "major", may_be_excellent=False)
        if severity == 2:
            return Eligibility(UNGRADED, "demerit", may_be_excellent=False)
    if facts.hire_date is not None and facts.hire_date > _months_before(
        as_of, pol.probation_months
    ):
        return Eligibility(COMMENTS_ONLY, "probation", may_be_excellent=False)
    if Decimal(facts.leave_days) > pol.leave_share_ungraded * _days_in_year(facts.year):
        return Eligibility(UNGRADED, "leave", may_be_excellent=False)
    if penalty is not None and penalty.kind == WARNING:
        return Eligibility(GRADED, "warning", may_be_excellent=False)
    return Eligibility(GRADED)


def grade_allowed(grade: str, elig: Eligibility) -> bool:
    """Whether a grade may be proposed or decided for someone with this eligibility."""
    if elig.status != GRADED:
        return grade == ""
    if elig.forced_grade:
        return grade == elig.forced_grade
    if grade == EXCELLENT and not elig.may_be_excellent:
        return False
    return grade in GRADES


# --- publicity --------------------------------------------------------------------------------


def publicity_end(
    published_on: dt.date,
    pol: Policy,
    *,
    is_working_day: Callable[[dt.date], bool],
    add_working_days: Callable[[dt.date, int], dt.date],
) -> dt.date:
    """The last day of publicity: N working days, the publication day counting when it is a
    working day (and the policy says so). The arithmetic is luoshi.core.publicity's; the
    calendar functions come from core.workdays."""
    return publicity.last_day(
        published_on,
        pol.publicity_working_days,
        start_counts=pol.publication_day_counts,
        is_working_day=is_working_day,
        add_working_days=add_working_days,
    )


def publicity_over(end: dt.date | None, today: dt.date) -> bool:
    """Results become final the day after the last day of publicity."""
    return publicity.is_over(end, today)


# --- review and appeal ------------------------------------------------------------------------

REVIEW, APPEAL = "review", "appeal"


@dataclass(frozen=True)
class Deadlines:
    file_by: dt.date
    decide_by: dt.date | None
    decide_by_extended: dt.date | None = None


def request_deadlines(
    kind: str,
    pol: Policy,
    *,
    learned_on: dt.date,
    review_decided_on: dt.date | None = None,
    filed_on: dt.date | None = None,
) -> Deadlines:
    """RULES.md §1 [law art. 95–96], calendar days:
    review: file within 30 days of learning of the result, decided within 30 days of filing;
    appeal: within 15 days of the review decision, or directly within 30 days of learning;
    decided within 60 days of filing, extendable by at most 30."""
    days = dt.timedelta
    if kind == REVIEW:
        file_by = learned_on + days(pol.review_request_days)
        decide = filed_on + days(pol.review_decision_days) if filed_on else None
        return Deadlines(file_by, decide)
    if review_decided_on is not None:
        file_by = review_decided_on + days(pol.appeal_after_review_days)
    else:
        file_by = learned_on + days(pol.appeal_direct_days)
    decide = filed_on + days(pol.appeal_decision_days) if filed_on else None
    extended = decide + days(pol.appeal_extension_max_days) if decide else None
    return Deadlines(file_by, decide, extended)


def filed_in_time(deadlines: Deadlines, filed_on: dt.date) -> bool:
    return filed_on <= deadlines.file_by


# --- consequences -----------------------------------------------------------------------------

COMMENDATION, MERIT_CANDIDATE, PAY_STEP, SALARY_LEVEL, INCOMPETENT_FLAG, BONUS = (
    "commendation",
    "merit_candidate",
    "pay_step",
    "salary_level",
    "incompetent_flag",
    "bonus",
)
CONSEQUENCE_LABELS = {
    COMMENDATION: _("Commendation award (嘉奖) for this year's Excellent"),
    MERIT_CANDIDATE: _("Third-class merit (记三等功) candidate: consecutive years Excellent"),
    PAY_STEP: _("Pay step eligible: cumulative years Competent or better"),
    SALARY_LEVEL: _("Salary level eligible: cumulative years Competent or better"),
    INCOMPETENT_FLAG: _("Flagged: Incompetent in consecutive years"),
    BONUS: _("Year-end bonus"),
}
CONSEQUENCES = tuple(CONSEQUENCE_LABELS)


def consequences(history: Mapping[int, str], year: int, pol: Policy) -> list[str]:
    """What follows from the results up to `year` (history: year → final grade code; years
    missing or "" are ungraded and neither count nor break a cumulative run, but they do break
    a run of consecutive years)."""
    grade = history.get(year, "")
    out: list[str] = []
    if grade == EXCELLENT:
        out.append(COMMENDATION)
        n = pol.merit_consecutive_excellent
        if n > 0 and all(history.get(year - i) == EXCELLENT for i in range(n)):
            out.append(MERIT_CANDIDATE)
    if grade in (EXCELLENT, COMPETENT):
        out.append(BONUS)
        cumulative = sum(1 for y, g in history.items() if y <= year and g in (EXCELLENT, COMPETENT))
        if pol.pay_step_cumulative_years > 0 and cumulative % pol.pay_step_cumulative_years == 0:
            out.append(PAY_STEP)
        if (
            pol.salary_level_cumulative_years > 0
            and cumulative % pol.salary_level_cumulative_years == 0
        ):
            out.append(SALARY_LEVEL)
    if grade == INCOMPETENT:
        n = pol.incompetent_consecutive_flag
        if n > 0 and all(history.get(year - i) == INCOMPETENT for i in range(n)):
            out.append(INCOMPETENT_FLAG)
    return out


# --- unit performance -------------------------------------------------------------------------

UNIT_METRICS = ("completion", "on_time", "supervision", "reports_on_time", "leadership")
# what a person reads for each metric key (the page's weights line, the export's columns)
UNIT_METRIC_LABELS: Mapping[str, Any] = {
    "completion": _("Task completion (%)"),
    "on_time": _("On time (%)"),
    "supervision": _("Supervision items on time (%)"),
    "reports_on_time": _("Reports on time (%)"),
    "leadership": _("Leadership evaluation"),
}


def unit_score(
    metrics: Mapping[str, Decimal | float | None], weights: Mapping[str, Decimal]
) -> tuple[Decimal, dict[str, Decimal]]:
    """A weighted score out of 100 from metrics in 0–100. A metric that is None (no data, or a
    source not built) takes no weight: the others are rescaled. Returns (score, weights used)."""
    used = {
        k: Decimal(str(weights.get(k, 0)))
        for k in UNIT_METRICS
        if metrics.get(k) is not None and Decimal(str(weights.get(k, 0))) > 0
    }
    total = sum(used.values(), Decimal(0))
    if total <= 0:
        return Decimal(0), used
    score = sum((Decimal(str(metrics[k])) * w for k, w in used.items()), Decimal(0)) / total
    return score.quantize(Decimal("0.01")), used


def rank(scores: Sequence[tuple[Any, Decimal]]) -> list[tuple[Any, Decimal, int]]:
    """Competition ranking (1, 2, 2, 4), highest first; ties keep their given order."""
    ordered = sorted(scores, key=lambda s: -s[1])
    out: list[tuple[Any, Decimal, int]] = []
    for i, (key, score) in enumerate(ordered):
        position = out[-1][2] if out and out[-1][1] == score else i + 1
        out.append((key, score, position))
    return out


def percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


# --- routine quarters -------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter")
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


# --- readiness for the committee --------------------------------------------------------------

SUMMARIES, PROPOSALS, EVALUATION, QUOTA = "summaries", "proposals", "evaluation", "quota"
# What may be overridden (with a reason, audited) when it is missing: the committee can still
# decide without every self-summary or proposal (paper records, a leader absent); it cannot
# decide while the democratic evaluation is open or with a quota that breaks the rules.
OVERRIDABLE = frozenset({SUMMARIES, PROPOSALS})
READINESS_LABELS = {
    SUMMARIES: _("Self-summaries"),
    PROPOSALS: _("Supervising leaders' proposals"),
    EVALUATION: _("Democratic evaluation"),
    QUOTA: _("Excellent quota"),
}


@dataclass(frozen=True)
class ReadinessFacts:
    """What the readiness check reads (gathered by services.committee_readiness)."""

    summaries_missing: int = 0
    summaries_total: int = 0
    proposals_missing: int = 0
    proposals_total: int = 0
    evaluation_title: str = ""  # "" when no evaluation is linked
    evaluation_closed: bool = True
    evaluation_status: str = ""  # its status as shown
    quota_verdict: str = QUOTA_OK
    quota_percent: Decimal = Decimal("0")
    quota_base_percent: Decimal = Decimal("0")
    unit_places: int = 0
    cap: int = 0
    missing_names: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadinessItem:
    """One named problem before the committee: what is missing, how many of how many, and
    whether it may be overridden with a reason."""

    key: str
    missing: int
    total: int
    message: str
    overridable: bool
    names: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return str(READINESS_LABELS[self.key])


def committee_readiness(facts: ReadinessFacts) -> list[ReadinessItem]:
    """RULES.md §1 steps 1–4 before the decision (step 5): every self-summary written, every
    supervising leader's proposal made, the democratic evaluation (when one is used) closed,
    the quota within the rules. An empty list: ready."""
    items: list[ReadinessItem] = []

    def names(key: str) -> tuple[str, ...]:
        return tuple(facts.missing_names.get(key, ()))

    if facts.summaries_missing:
        items.append(
            ReadinessItem(
                SUMMARIES,
                facts.summaries_missing,
                facts.summaries_total,
                str(
                    _("Self-summaries missing: %(missing)d of %(total)d participants.")
                    % {"missing": facts.summaries_missing, "total": facts.summaries_total}
                ),
                True,
                names(SUMMARIES),
            )
        )
    if facts.proposals_missing:
        items.append(
            ReadinessItem(
                PROPOSALS,
                facts.proposals_missing,
                facts.proposals_total,
                str(
                    _(
                        "Participants without the supervising leader's proposal: %(missing)d of "
                        "%(total)d."
                    )
                    % {"missing": facts.proposals_missing, "total": facts.proposals_total}
                ),
                True,
                names(PROPOSALS),
            )
        )
    if facts.evaluation_title and not facts.evaluation_closed:
        items.append(
            ReadinessItem(
                EVALUATION,
                1,
                1,
                str(
                    _(
                        "The democratic evaluation “%(title)s” is not closed (%(status)s): close "
                        "it before the committee decides."
                    )
                    % {"title": facts.evaluation_title, "status": facts.evaluation_status}
                ),
                False,
            )
        )
    if facts.quota_verdict == QUOTA_NEEDS_APPROVAL:
        items.append(
            ReadinessItem(
                QUOTA,
                1,
                1,
                str(
                    _(
                        "The excellent quota of %(percent)s%% is above %(base)s%% and has no "
                        "approval record."
                    )
                    % {
                        "percent": percent_text(facts.quota_percent),
                        "base": percent_text(facts.quota_base_percent),
                    }
                ),
                False,
            )
        )
    elif facts.quota_verdict != QUOTA_OK:
        items.append(
            ReadinessItem(
                QUOTA,
                1,
                1,
                str(
                    _("The excellent quota of %(percent)s%% is outside the rules.")
                    % {"percent": percent_text(facts.quota_percent)}
                ),
                False,
            )
        )
    elif facts.unit_places > facts.cap:
        items.append(
            ReadinessItem(
                QUOTA,
                facts.unit_places - facts.cap,
                facts.cap,
                str(
                    _("The units' excellent places (%(places)d) exceed the cycle's cap of %(cap)d.")
                    % {"places": facts.unit_places, "cap": facts.cap}
                ),
                False,
            )
        )
    return items
