"""Publicity periods (luoshi.core.publicity): the working-day arithmetic over a calendar with
holidays and make-up days, the same over the seeded calendar with its warning, whether a period
is open or over on a day, and whether a result may become final (over, no open objection)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation

from luoshi.appraisal.models import AnnualCycle, Objection
from luoshi.core import publicity
from luoshi.core.calendar import ensure_seeded
from luoshi.core.publicity import Period

D = dt.date

# 2025: National Day and Mid-Autumn 10-01 to 10-08 off; Sunday 9-28 and Saturday 10-11 worked.
HOLIDAYS = {D(2025, 10, d) for d in range(1, 9)} | {D(2026, 1, 1)}
MAKEUP = {D(2025, 9, 28), D(2025, 10, 11)}


def working(day: dt.date) -> bool:
    return day in MAKEUP or (day.weekday() < 5 and day not in HOLIDAYS)


def add(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        n -= working(day)
    return day


def last(start: dt.date, n: int = 5, *, start_counts: bool = True) -> dt.date:
    return publicity.last_day(
        start, n, start_counts=start_counts, is_working_day=working, add_working_days=add
    )


# --- the arithmetic ------------------------------------------------------------------------------


def test_a_working_publication_day_is_the_first_of_the_days() -> None:
    assert last(D(2025, 12, 1)) == D(2025, 12, 5)  # Monday to Friday
    assert last(D(2025, 12, 3)) == D(2025, 12, 9)  # Wednesday to next Tuesday
    assert last(D(2025, 12, 1), 1) == D(2025, 12, 1)  # one day: the publication day itself


def test_a_publication_day_off_work_starts_the_days_with_the_next_working_day() -> None:
    assert last(D(2025, 12, 6)) == D(2025, 12, 12)  # Saturday: Monday to Friday
    assert last(D(2025, 12, 6), 1) == D(2025, 12, 8)


def test_the_publication_day_may_be_left_out() -> None:
    assert last(D(2025, 12, 1), start_counts=False) == D(2025, 12, 8)
    assert last(D(2025, 12, 6), start_counts=False) == D(2025, 12, 12)


def test_holidays_are_skipped_and_make_up_days_count() -> None:
    # Sep 29, 30, (Oct 1-8 off), Oct 9, 10, 11 (a make-up Saturday)
    assert last(D(2025, 9, 29)) == D(2025, 10, 11)
    # the make-up Sunday Sep 28 is a working publication day: 28, 29, 30, Oct 9, 10
    assert last(D(2025, 9, 28)) == D(2025, 10, 10)
    assert last(D(2025, 12, 31), 2) == D(2026, 1, 2)  # New Year's Day is off
    assert last(D(2026, 1, 1), 2) == D(2026, 1, 5)  # published on the holiday itself


def test_fewer_than_one_working_day_counts_as_one() -> None:
    assert last(D(2025, 12, 1), 0) == D(2025, 12, 1)
    assert last(D(2025, 12, 6), -3) == D(2025, 12, 8)


# --- open, over --------------------------------------------------------------------------------


def test_a_period_is_open_from_its_first_to_its_last_day_and_over_after() -> None:
    p = Period(D(2025, 12, 1), D(2025, 12, 5))
    assert not p.is_open(D(2025, 11, 30))
    assert p.is_open(D(2025, 12, 1)) and p.is_open(D(2025, 12, 5))
    assert not p.is_open(D(2025, 12, 6))
    assert not p.is_over(D(2025, 12, 5))
    assert p.is_over(D(2025, 12, 6))


def test_a_period_without_an_end_is_never_over() -> None:
    assert not publicity.is_over(None, D(2099, 1, 1))
    assert publicity.is_over(D(2025, 12, 5), D(2025, 12, 6))
    assert not publicity.is_over(D(2025, 12, 5), D(2025, 12, 5))


# --- on the seeded calendar --------------------------------------------------------------------


@pytest.fixture
def _calendar() -> Iterator[None]:
    """The migration seeds the calendar; a transactional test's flush elsewhere empties it."""
    ensure_seeded()
    with translation.override("en"):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("_calendar")
def test_the_period_on_the_working_day_calendar() -> None:
    answer = publicity.period(D(2025, 9, 29), 5)
    assert answer.value == Period(D(2025, 9, 29), D(2025, 10, 11))
    assert answer.warning == ""
    assert publicity.period(D(2025, 9, 28), 5).value.end == D(2025, 10, 10)
    assert publicity.period(D(2025, 12, 1), 5, start_counts=False).value.end == D(2025, 12, 8)


@pytest.mark.django_db
@pytest.mark.usefixtures("_calendar")
def test_a_period_in_a_year_the_calendar_does_not_cover_carries_a_warning() -> None:
    answer = publicity.period(D(2098, 12, 29), 5)  # Monday: Mon-Wed, then Thu-Fri of 2099
    assert answer.value.end == D(2099, 1, 2)
    assert answer.uncovered_years == (2098, 2099)
    assert "2098" in answer.warning and "Monday to Friday" in answer.warning


# --- finalisable ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_result_becomes_final_once_the_period_is_over_and_every_objection_answered(
    org,
) -> None:
    cycle = AnnualCycle.objects.create(agency=org.agency, year=2025, as_of=D(2025, 12, 31))
    end = D(2025, 12, 5)
    assert publicity.can_finalize(end, D(2025, 12, 6), open_objections=cycle.objections.open())
    assert not publicity.can_finalize(end, D(2025, 12, 5), open_objections=cycle.objections.open())
    assert not publicity.can_finalize(
        None, D(2025, 12, 6), open_objections=Objection.objects.open()
    )

    objection = Objection.objects.create(cycle=cycle, text="请核实")
    assert list(cycle.objections.open()) == [objection]
    assert not publicity.can_finalize(end, D(2025, 12, 6), open_objections=cycle.objections.open())

    objection.answer, objection.answered_at = "经核实无误", objection.raised_at
    objection.save()
    assert not cycle.objections.open().exists()
    assert publicity.can_finalize(end, D(2025, 12, 6), open_objections=cycle.objections.open())
