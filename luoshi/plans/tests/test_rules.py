"""A task's light phase and the reporting periods: pure rules, tested without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from luoshi.core import lights
from luoshi.plans.models import Task
from luoshi.plans.rules import light_phase, report_due_date, report_period

D = dt.date


# The light rules themselves are the engine's (luoshi/core/tests/test_lights.py); a task only
# says which phase each of its statuses is in.


@pytest.mark.parametrize(
    ("status", "phase"),
    [
        ("draft", lights.NOT_STARTED),
        ("in_progress", lights.OPEN),
        ("completion_requested", lights.OPEN),
        ("adjustment_requested", lights.OPEN),
        ("completed", lights.CLOSED),
        ("cancelled", lights.CLOSED),
    ],
)
def test_a_task_is_grey_before_it_starts_and_once_closed(status: str, phase: str) -> None:
    assert status in Task.Status.values
    assert light_phase(status) == phase
    result = lights.compute_light(
        phase=light_phase(status),
        today=D(2026, 3, 2),
        deadline=D(2020, 1, 1),
        start=None,
        progress=0,
        working_days_until=lambda today, day: 0,
    )
    assert result.color == (lights.RED if phase == lights.OPEN else lights.GREY)


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
