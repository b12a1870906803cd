"""The pure rules of appraisal (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from luoshi.appraisal import rules as r

POL = r.Policy()


@pytest.mark.parametrize(
    ("count", "percent", "cap"),
    [
        (0, 20, 0),
        (1, 20, 0),
        (4, 20, 0),
        (5, 20, 1),
        (9, 20, 1),
        (10, 20, 2),
        (14, 20, 2),
        (15, 20, 3),
        (23, 20, 4),
        (100, 20, 20),
        (3, 25, 0),
        (4, 25, 1),
        (7, 25, 1),
        (8, 25, 2),
        (23, 25, 5),
        (100, 25, 25),
        (10, "22.5", 2),
    ],
)
def test_excellent_cap_rounds_down(count: int, percent: object, cap: int) -> None:
    assert r.excellent_cap(count, percent) == cap  # type: ignore[arg-type]


def test_quota_percent_checks() -> None:
    assert r.check_quota_percent(20, POL, has_approval=False) == r.QUOTA_OK
    assert r.check_quota_percent(15, POL, has_approval=False) == r.QUOTA_OK
    assert r.check_quota_percent(25, POL, has_approval=False) == r.QUOTA_NEEDS_APPROVAL
    assert r.check_quota_percent(25, POL, has_approval=True) == r.QUOTA_OK
    assert r.check_quota_percent("25.5", POL, has_approval=True) == r.QUOTA_TOO_HIGH
    assert r.check_quota_percent(0, POL, has_approval=True) == r.QUOTA_TOO_LOW


def test_within_cap() -> None:
    assert r.within_cap(0, 1)
    assert not r.within_cap(1, 1)
    assert not r.within_cap(0, 0)


def test_routine_rules() -> None:
    assert r.routine_good_cap(10, POL) == 4
    assert r.routine_good_cap(4, POL) == 1
    assert r.routine_good_cap(2, POL) == 0
    assert [r.routine_grade_for_score(s, POL) for s in (95, 90, 89, 80, 79, 60, 59)] == [
        r.GOOD,
        r.GOOD,
        r.FAIRLY_GOOD,
        r.FAIRLY_GOOD,
        r.AVERAGE,
        r.AVERAGE,
        r.POOR,
    ]
    assert r.routine_allows_excellent([], POL)  # link off by default
    linked = r.policy_from({"routine_link_for_excellent": True})
    assert r.routine_allows_excellent([r.GOOD, r.GOOD, r.FAIRLY_GOOD, r.FAIRLY_GOOD], linked)
    assert not r.routine_allows_excellent([r.GOOD, r.FAIRLY_GOOD, r.FAIRLY_GOOD], linked)
    assert not r.routine_allows_excellent([r.GOOD, r.GOOD, r.AVERAGE], linked)
    assert not r.routine_allows_excellent([], linked)


def test_policy_overrides() -> None:
    pol = r.policy_from({"excellent_quota_percent": 15, "unit_weights": {"completion": 1}})
    assert pol.excellent_quota_percent == Decimal("15")
    assert pol.unit_weights == {"completion": Decimal("1")}
    assert r.policy_from(None) == r.Policy()
    with pytest.raises(ValueError, match="unknown"):
        r.policy_from({"excelent_quota_percent": 1})


def test_policy_from_settings(settings: object) -> None:
    settings.LUOSHI_APPRAISAL = {"publicity_working_days": 7}  # type: ignore[attr-defined]
    assert r.policy().publicity_working_days == 7


def test_families_and_words() -> None:
    assert r.family_for("public_institution") == r.PUBLIC_INSTITUTION
    assert r.family_for("civil_servant") == r.CIVIL_SERVANT
    assert r.family_for("other") == r.CIVIL_SERVANT
    assert r.grade_word(r.CIVIL_SERVANT, r.COMPETENT) == "称职"
    assert r.grade_word(r.PUBLIC_INSTITUTION, r.COMPETENT) == "合格"
    assert r.grade_word(r.PUBLIC_INSTITUTION, r.BASIC) == "基本合格"
    assert r.grade_word(r.CIVIL_SERVANT, "") == ""
    assert r.grade_label(r.CIVIL_SERVANT, "") == ""
    assert r.grade_label(r.PUBLIC_INSTITUTION, r.INCOMPETENT)
    assert len(r.grade_choices(r.CIVIL_SERVANT)) == 4
    assert r.parse_grade("不合格") == r.INCOMPETENT
    assert r.parse_grade(" 称职 ") == r.COMPETENT
    assert r.parse_grade("excellent") == r.EXCELLENT
    assert r.parse_grade("很好") is None


AS_OF = dt.date(2025, 12, 31)


def facts(**kw: object) -> r.EligibilityFacts:
    return r.EligibilityFacts(year=2025, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "status", "reason", "may_excellent", "forced"),
    [
        ({}, r.GRADED, "", True, ""),
        ({"hire_date": dt.date(2025, 3, 1)}, r.COMMENTS_ONLY, "probation", False, ""),
        ({"hire_date": dt.date(2024, 12, 31)}, r.GRADED, "", True, ""),
        ({"hire_date": dt.date(2025, 1, 1)}, r.COMMENTS_ONLY, "probation", False, ""),
        ({"leave_days": 183}, r.UNGRADED, "leave", False, ""),
        ({"leave_days": 182}, r.GRADED, "", True, ""),
        ({"under_investigation": True}, r.PENDING, "investigation", False, ""),
        ({"penalties": (r.Penalty(r.WARNING, 2025),)}, r.GRADED, "warning", False, ""),
        ({"penalties": (r.Penalty(r.WARNING, 2024),)}, r.GRADED, "", True, ""),
        ({"penalties": (r.Penalty(r.DEMERIT, 2025),)}, r.UNGRADED, "demerit", False, ""),
        ({"penalties": (r.Penalty(r.DEMERIT, 2024),)}, r.GRADED, "", True, ""),
        ({"penalties": (r.Penalty(r.MAJOR_DEMERIT, 2024),)}, r.UNGRADED, "major", False, ""),
        ({"penalties": (r.Penalty(r.DEMOTION, 2025),)}, r.UNGRADED, "major", False, ""),
        ({"penalties": (r.Penalty(r.DISMISSAL_FROM_POST, 2023),)}, r.GRADED, "", True, ""),
        (
            {"penalties": (r.Penalty(r.PARTY_INCOMPETENT, 2025),)},
            r.GRADED,
            "party",
            False,
            r.INCOMPETENT,
        ),
        # the heavier governs
        (
            {"penalties": (r.Penalty(r.WARNING, 2025), r.Penalty(r.DEMERIT, 2025))},
            r.UNGRADED,
            "demerit",
            False,
            "",
        ),
        (
            {"penalties": (r.Penalty(r.PARTY_INCOMPETENT, 2025), r.Penalty(r.DEMOTION, 2025))},
            r.GRADED,
            "party",
            False,
            r.INCOMPETENT,
        ),
        # investigation holds everything
        (
            {"under_investigation": True, "penalties": (r.Penalty(r.WARNING, 2025),)},
            r.PENDING,
            "investigation",
            False,
            "",
        ),
        # a warning with long leave: ungraded
        (
            {"leave_days": 200, "penalties": (r.Penalty(r.WARNING, 2025),)},
            r.UNGRADED,
            "leave",
            False,
            "",
        ),
        ({"penalties": (r.Penalty("unknown", 2025),)}, r.GRADED, "", True, ""),
    ],
)
def test_eligibility(
    kw: dict[str, object], status: str, reason: str, may_excellent: bool, forced: str
) -> None:
    elig = r.eligibility(facts(**kw), POL, AS_OF)
    assert (elig.status, elig.reason, elig.may_be_excellent, elig.forced_grade) == (
        status,
        reason,
        may_excellent,
        forced,
    )
    assert isinstance(elig.reason_text, str)


def test_leap_year_half() -> None:
    elig = r.eligibility(r.EligibilityFacts(year=2024, leave_days=183), POL, dt.date(2024, 12, 31))
    assert elig.status == r.GRADED  # 183 is exactly half of 366: not over half
    elig = r.eligibility(r.EligibilityFacts(year=2024, leave_days=184), POL, dt.date(2024, 12, 31))
    assert elig.status == r.UNGRADED


def test_probation_month_clamp() -> None:
    elig = r.eligibility(
        r.EligibilityFacts(year=2025, hire_date=dt.date(2024, 3, 30)), POL, dt.date(2025, 3, 31)
    )
    assert elig.status == r.GRADED
    assert r._months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)


def test_grade_allowed() -> None:
    graded = r.Eligibility(r.GRADED)
    assert r.grade_allowed(r.EXCELLENT, graded)
    assert not r.grade_allowed("", graded)
    assert not r.grade_allowed("best", graded)
    warned = r.Eligibility(r.GRADED, "warning", may_be_excellent=False)
    assert not r.grade_allowed(r.EXCELLENT, warned)
    assert r.grade_allowed(r.COMPETENT, warned)
    forced = r.Eligibility(r.GRADED, "party", False, r.INCOMPETENT)
    assert r.grade_allowed(r.INCOMPETENT, forced)
    assert not r.grade_allowed(r.COMPETENT, forced)
    ungraded = r.Eligibility(r.UNGRADED, "leave", False)
    assert r.grade_allowed("", ungraded)
    assert not r.grade_allowed(r.COMPETENT, ungraded)


# A toy calendar: weekends off, plus 2025-10-01..08 holidays and Sat 2025-10-11 a make-up day.
HOLIDAYS = {dt.date(2025, 10, d) for d in range(1, 9)}
MAKEUP = {dt.date(2025, 10, 11), dt.date(2025, 9, 28)}


def working(day: dt.date) -> bool:
    if day in MAKEUP:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS


def add(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if working(day):
            n -= 1
    return day


def end(day: dt.date, pol: r.Policy = POL) -> dt.date:
    return r.publicity_end(day, pol, is_working_day=working, add_working_days=add)


def test_publicity_end() -> None:
    assert end(dt.date(2025, 12, 1)) == dt.date(2025, 12, 5)  # Mon → Fri, Monday counts
    assert end(dt.date(2025, 12, 6)) == dt.date(2025, 12, 12)  # Sat: starts Monday
    assert end(dt.date(2025, 12, 3)) == dt.date(2025, 12, 9)  # Wed → next Tue
    # spanning the National Day holiday: Sep 29, 30, (Oct 1–8 off), Oct 9, 10, 11 (make-up Sat)
    assert end(dt.date(2025, 9, 29)) == dt.date(2025, 10, 11)
    assert end(dt.date(2025, 9, 28)) == dt.date(2025, 10, 10)  # make-up Sunday counts
    not_counting = r.policy_from({"publication_day_counts": False})
    assert end(dt.date(2025, 12, 1), not_counting) == dt.date(2025, 12, 8)
    one = r.policy_from({"publicity_working_days": 1})
    assert end(dt.date(2025, 12, 1), one) == dt.date(2025, 12, 1)
    assert end(dt.date(2025, 12, 6), one) == dt.date(2025, 12, 8)
    assert not r.publicity_over(dt.date(2025, 12, 5), dt.date(2025, 12, 5))
    assert r.publicity_over(dt.date(2025, 12, 5), dt.date(2025, 12, 6))
    assert not r.publicity_over(None, dt.date(2025, 12, 6))


def test_request_deadlines() -> None:
    learned = dt.date(2026, 1, 10)
    review = r.request_deadlines(r.REVIEW, POL, learned_on=learned, filed_on=dt.date(2026, 1, 20))
    assert review.file_by == dt.date(2026, 2, 9)
    assert review.decide_by == dt.date(2026, 2, 19)
    assert r.filed_in_time(review, dt.date(2026, 2, 9))
    assert not r.filed_in_time(review, dt.date(2026, 2, 10))
    direct = r.request_deadlines(r.APPEAL, POL, learned_on=learned)
    assert direct.file_by == dt.date(2026, 2, 9)
    assert direct.decide_by is None and direct.decide_by_extended is None
    after = r.request_deadlines(
        r.APPEAL,
        POL,
        learned_on=learned,
        review_decided_on=dt.date(2026, 2, 15),
        filed_on=dt.date(2026, 2, 20),
    )
    assert after.file_by == dt.date(2026, 3, 2)
    assert after.decide_by == dt.date(2026, 4, 21)
    assert after.decide_by_extended == dt.date(2026, 5, 21)
    no_filing = r.request_deadlines(r.REVIEW, POL, learned_on=learned)
    assert no_filing.decide_by is None


E, C, B, X = r.EXCELLENT, r.COMPETENT, r.BASIC, r.INCOMPETENT


@pytest.mark.parametrize(
    ("history", "year", "expected"),
    [
        ({2025: E}, 2025, [r.COMMENDATION, r.BONUS]),
        ({2024: C, 2025: E}, 2025, [r.COMMENDATION, r.BONUS, r.PAY_STEP]),
        ({2023: E, 2024: E, 2025: E}, 2025, [r.COMMENDATION, r.MERIT_CANDIDATE, r.BONUS]),
        (
            {2022: E, 2023: E, 2024: E, 2025: E},
            2025,
            [r.COMMENDATION, r.MERIT_CANDIDATE, r.BONUS, r.PAY_STEP],
        ),
        ({2023: E, 2024: "", 2025: E}, 2025, [r.COMMENDATION, r.BONUS, r.PAY_STEP]),
        ({2023: C, 2024: B, 2025: C}, 2025, [r.BONUS, r.PAY_STEP]),  # cumulative, not consecutive
        ({2025: C}, 2025, [r.BONUS]),
        ({2024: X, 2025: X}, 2025, [r.INCOMPETENT_FLAG]),
        ({2023: X, 2024: C, 2025: X}, 2025, []),
        ({2025: B}, 2025, []),
        ({}, 2025, []),
        ({2021: C, 2022: C, 2023: C, 2024: C, 2025: C}, 2025, [r.BONUS, r.SALARY_LEVEL]),
    ],
)
def test_consequences(history: dict[int, str], year: int, expected: list[str]) -> None:
    assert r.consequences(history, year, POL) == expected


def test_consequence_thresholds_configurable() -> None:
    pol = r.policy_from({"merit_consecutive_excellent": 2, "pay_step_cumulative_years": 1})
    assert r.MERIT_CANDIDATE in r.consequences({2024: E, 2025: E}, 2025, pol)
    assert r.PAY_STEP in r.consequences({2025: C}, 2025, pol)
    off = r.policy_from(
        {
            "merit_consecutive_excellent": 0,
            "pay_step_cumulative_years": 0,
            "salary_level_cumulative_years": 0,
            "incompetent_consecutive_flag": 0,
        }
    )
    assert r.consequences({2024: E, 2025: E}, 2025, off) == [r.COMMENDATION, r.BONUS]
    assert r.consequences({2024: X, 2025: X}, 2025, off) == []


def test_unit_score_and_rank() -> None:
    weights = POL.unit_weights
    metrics = {
        "completion": Decimal(80),
        "on_time": Decimal(60),
        "supervision": None,
        "reports_on_time": Decimal(100),
        "leadership": Decimal(90),
    }
    score, used = r.unit_score(metrics, weights)
    assert "supervision" not in used
    # (80*30 + 60*30 + 100*10 + 90*20) / 90
    assert score == Decimal("77.78")
    assert r.unit_score({}, weights) == (Decimal(0), {})
    ranked = r.rank(
        [("a", Decimal(70)), ("b", Decimal(90)), ("c", Decimal(70)), ("d", Decimal(50))]
    )
    assert ranked == [
        ("b", Decimal(90), 1),
        ("a", Decimal(70), 2),
        ("c", Decimal(70), 2),
        ("d", Decimal(50), 4),
    ]
    assert r.percent(1, 3) == Decimal("33.33")
    assert r.percent(1, 0) is None


def test_quarter_bounds() -> None:
    assert r.quarter_bounds(2025, 1) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert r.quarter_bounds(2025, 4) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    with pytest.raises(ValueError):
        r.quarter_bounds(2025, 5)
