"""The light engine: the pure rules exhaustively (no database), the stored reason's exact form,
the working-days counter over the real calendar with its 60-day shortcut, and the generic batch
refresh (batches, only changed rows written, the count, the per-batch hook)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from luoshi.core import lights
from luoshi.core.lights import (
    CLOSED,
    GREEN,
    GREY,
    NOT_STARTED,
    OPEN,
    RED,
    YELLOW,
    Light,
    LightResult,
    LightThresholds,
    MilestoneState,
    WorkingDaysUntil,
    compute_light,
    decode_light_code,
    elapsed_share,
    encode_reason,
    reason_text,
    stored_reason_text,
    working_days_counter,
)
from luoshi.core.workdays import WorkCalendar
from luoshi.plans.models import Task

D = dt.date


def weekdays_until(today: dt.date, day: dt.date) -> int:
    """Mon–Fri working days in (today, day] — a stand-in calendar for the pure rules."""
    count, current = 0, today
    while current < day:
        current += dt.timedelta(days=1)
        count += current.weekday() < 5
    return count


def light(**kw: Any) -> LightResult:
    base: dict[str, Any] = dict(
        phase=OPEN,
        today=D(2026, 3, 2),
        deadline=D(2026, 12, 31),
        start=D(2026, 1, 1),
        progress=20,
        milestones=[],
        working_days_until=weekdays_until,
    )
    base.update(kw)
    return compute_light(**base)


# --- the colours ---------------------------------------------------------------------------


def test_the_colours_are_the_stored_values_worst_first() -> None:
    assert (RED, YELLOW, GREEN, GREY) == ("red", "yellow", "green", "grey") == lights.LIGHTS
    assert set(Light.values) == set(lights.LIGHTS)
    with translation.override("en"):
        assert str(Light.GREY.label) == "Grey · not started or closed"


# --- the rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(("phase", "code"), [(NOT_STARTED, "not_started"), (CLOSED, "closed")])
def test_grey_when_not_started_or_closed(phase: str, code: str) -> None:
    result = light(phase=phase, deadline=D(2020, 1, 1))
    assert (result.color, result.code) == (GREY, code)


def test_red_when_the_deadline_passed() -> None:
    result = light(deadline=D(2026, 2, 27))
    assert result.color == RED and "2026-02-27" in result.reason
    assert result.params == (("date", "2026-02-27"),)


def test_the_deadline_day_itself_is_not_overdue() -> None:
    assert light(deadline=D(2026, 3, 2), progress=90).color == YELLOW


def test_red_when_a_milestone_passed_undone() -> None:
    ms = [MilestoneState("方案", D(2026, 2, 28), None)]
    assert light(milestones=ms).color == RED
    done = [MilestoneState("方案", D(2026, 2, 28), D(2026, 2, 27))]
    assert light(milestones=done).color == GREEN


def test_the_earliest_overdue_milestone_is_named_and_titles_are_cut_at_60() -> None:
    ms = [
        MilestoneState("后", D(2026, 2, 20), None),
        MilestoneState("前" * 80, D(2026, 2, 10), None),
    ]
    result = light(milestones=ms)
    assert result.code == "milestone_overdue"
    assert dict(result.params) == {"title": "前" * 60, "date": "2026-02-10"}


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
    assert result.code == "milestone_near"


def test_a_near_deadline_is_named_before_a_near_milestone() -> None:
    ms = [MilestoneState("中期评估", D(2026, 3, 3), None)]
    assert light(deadline=D(2026, 3, 4), milestones=ms, progress=90).code == "deadline_near"


def test_yellow_when_progress_lags_time() -> None:
    # Half the year gone (2026-07-02), 30 % done: behind by 20 points > 15.
    result = light(today=D(2026, 7, 2), progress=30)
    assert result.color == YELLOW and result.code == "behind"
    assert dict(result.params) == {"progress": 30, "elapsed": 50}
    assert light(today=D(2026, 7, 2), progress=40).color == GREEN
    lax = LightThresholds(behind_tolerance=25)
    assert light(today=D(2026, 7, 2), progress=30, thresholds=lax).color == GREEN


def test_red_wins_over_yellow() -> None:
    ms = [MilestoneState("a", D(2026, 3, 1), None), MilestoneState("b", D(2026, 3, 3), None)]
    assert light(milestones=ms).color == RED


def test_no_deadline_no_start_is_green() -> None:
    result = light(deadline=None, start=None, progress=0)
    assert (result.color, result.code, result.params) == (GREEN, "on_track", ())


def test_elapsed_share() -> None:
    assert elapsed_share(D(2026, 1, 1), D(2026, 1, 11), D(2026, 1, 6)) == 0.5
    assert elapsed_share(D(2026, 1, 1), D(2026, 1, 11), D(2025, 1, 1)) == 0
    assert elapsed_share(D(2026, 1, 1), D(2026, 1, 11), D(2027, 1, 1)) == 1
    assert elapsed_share(None, D(2026, 1, 11), D(2026, 1, 6)) is None
    assert elapsed_share(D(2026, 1, 11), D(2026, 1, 11), D(2026, 1, 6)) is None


# --- the stored reason ---------------------------------------------------------------------


def test_the_stored_reason_is_json_code_and_params_byte_for_byte() -> None:
    result = light(milestones=[MilestoneState("方案", D(2026, 2, 28), None)])
    assert result.light_code == '["milestone_overdue", {"title": "方案", "date": "2026-02-28"}]'
    assert LightResult(GREEN, "on_track").light_code == '["on_track", {}]'
    assert encode_reason("behind", {"progress": 30, "elapsed": 50}) == (
        '["behind", {"progress": 30, "elapsed": 50}]'
    )
    assert len(encode_reason("milestone_overdue", {"title": "长" * 300})) == 200


def test_a_stored_reason_decodes_and_reads_in_the_current_language() -> None:
    stored = '["deadline_passed", {"date": "2026-02-27"}]'
    assert decode_light_code(stored) == ("deadline_passed", {"date": "2026-02-27"})
    with translation.override("en"):
        assert stored_reason_text(stored) == "Deadline 2026-02-27 passed"
        assert stored_reason_text('["on_track", {}]') == "On track"
    for broken in ("", "not json", "[1]", '"x"'):
        assert stored_reason_text(broken) == ""
    assert stored_reason_text('["unknown", {}]') == ""


def test_an_app_extends_the_reasons_with_its_own_codes() -> None:
    texts = {**lights.REASONS, "paused": "Paused"}
    assert reason_text("paused", texts=texts) == "Paused"
    assert reason_text("paused") == ""
    with translation.override("en"):
        assert stored_reason_text('["closed", {}]', texts=texts) == "Closed"


# --- the working-days counter --------------------------------------------------------------


@pytest.mark.django_db
def test_the_counter_counts_working_days_up_to_60_calendar_days() -> None:
    until = working_days_counter(WorkCalendar())
    calendar = WorkCalendar()
    today = D(2026, 3, 6)  # a Friday
    assert until(today, today) == 0 and until(today, D(2026, 3, 1)) == 0
    assert until(today, D(2026, 3, 11)) == 3
    # 2026-04-05 is Qingming (a Sunday) with Monday 04-06 off: the calendar knows it.
    day = D(2026, 4, 30)
    assert until(today, day) == calendar.working_days_between(today, day).value
    exactly_60 = today + dt.timedelta(days=60)
    assert until(today, exactly_60) == calendar.working_days_between(today, exactly_60).value
    assert until(today, exactly_60) < 60


@pytest.mark.django_db
def test_beyond_60_days_the_counter_answers_calendar_days_without_reading_the_calendar() -> None:
    calendar = WorkCalendar()
    until = working_days_counter(calendar)
    today = D(2026, 3, 6)
    with CaptureQueriesContext(connection) as queries:
        assert until(today, today + dt.timedelta(days=61)) == 61
        assert until(today, D(2030, 1, 1)) == (D(2030, 1, 1) - today).days
    assert len(queries) == 0
    # never smaller than the working days, so it never turns a light yellow by mistake
    far = today + dt.timedelta(days=61)
    assert until(today, far) >= calendar.working_days_between(today, far).value


# --- the batch refresh ---------------------------------------------------------------------


def _tasks(org: Any, n: int) -> list[Task]:
    """Rows for the refresh: the engine has no model of its own, so a model with the three light
    fields (a task, built in the app above core) stands in."""
    return [
        Task.objects.create(code=f"T-{i}", title=f"任务{i}", lead_unit=org.office, progress=i * 10)
        for i in range(n)
    ]


def _by_progress(row: Task, day: dt.date, until: WorkingDaysUntil) -> LightResult:
    """A stand-in rule: red from 30 % (so the refresh's bookkeeping is what is tested)."""
    assert until(day, day + dt.timedelta(days=1)) >= 0
    if row.progress >= 30:
        return LightResult(RED, "deadline_passed", (("date", day.isoformat()),))
    return LightResult(GREEN, "on_track")


def test_refresh_writes_changed_rows_in_batches_and_counts_colour_changes(org: Any) -> None:
    rows = _tasks(org, 5)  # progress 0, 10, 20, 30, 40: two turn red, three green
    qs = Task.objects.filter(pk__in=[r.pk for r in rows])
    batches: list[list[int]] = []
    day = D(2026, 3, 2)

    def hook(recoloured: list[Task]) -> None:
        batches.append([r.pk for r in recoloured])

    # every row is grey with no reason: all five are written, five change colour
    assert lights.refresh(qs, light_of=_by_progress, today=day, batch=2, after_batch=hook) == 5
    assert len(batches) == 3  # 2 + 2 + 1, in primary-key order
    assert [pk for batch in batches for pk in batch] == sorted(r.pk for r in rows)
    stored = {r.pk: (r.light, r.light_code, r.light_checked_on) for r in qs}
    assert stored[rows[0].pk] == (GREEN, '["on_track", {}]', day)
    assert stored[rows[4].pk] == (RED, '["deadline_passed", {"date": "2026-03-02"}]', day)

    # the same day again: nothing is written, nothing counted, the hook sees no row
    batches.clear()
    with CaptureQueriesContext(connection) as queries:
        assert lights.refresh(qs, light_of=_by_progress, today=day, batch=2, after_batch=hook) == 0
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert batches == [[], [], []]

    # the next day: the reason's date changes on the two red rows, written in one statement
    # with the day; the green ones are left alone; no colour changes
    nxt = D(2026, 3, 3)
    with CaptureQueriesContext(connection) as queries:
        assert lights.refresh(qs, light_of=_by_progress, today=nxt) == 0
    assert len([q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]) == 1
    checked = dict(qs.values_list("pk", "light_checked_on"))
    assert {checked[r.pk] for r in rows[3:]} == {nxt}
    assert {checked[r.pk] for r in rows[:3]} == {day}
    assert qs.get(pk=rows[3].pk).light_code == '["deadline_passed", {"date": "2026-03-03"}]'


def test_refresh_of_nothing_is_nothing(org: Any) -> None:
    rows = _tasks(org, 1)
    qs = Task.objects.filter(pk=rows[0].pk).none()
    assert lights.refresh(qs, light_of=_by_progress, today=D(2026, 3, 2)) == 0


@pytest.mark.django_db
def test_the_counter_agrees_with_the_calendar_on_every_pair_within_60_days() -> None:
    """The counter answers from running counts per year: the same as walking the calendar for
    every day and every span up to 60 days, across a new year and into a year the calendar does
    not cover (Monday to Friday there)."""
    calendar = WorkCalendar()
    until = working_days_counter(calendar)
    uncovered = max(calendar.years()) + 1
    starts = [D(2026, 1, 1) + dt.timedelta(days=i) for i in range(0, 365, 7)]
    starts += [D(uncovered - 1, 11, 1) + dt.timedelta(days=i) for i in range(0, 92, 3)]
    for today in starts:
        for span in range(0, 61):
            day = today + dt.timedelta(days=span)
            assert until(today, day) == calendar.working_days_between(today, day).value, (
                today,
                day,
            )
