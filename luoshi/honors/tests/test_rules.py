"""The commendation rules as pure functions: kinds, quotas and rounding, allocation, eligibility,
deeds limits, vetting outcome, outside approval, certificate numbers, settings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from luoshi.appraisal import rules as appraisal_rules
from luoshi.honors import rules

POL = rules.Policy()


@pytest.mark.parametrize(
    ("count", "percent", "cap"),
    [
        (0, 20, 0),
        (4, 20, 0),
        (5, 20, 1),
        (9, 20, 1),
        (10, 20, 2),
        (161, 20, 32),
        (99, 2, 1),
        (49, 2, 0),
        (50, 2, 1),
        (100, 25, 25),
        (7, "12.5", 0),
        (8, "12.5", 1),
    ],
)
def test_quota_caps_round_down(count: int, percent: Decimal | int | str, cap: int) -> None:
    assert rules.cap_for(count, percent) == cap


def test_law_quotas_for_public_institutions_and_setting_for_civil_servants() -> None:
    pi, cs = rules.PUBLIC_INSTITUTION, rules.CIVIL_SERVANT
    assert rules.default_percent(rules.COMMENDATION, pi, POL) == Decimal("20")
    assert rules.default_percent(rules.MERIT, pi, POL) == Decimal("2")
    assert rules.max_percent(rules.COMMENDATION, pi, POL, unit_commended=True) == Decimal("25")
    assert rules.max_percent(rules.COMMENDATION, pi, POL, unit_commended=False) == Decimal("20")
    assert rules.default_percent(rules.COMMENDATION, cs, POL) == Decimal("20")
    changed = rules.policy_from({"civil_servant_commendation_percent": "15"})
    assert rules.default_percent(rules.COMMENDATION, cs, changed) == Decimal("15")
    assert rules.default_percent(rules.MERIT_THIRD, cs, POL) is None


def test_award_kinds_follow_the_staff_family() -> None:
    cs, pi = rules.CIVIL_SERVANT, rules.PUBLIC_INSTITUTION
    assert rules.family_may_receive(rules.MERIT_THIRD, cs)
    assert not rules.family_may_receive(rules.MERIT_THIRD, pi)
    assert rules.family_may_receive(rules.MAJOR_MERIT, pi)
    assert not rules.family_may_receive(rules.MAJOR_MERIT, cs)
    assert rules.family_may_receive(rules.PARTY_MEMBER, "other")
    assert rules.kind(rules.MERIT_THIRD).gbt_code == "01114"
    assert rules.kind(rules.COMMENDATION).gbt_code == "01115"
    assert rules.kind(rules.ADVANCED_COLLECTIVE).collective
    assert not rules.kind(rules.PARTY_MEMBER).pay_consequence
    with pytest.raises(ValueError, match="unknown award kind"):
        rules.kind("medal")


@pytest.mark.parametrize(
    ("headcounts", "places", "expected"),
    [
        ([("a", 10), ("b", 10)], 4, {"a": 2, "b": 2}),
        ([("a", 10), ("b", 5), ("c", 5)], 3, {"a": 1, "b": 1, "c": 1}),
        ([("a", 10), ("b", 5), ("c", 5)], 4, {"a": 2, "b": 1, "c": 1}),
        ([("a", 3), ("b", 3), ("c", 3)], 2, {"a": 1, "b": 1, "c": 0}),
        ([("a", 0), ("b", 7)], 1, {"a": 0, "b": 1}),
        ([("a", 1), ("b", 1)], 0, {"a": 0, "b": 0}),
        ([("a", 17), ("b", 23), ("c", 60)], 7, {"a": 1, "b": 2, "c": 4}),
    ],
)
def test_allocation_by_headcount_adds_up(headcounts: list, places: int, expected: dict) -> None:
    shares = rules.allocate(headcounts, places)
    assert shares == expected
    if any(n for _u, n in headcounts):
        assert sum(shares.values()) == places


def test_leaders_at_most_a_share_of_honourees() -> None:
    assert rules.leader_cap(4, POL) == 0
    assert rules.leader_cap(5, POL) == 1
    assert rules.leader_cap(16, POL) == 3
    assert rules.is_leader("处长", "", POL)
    assert rules.is_leader("科员", "四级调研员", POL)
    assert not rules.is_leader("科员", "一级主任科员", POL)


def test_every_eligibility_reason() -> None:
    year = 2026
    clean = rules.EligibilityFacts(year=year, annual_grade=appraisal_rules.COMPETENT)
    assert rules.ineligibility(clean, POL) == []
    penalty = rules.EligibilityFacts(
        year=year, penalties=(appraisal_rules.Penalty("warning", year),)
    )
    assert rules.ineligibility(penalty, POL) == ["penalty"]
    old = rules.EligibilityFacts(year=year, penalties=(appraisal_rules.Penalty("warning", 2023),))
    assert rules.ineligibility(old, POL) == []
    investigated = rules.EligibilityFacts(year=year, under_investigation=True)
    assert rules.ineligibility(investigated, POL) == ["investigation"]
    for grade in (appraisal_rules.BASIC, appraisal_rules.INCOMPETENT):
        low = rules.EligibilityFacts(year=year, annual_grade=grade)
        assert rules.ineligibility(low, POL) == ["low_grade"]
    everything = rules.EligibilityFacts(
        year=year,
        penalties=(appraisal_rules.Penalty("demerit", year),),
        under_investigation=True,
        annual_grade=appraisal_rules.INCOMPETENT,
    )
    assert rules.ineligibility(everything, POL) == ["penalty", "investigation", "low_grade"]
    only_penalty = rules.policy_from({"eligibility_checks": ["penalty"]})
    assert rules.ineligibility(everything, only_penalty) == ["penalty"]
    for code in ("penalty", "investigation", "low_grade", "family", "nominated"):
        assert rules.reason_text(code) != code


def test_deeds_limits() -> None:
    assert rules.deeds_problems("事迹" * 150, "侨" * 1500, POL, collective=False) == []
    too_long = rules.deeds_problems("侨" * 301, "", POL, collective=False)
    assert len(too_long) == 1 and "301" in too_long[0] and "300" in too_long[0]
    assert rules.deeds_problems("好", "侨" * 1501, POL, collective=False)
    assert rules.deeds_problems("好", "侨" * 2000, POL, collective=True) == []
    assert rules.deeds_problems("好", "侨" * 2001, POL, collective=True)
    assert rules.deeds_problems("", "", POL, collective=False)  # the brief deeds are required
    assert rules.deeds_problems("", "", POL, collective=False, complete=False) == []
    assert (
        rules.deeds_problems(
            "  好  ", "", rules.policy_from({"deeds_brief_max": 1}), collective=False
        )
        == []
    )


def test_vetting_outcome() -> None:
    assert rules.vetting_outcome({}, POL) == "pending"
    assert rules.vetting_outcome({"discipline": rules.PASS}, POL) == "pending"
    assert rules.vetting_outcome({"discipline": rules.FAIL}, POL) == rules.FAIL
    both = {"discipline": rules.PASS, "personnel": rules.CONDITIONAL}
    assert rules.vetting_outcome(both, POL) == rules.PASS


def test_outside_approval() -> None:
    assert not rules.needs_approval("机关优秀共产党员", rules.INTERNAL, POL)
    assert rules.needs_approval("全国侨联系统先进集体", rules.INTERNAL, POL)
    assert rules.restricted_words_in("中国侨联国家级荣誉", POL) == ["中国", "国家"]
    assert rules.needs_approval("先进集体", rules.SYSTEM, POL)
    relaxed = rules.policy_from({"restricted_title_words": ["中华"]})
    assert not rules.needs_approval("全国先进", rules.INTERNAL, relaxed)


def test_certificate_number_format_is_a_setting() -> None:
    number = rules.certificate_number(18, 2026, rules.COMMENDATION, POL, agency_mark="省侨联")
    assert number == "省侨联奖〔2026〕嘉奖第018号"
    custom = rules.policy_from(
        {"certificate_prefix": "侨联奖", "certificate_number_format": "{prefix}{year}-{number:04d}"}
    )
    assert (
        rules.certificate_number(7, 2026, rules.TITLE, custom, agency_mark="x") == "侨联奖2026-0007"
    )


def test_unknown_or_mistyped_settings_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown rule"):
        rules.policy_from({"deeds_brif_max": 3})
    with pytest.raises(ValueError, match="true or false"):
        rules.policy_from({"publication_day_counts": "ture"})
