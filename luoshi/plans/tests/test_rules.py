"""Lights and reporting periods: pure rules, tested exhaustively without a database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.plans.rules import (
    GREEN,
    GREY,
    RED,
    YELLOW,
    LightThresholds,
    MilestoneState,
    compute_light,
    elapsed_share,
    report_due_date,
    report_period,
)

D = dt.date


def weekdays_until(today: dt.date, day: dt.date) -> int:
    """Mon–Fri working days in (today, day] — a stand-in calendar for the pure rules."""
    count, current = 0, today
    while current < day:
        current += dt.timedelta(days=1)
        count += current.weekday() < 5
    return count


def light(**kw: Any) -> Any:
    base: dict[str, Any] = dict(
        status="in_progress",
        today=D(2026, 3, 2),
        deadline=D(2026, 12, 31),
        start=D(2026, 1, 1),
        progress=20,
        milestones=[],
        working_days_until=weekdays_until,
    )
    base.update(kw)
    return compute_light(**base)


@pytest.mark.parametrize("status", ["draft", "completed", "cancelled"])
def test_grey_when_not_started_or_closed(status: str) -> None:
    assert light(status=status, deadline=D(2020, 1, 1)).color == GREY


def test_red_when_the_deadline_passed() -> None:
    result = light(deadline=D(2026, 2, 27))
    assert result.color == RED and "2026-02-27" in result.reason


def test_red_when_a_milestone_passed_undone() -> None:
    ms = [MilestoneState("方案", D(2026, 2, 28), None)]
    assert light(milestones=ms).color == RED
    done = [MilestoneState("方案", D(2026, 2, 28), D(2026, 2, 27))]
    assert light(milestones=done).color == GREEN


def test_yellow_within_n_working_days_counting_the_weekend_out() -> None:
    # Friday 2026-03-06 with a deadline on Wednesday 03-11: Mon, Tue, Wed = 3 working days.
    assert light(today=D(2026, 3, 6), deadline=D(2026, 3, 11), progress=90).color == YELLOW
    # Thursday 03-12 is 4 working days away: green.
    assert light(today=D(2026, 3, 6), deadline=D(2026, 3, 12), progress=90).color == GREEN
    # The threshold is a setting.
    wide = LightThresholds(warn_working_days=5)
    assert (
        light(today=D(2026, 3, 6), deadline=D(2026, 3, 12), progress=90, thresholds=wide).color
        == YELLOW
    )


def test_yellow_when_the_next_milestone_is_near() -> None:
    ms = [MilestoneState("中期评估", D(2026, 3, 4), None)]
    result = light(milestones=ms)
    assert result.color == YELLOW and "中期评估" in result.reason


def test_yellow_when_progress_lags_time() -> None:
    # Half the year gone (2026-07-02), 30 % done: behind by 20 points > 15.
    assert light(today=D(2026, 7, 2), progress=30).color == YELLOW
    assert light(today=D(2026, 7, 2), progress=40).color == GREEN
    lax = LightThresholds(behind_tolerance=25)
    assert light(today=D(2026, 7, 2), progress=30, thresholds=lax).color == GREEN


def test_red_wins_over_yellow() -> None:
    ms = [MilestoneState("a", D(2026, 3, 1), None), MilestoneState("b", D(2026, 3, 3), None)]
    assert light(milestones=ms).color == RED


def test_no_deadline_no_start_is_green() -> None:
    assert light(deadline=None, start=None, progress=0).color == GREEN


def test_elapsed_share() -> None:
    assert elapsed_share(D(2026, 1, 1), D(2026, 1, 11), D(2026, 1, 6)) == 0.5
    assert elapsed_share(D(2026, 1, 1), D(2026, 1, 11), D(2025, 1, 1)) == 0
    assert elapsed_share(D(2026, 1, 1), D(2026, 1, 11), D(2027, 1, 1)) == 1
    assert elapsed_share(None, D(2026, 1, 11), D(2026, 1, 6)) is None


@pytest.mark.parametrize(
    ("cadence", "day", "period", "due"),
    [
        ("monthly", D(2026, 3, 17), D(2026, 3, 1), D(2026, 4, 5)),
        ("monthly", D(2026, 12, 31), D(2026, 12, 1), D(2027, 1, 5)),
        ("quarterly", D(2026, 5, 2), D(2026, 4, 1), D(2026, 7, 5)),
        ("quarterly", D(2026, 11, 30), D(2026, 10, 1), D(2027, 1, 5)),
        ("weekly", D(2026, 3, 5), D(2026, 3, 2), D(2026, 3, 9)),
    ],
)
def test_report_periods(cadence: str, day: dt.date, period: dt.date, due: dt.date) -> None:
    assert report_period(cadence, day) == period
    assert report_due_date(cadence, period, 5) == due


def test_report_due_day_is_clamped_to_the_month() -> None:
    assert report_due_date("monthly", D(2026, 1, 1), 31) == D(2026, 2, 28)


def test_a_report_is_for_the_period_before_while_that_one_is_not_in() -> None:
    from luoshi.plans.rules import period_to_report

    april_3, april_6 = dt.date(2026, 4, 3), dt.date(2026, 4, 6)
    march, april = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
    # on time: March's report, due by 5 April
    assert period_to_report("monthly", april_3, previous_reported=False) == march
    assert period_to_report("monthly", april_3, previous_reported=True) == april
    # late (迟报): after the 5th it is still March's until March's is in
    assert period_to_report("monthly", april_6, previous_reported=False) == march
    assert period_to_report("monthly", april_6, previous_reported=True) == april
    # a quarterly report on 2 July is the second quarter's
    assert period_to_report("quarterly", dt.date(2026, 7, 2), False) == dt.date(2026, 4, 1)
    assert period_to_report("quarterly", dt.date(2026, 7, 2), True) == dt.date(2026, 7, 1)
    # weekly: last week's until it is in
    monday = dt.date(2026, 4, 13)
    assert period_to_report("weekly", monday, False) == dt.date(2026, 4, 6)
    assert period_to_report("weekly", monday + dt.timedelta(1), False) == dt.date(2026, 4, 6)
    assert period_to_report("weekly", monday + dt.timedelta(1), True) == monday
    # a task reporting by stage owes no periodic report: its report is for the current month
    assert period_to_report("by_stage", april_3, previous_reported=False) == april


def test_no_report_is_owed_for_a_period_that_ended_before_the_task_started() -> None:
    from luoshi.plans.rules import period_to_report

    jan_3 = dt.date(2026, 1, 3)
    # a 2026 task issued on 2 January owes nothing for December 2025
    assert period_to_report("monthly", jan_3, False, started_on=dt.date(2026, 1, 2)) == (
        dt.date(2026, 1, 1)
    )
    # one started in December does
    assert period_to_report("monthly", jan_3, False, started_on=dt.date(2025, 12, 15)) == (
        dt.date(2025, 12, 1)
    )
    # started on the first day of the current period: the current one
    july_2 = dt.date(2026, 7, 2)
    assert period_to_report("quarterly", july_2, False, started_on=dt.date(2026, 7, 1)) == (
        dt.date(2026, 7, 1)
    )
    assert period_to_report("quarterly", july_2, False, started_on=dt.date(2026, 6, 30)) == (
        dt.date(2026, 4, 1)
    )
