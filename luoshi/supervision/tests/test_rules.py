"""The pure rules: the urging ladder's steps, lights, on-time statistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation

from luoshi.supervision import rules

D = dt.date


def weekdays() -> rules.WorkingDays:
    """Monday to Friday, no holidays (the services pass the real calendar)."""

    def between(a: dt.date, b: dt.date) -> int:
        n, day = 0, a
        while day < b:
            day += dt.timedelta(days=1)
            n += day.weekday() < 5
        return n

    def add(day: dt.date, n: int) -> dt.date:
        while n:
            day += dt.timedelta(days=1)
            n -= day.weekday() < 5
        return day

    return rules.WorkingDays(between, add)


def test_ladder_steps_in_order() -> None:
    days, deadline = weekdays(), D(2025, 6, 13)  # a Friday
    steps = lambda today, taken=(): rules.due_steps(  # noqa: E731
        today=today, deadline=deadline, taken=set(taken), days=days
    )
    assert steps(D(2025, 6, 9)) == []  # 4 working days left
    assert steps(D(2025, 6, 10)) == ["reminder"]  # 3 left
    assert steps(D(2025, 6, 13), ["reminder"]) == []  # the deadline day itself
    assert steps(D(2025, 6, 14), ["reminder"]) == []  # Saturday: not yet a working day late
    assert steps(D(2025, 6, 16), ["reminder"]) == ["urging"]  # first overdue working day
    assert steps(D(2025, 6, 20), ["reminder", "urging"]) == []
    assert steps(D(2025, 6, 23), ["reminder", "urging"]) == ["escalation"]  # 5 after it
    assert steps(D(2025, 6, 30)) == ["urging", "escalation"]  # a late run: no reminder
    assert steps(D(2025, 6, 30), rules.LADDER) == []


def test_lights_follow_the_task_rules() -> None:
    until = lambda a, b: weekdays().between(a, b) if b > a else 0  # noqa: E731
    common: dict[str, Any] = dict(
        today=D(2025, 6, 2),
        start=D(2025, 5, 1),
        progress=50,
        completed_on=None,
        working_days_until=until,
    )
    assert rules.compute_light(status="registered", deadline=None, **common).color == "grey"
    assert (
        rules.compute_light(status="suspended", deadline=D(2025, 5, 30), **common).color == "grey"
    )
    assert rules.compute_light(status="accepted", deadline=D(2025, 5, 30), **common).color == "red"
    assert (
        rules.compute_light(status="accepted", deadline=D(2025, 6, 4), **common).color == "yellow"
    )
    assert rules.compute_light(status="accepted", deadline=D(2025, 7, 1), **common).color == "green"
    done = {**common, "completed_on": D(2025, 5, 29)}
    final = rules.compute_light(status="final_submitted", deadline=D(2025, 5, 30), **done)
    assert (final.color, final.code) == ("green", "awaiting_close_out")


def test_on_time_uses_the_original_deadline() -> None:
    assert rules.on_time(D(2025, 6, 10), D(2025, 6, 10)) is True
    assert rules.on_time(D(2025, 6, 11), D(2025, 6, 10)) is False
    assert rules.on_time(None, D(2025, 6, 10)) is None
    assert rules.is_early(D(2025, 6, 9), D(2025, 6, 10))
    assert rules.rate(1, 3) == 33.3 and rules.rate(0, 0) is None
    assert rules.month_bounds(D(2025, 12, 15)) == (D(2025, 12, 1), D(2025, 12, 31))


def test_an_items_own_reasons_read_beside_the_engines() -> None:
    with translation.override("en"):
        assert rules.reason_text("suspended") == "Suspended"
        assert rules.stored_reason_text('["not_assigned", {}]') == "Not assigned yet"
        assert rules.stored_reason_text('["deadline_passed", {"date": "2025-05-30"}]') == (
            "Deadline 2025-05-30 passed"
        )


def test_a_late_final_feedback_does_not_wait_in_green() -> None:
    until = lambda a, b: 0  # noqa: E731
    late = rules.compute_light(
        status="reviewed",
        today=D(2025, 6, 2),
        deadline=D(2025, 5, 30),
        start=D(2025, 5, 1),
        progress=100,
        completed_on=D(2025, 5, 31),
        working_days_until=until,
    )
    assert (late.color, late.code) == ("red", "deadline_passed")
