"""When a light changes by date alone: for many generated rows and days, the light stays the
same on every day before `next_change` and differs on it (so the tick, which recomputes a row
only from that day, misses nothing and recomputes nothing in vain); None means it never changes
by date. Pure rules, no database."""

from __future__ import annotations

import datetime as dt
import random

from luoshi.core.lights import (
    CLOSED,
    NOT_STARTED,
    OPEN,
    LightThresholds,
    MilestoneState,
    compute_light,
    next_change,
)

D = dt.date
ONE = dt.timedelta(days=1)
HOLIDAYS = {D(2026, 2, 16) + dt.timedelta(days=i) for i in range(9)} | {
    D(2026, 10, 1) + dt.timedelta(days=i) for i in range(8)
}


def until(today: dt.date, day: dt.date) -> int:
    """A calendar with weekends and two long holidays, and the engine's 60-day shortcut."""
    if day <= today:
        return 0
    if (day - today).days > 60:
        return (day - today).days
    count, current = 0, today
    while current < day:
        current += ONE
        count += current.weekday() < 5 and current not in HOLIDAYS
    return count


def _case(rng: random.Random) -> dict[str, object]:
    start = D(2026, 1, 1) + dt.timedelta(days=rng.randint(-30, 200))
    deadline = (
        None if rng.random() < 0.1 else start + dt.timedelta(days=rng.choice([1, 5, 20, 90, 300]))
    )
    milestones = [
        MilestoneState(
            f"节点{i}",
            start + dt.timedelta(days=rng.randint(0, 120)),
            None if rng.random() < 0.7 else start,
        )
        for i in range(rng.choice([0, 0, 1, 3]))
    ]
    return dict(
        phase=rng.choice([OPEN] * 8 + [NOT_STARTED, CLOSED]),
        deadline=deadline,
        start=None if rng.random() < 0.1 else start,
        progress=rng.choice([0, 5, 20, 40, 60, 85, 100]),
        milestones=milestones,
        working_days_until=until,
        thresholds=LightThresholds(rng.choice([1, 3, 5]), rng.choice([0, 15, 30])),
    )


def test_the_light_changes_on_its_next_change_day_and_not_before() -> None:
    rng = random.Random(19)
    checked = 0
    for _ in range(400):
        case = _case(rng)
        today = D(2026, 1, 1) + dt.timedelta(days=rng.randint(-40, 330))
        now = compute_light(today=today, **case)  # type: ignore[arg-type]
        nxt = next_change(today=today, **case)  # type: ignore[arg-type]
        horizon = nxt if nxt is not None else today + dt.timedelta(days=500)
        day = today + ONE
        while day < horizon:
            assert compute_light(today=day, **case) == now, (case, today, day)  # type: ignore[arg-type]
            day += ONE
        if nxt is not None:
            assert nxt > today
            assert compute_light(today=nxt, **case) != now, (case, today, nxt)  # type: ignore[arg-type]
            checked += 1
    assert checked > 150  # most generated rows do change some day


def test_a_final_light_has_no_next_change() -> None:
    base = dict(start=D(2026, 1, 1), progress=0, working_days_until=until)
    assert next_change(phase=CLOSED, today=D(2026, 3, 2), deadline=None, **base) is None  # type: ignore[arg-type]
    assert next_change(phase=NOT_STARTED, today=D(2026, 3, 2), deadline=None, **base) is None  # type: ignore[arg-type]
    past = D(2026, 3, 1)
    assert next_change(phase=OPEN, today=D(2026, 3, 2), deadline=past, **base) is None  # type: ignore[arg-type]
    # no deadline, no milestone, no start: green for good
    assert (
        next_change(
            phase=OPEN,
            today=D(2026, 3, 2),
            deadline=None,
            start=None,
            progress=0,
            working_days_until=until,
        )
        is None
    )
