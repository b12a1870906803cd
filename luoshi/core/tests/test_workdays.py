"""The working-day calendar: the table seeded from chinesecalendar, the computations over it,
their warnings past coverage, administrators' edits (seen at once), the CSV import and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from luoshi.core import calendar as services
from luoshi.core import workdays
from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.core.models import AuditEntry, CalendarDay, CalendarYear
from luoshi.core.workdays import WorkCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, the source language."""
    with translation.override("en"):
        yield


D = dt.date

MAKEUP_2025 = [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]
MAKEUP_2026 = [
    D(2026, 1, 4),
    D(2026, 2, 14),
    D(2026, 2, 28),
    D(2026, 5, 9),
    D(2026, 9, 20),
    D(2026, 10, 10),
]


@pytest.fixture(autouse=True)
def _seeded() -> None:
    """The migration seeds the calendar; a transactional test's flush elsewhere empties it.
    The calendar ends with 2026 here, as chinesecalendar 1.11 does, even after an upgrade."""
    services.ensure_seeded()
    CalendarDay.objects.filter(date__gte=D(2027, 1, 1)).delete()
    CalendarYear.objects.filter(year__gte=2027).delete()


def _year_days(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(date__year=year))


# --- the seed -----------------------------------------------------------------------------------


def test_the_migration_seeded_every_year_the_package_knows() -> None:
    years = dict(CalendarYear.objects.values_list("year", "covered"))
    assert list(years) == list(range(2004, 2027))
    assert all(years.values())
    assert CalendarDay.objects.count() == sum(366 if y % 4 == 0 else 365 for y in years)
    assert CalendarYear.objects.get(year=2025).seeded_from.startswith("chinesecalendar")


@pytest.mark.parametrize(("year", "makeup"), [(2025, MAKEUP_2025), (2026, MAKEUP_2026)])
def test_2025_and_2026_have_248_working_days_and_the_official_make_up_days(
    year: int, makeup: list[dt.date]
) -> None:
    days = _year_days(year)
    assert sum(d.is_working_day for d in days) == 248
    assert [d.date for d in days if d.kind == CalendarDay.Kind.MAKEUP] == makeup
    assert all(d.date.weekday() >= 5 for d in days if d.kind == CalendarDay.Kind.MAKEUP)
    last = D(year - 1, 12, 31)
    assert workdays.working_days_between(last, D(year, 12, 31)).value == 248


def test_national_day_2025_is_eight_days_off_with_its_chinese_name() -> None:
    days = {d.date: d for d in _year_days(2025)}
    for day in range(1, 9):
        row = days[D(2025, 10, day)]
        assert (row.kind, row.is_working_day) == (CalendarDay.Kind.HOLIDAY, False)
    assert days[D(2025, 10, 1)].name == "国庆节"
    assert days[D(2025, 10, 6)].name == "中秋节"
    assert days[D(2025, 9, 28)].name == "国庆节"  # the make-up day carries its holiday's name
    assert days[D(2025, 10, 9)].kind == CalendarDay.Kind.WORKDAY


def test_seeding_is_idempotent_and_never_overwrites_an_edit(org) -> None:
    services.calendar_day_set(
        actor=org.users["admin"], can_edit=True, day=D(2026, 3, 2), setting="holiday", name="x"
    )
    assert services.seed_years(CalendarDay, CalendarYear) == []
    assert services.ensure_seeded() == []
    assert CalendarDay.objects.get(date=D(2026, 3, 2)).kind == CalendarDay.Kind.HOLIDAY
    # a year that went missing is put back whole
    CalendarDay.objects.filter(date__year=2024).delete()
    CalendarYear.objects.filter(year=2024).delete()
    assert services.ensure_seeded() == [2024]
    assert len(_year_days(2024)) == 366


def test_the_database_refuses_a_kind_that_contradicts_is_working_day() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.filter(date=D(2025, 10, 1)).update(is_working_day=True)


# --- the computations ---------------------------------------------------------------------------


def test_five_working_days_from_26_september_2025_cross_national_day() -> None:
    """Issue 4: assigned Friday 2025-09-26. Sunday 9/28 is a make-up working day (1), 9/29 (2),
    9/30 (3), 10/1–10/8 off, 10/9 (4), 10/10 (5)."""
    answer = workdays.add_working_days(D(2025, 9, 26), 5)
    assert answer.value == D(2025, 10, 10)
    assert answer.covered and answer.warning == ""
    steps = [workdays.add_working_days(D(2025, 9, 26), n).value for n in range(1, 6)]
    assert steps == [
        D(2025, 9, 28),
        D(2025, 9, 29),
        D(2025, 9, 30),
        D(2025, 10, 9),
        D(2025, 10, 10),
    ]
    assert workdays.working_days_between(D(2025, 9, 26), D(2025, 10, 10)).value == 5
    assert workdays.next_working_day(D(2025, 9, 30)).value == D(2025, 10, 9)
    assert workdays.is_working_day(D(2025, 9, 28)).value is True  # a Sunday
    assert workdays.is_working_day(D(2025, 10, 6)).value is False  # a Monday


def test_the_semantics_of_zero_negative_and_between() -> None:
    saturday = D(2025, 10, 18)
    assert workdays.add_working_days(saturday, 0).value == saturday  # 0: the day itself
    assert workdays.add_working_days(D(2025, 10, 9), -1).value == D(2025, 9, 30)
    assert workdays.add_working_days(D(2025, 10, 12), -1).value == D(2025, 10, 11)  # make-up Sat
    assert workdays.add_working_days(D(2025, 10, 10), -5).value == D(2025, 9, 26)
    # (a, b]: a not counted, b counted; reversed dates give the negative count
    assert workdays.working_days_between(D(2025, 10, 9), D(2025, 10, 10)).value == 1
    assert workdays.working_days_between(D(2025, 10, 10), D(2025, 10, 10)).value == 0
    assert workdays.working_days_between(D(2025, 10, 10), D(2025, 9, 26)).value == -5
    for n in range(0, 30):
        start = D(2025, 9, 20)
        end = workdays.add_working_days(start, n).value
        assert workdays.working_days_between(start, end).value == n


def test_past_coverage_the_answer_counts_monday_to_friday_and_says_so() -> None:
    answer = workdays.add_working_days(D(2026, 12, 25), 10)
    # 12/28–12/31 (4), then 2027 Mon–Fri: 1/1 (5), 1/4–1/8 (10) — New Year's Day is not known
    assert answer.value == D(2027, 1, 8)
    assert not answer.covered
    assert answer.uncovered_years == (2027,)
    assert answer.covered_until == D(2026, 12, 31)
    assert "2027" in answer.warning and "2026-12-31" in answer.warning
    assert workdays.covered_until() == D(2026, 12, 31)
    assert workdays.is_working_day(D(2027, 1, 1)).warning
    assert workdays.working_days_between(D(2026, 12, 31), D(2027, 1, 5)).uncovered_years == (2027,)
    assert workdays.add_working_days(D(2003, 12, 30), 1).uncovered_years == (2003,)
    # not touching 2027 → no warning, even close to the edge
    assert workdays.add_working_days(D(2026, 12, 28), 3).warning == ""
    data = workdays.add_working_days(D(2026, 12, 25), 10).as_dict()
    assert data["covered"] is False and data["value"] == "2027-01-08" and data["warning"]


def test_an_administrators_edit_changes_the_next_answer_at_once(org) -> None:
    before = workdays.add_working_days(D(2026, 3, 6), 1)  # Friday → Monday 3/9
    assert before.value == D(2026, 3, 9)
    services.calendar_day_set(
        actor=org.users["admin"], can_edit=True, day=D(2026, 3, 9), setting="holiday", name="测试"
    )
    assert workdays.add_working_days(D(2026, 3, 6), 1).value == D(2026, 3, 10)
    services.calendar_day_set(
        actor=org.users["admin"], can_edit=True, day=D(2026, 3, 7), setting="makeup", name="测试"
    )
    assert workdays.add_working_days(D(2026, 3, 6), 1).value == D(2026, 3, 7)
    services.calendar_day_set(
        actor=org.users["admin"], can_edit=True, day=D(2026, 3, 7), setting="normal"
    )
    services.calendar_day_set(
        actor=org.users["admin"], can_edit=True, day=D(2026, 3, 9), setting="normal"
    )
    assert workdays.add_working_days(D(2026, 3, 6), 1).value == D(2026, 3, 9)


def test_one_calendar_reads_the_year_list_once_and_each_year_once() -> None:
    calendar = WorkCalendar()
    with CaptureQueriesContext(connection) as queries:
        calendar.add_working_days(D(2025, 9, 26), 5)
        calendar.working_days_between(D(2025, 1, 1), D(2025, 12, 31))
        calendar.is_working_day(D(2025, 10, 1))
    assert len(queries) == 2  # the years, then 2025's days
    with CaptureQueriesContext(connection) as queries:
        calendar.add_working_days(D(2025, 12, 30), 5)  # reaches into 2026
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        calendar.add_working_days(D(2026, 12, 30), 5)  # 2027 is not in the table: no query
    assert len(queries) == 0


def test_dates_only_and_sane_bounds() -> None:
    with pytest.raises(TypeError):
        workdays.add_working_days(dt.datetime(2025, 1, 1, 8, 0), 1)  # a datetime is no date here
    with pytest.raises(InvalidInput):
        workdays.add_working_days(D(2025, 1, 1), workdays.MAX_WORKING_DAYS + 1)
    with pytest.raises(InvalidInput):
        workdays.working_days_between(D(1900, 1, 1), D(2100, 1, 1))


# --- administrators' edits ----------------------------------------------------------------------


def test_setting_a_day_is_checked_and_audited(org) -> None:
    admin = org.users["admin"]
    with pytest.raises(Forbidden):
        services.calendar_day_set(
            actor=org.users["staff"], can_edit=False, day=D(2026, 3, 9), setting="holiday"
        )
    with pytest.raises(InvalidInput, match="Saturday or Sunday"):
        services.calendar_day_set(actor=admin, can_edit=True, day=D(2026, 3, 9), setting="makeup")
    with pytest.raises(InvalidInput, match="add it first"):
        services.calendar_day_set(actor=admin, can_edit=True, day=D(2031, 3, 8), setting="makeup")
    with pytest.raises(InvalidInput):
        services.calendar_day_set(actor=admin, can_edit=True, day=D(2026, 3, 9), setting="x")
    row = services.calendar_day_set(
        actor=admin, can_edit=True, day=D(2026, 3, 9), setting="holiday", name=" 测试节 "
    )
    assert (row.kind, row.is_working_day, row.name, row.source) == (
        "holiday",
        False,
        "测试节",
        "edited",
    )
    entry = AuditEntry.objects.filter(action="calendar.day_set").get()
    assert entry.actor == admin and entry.object_id == str(row.pk)
    assert entry.before == {
        "kind": "workday",
        "is_working_day": True,
        "name": "",
        "source": "seeded",
    }
    assert entry.after == {
        "kind": "holiday",
        "is_working_day": False,
        "name": "测试节",
        "source": "edited",
    }
    # the same setting again changes nothing and records nothing
    services.calendar_day_set(
        actor=admin, can_edit=True, day=D(2026, 3, 9), setting="holiday", name="测试节"
    )
    assert AuditEntry.objects.filter(action="calendar.day_set").count() == 1


def test_a_new_year_starts_monday_to_friday_and_warns_until_confirmed(org) -> None:
    admin = org.users["admin"]
    row = services.calendar_year_add(actor=admin, can_edit=True, year=2027)
    assert (row.covered, row.seeded_from) == (False, "")
    assert len(_year_days(2027)) == 365
    assert workdays.add_working_days(D(2026, 12, 31), 1).value == D(2027, 1, 1)
    assert workdays.add_working_days(D(2026, 12, 31), 1).uncovered_years == (2027,)
    with pytest.raises(InvalidInput, match="already"):
        services.calendar_year_add(actor=admin, can_edit=True, year=2027)
    services.calendar_day_set(
        actor=admin, can_edit=True, day=D(2027, 1, 1), setting="holiday", name="元旦"
    )
    # a year started but not confirmed: its rows are used, with the warning
    answer = workdays.add_working_days(D(2026, 12, 31), 1)
    assert (answer.value, answer.uncovered_years) == (D(2027, 1, 4), (2027,))
    services.calendar_year_set_covered(actor=admin, can_edit=True, year=2027, covered=True)
    answer = workdays.add_working_days(D(2026, 12, 31), 1)
    assert (answer.value, answer.warning) == (D(2027, 1, 4), "")
    assert workdays.covered_until() == D(2027, 12, 31)
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["calendar.year_add", "calendar.day_set", "calendar.year_covered"]


def test_a_year_the_package_knows_is_added_from_it_and_complete(org) -> None:
    CalendarDay.objects.filter(date__year=2026).delete()
    CalendarYear.objects.filter(year=2026).delete()
    row = services.calendar_year_add(actor=org.users["admin"], can_edit=True, year=2026)
    assert row.covered and row.seeded_from.startswith("chinesecalendar")
    assert workdays.working_days_between(D(2025, 12, 31), D(2026, 12, 31)).value == 248
    entry = AuditEntry.objects.filter(action="calendar.year_add").get()
    assert entry.after is not None
    assert entry.after["working_days"] == 248 and entry.after["makeup_days"] == 6


# --- CSV import ---------------------------------------------------------------------------------

GOOD_CSV = """date,kind,name
2027-01-01,holiday,元旦
2027/2/6,节假日,春节
2027年2月20日,调休上班,春节
2027-10-01,holiday,国庆节
2027-09-26,makeup,国庆节
"""


def test_a_csv_with_problems_is_refused_whole_with_each_row_named(org) -> None:
    bad = (
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"  # 2: fine
        "2027-02-30,holiday,春节\n"  # 3: no such date
        "2027-02-06,day off,春节\n"  # 4: unknown kind
        "2027-01-01,holiday,元旦\n"  # 5: twice
        "2027-03-03,makeup,\n"  # 6: a Wednesday cannot be a make-up day
        "1999-10-01,holiday,国庆节\n"  # 7: out of range
    ).encode()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as caught:
        services.calendar_import(
            actor=org.users["admin"],
            can_edit=True,
            data=bad,
            file_name="bad.csv",
            mark_covered=True,
        )
    problems = [(d["row"], d["column"]) for d in caught.value.details]
    assert problems == [(3, "date"), (4, "kind"), (5, "date"), (6, "kind"), (7, "date")]
    messages = {d["row"]: d["message"] for d in caught.value.details}
    assert "2027-02-30" in messages[3] and "row 2" in messages[5] and "Saturday" in messages[6]
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert AuditEntry.objects.count() == audit_before


def test_a_good_csv_adds_the_year_applies_every_row_and_confirms_it(org) -> None:
    plan = services.calendar_import_plan(GOOD_CSV.encode("gb18030"))  # Excel's Chinese CSV
    assert plan.ok and plan.new_years == [2027] and len(plan.changes) == 5
    result = services.calendar_import(
        actor=org.users["admin"],
        can_edit=True,
        data=GOOD_CSV.encode("utf-8-sig"),
        file_name="2027.csv",
        mark_covered=True,
    )
    assert (result.changed, result.unchanged, result.new_years) == (5, 0, [2027])
    assert result.covered_years == [2027]
    days = {d.date: d for d in _year_days(2027)}
    assert (days[D(2027, 2, 20)].kind, days[D(2027, 2, 20)].source) == ("makeup", "imported")
    assert days[D(2027, 2, 6)].name == "春节"
    assert CalendarYear.objects.get(year=2027).covered
    # 2026-12-31 + 1: 1/1 is a holiday now, and no warning
    answer = workdays.add_working_days(D(2026, 12, 31), 1)
    assert (answer.value, answer.warning) == (D(2027, 1, 4), "")
    summary = AuditEntry.objects.get(action="calendar.import")
    assert summary.after is not None
    assert summary.after["changed"] == 5 and summary.after["file"] == "2027.csv"
    assert AuditEntry.objects.filter(action="calendar.day_set").count() == 5
    # importing it again changes nothing
    again = services.calendar_import(
        actor=org.users["admin"],
        can_edit=True,
        data=GOOD_CSV.encode(),
        file_name="2027.csv",
        mark_covered=True,
    )
    assert (again.changed, again.unchanged, again.new_years) == (0, 5, [])


def test_an_import_without_rows_or_as_someone_else_does_nothing(org) -> None:
    assert not services.calendar_import_plan(b"date,kind,name\n\n").ok
    assert not services.calendar_import_plan(b"\xff\xfe\x00garbage\xff").ok
    with pytest.raises(Forbidden):
        services.calendar_import(
            actor=org.users["staff"],
            can_edit=False,
            data=GOOD_CSV.encode(),
            file_name="x.csv",
            mark_covered=True,
        )


# --- the command --------------------------------------------------------------------------------


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("workdays", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_cli_adds_working_days() -> None:
    assert _run("add", "2025-09-26", "5") == ("2025-10-10\n", "")
    assert _run("add", "2025-10-10", "-5")[0] == "2025-09-26\n"
    assert _run("between", "2025-09-26", "2025-10-10")[0] == "5\n"
    out, err = _run("add", "2026-12-25", "10")
    assert out == "2027-01-08\n" and "2027" in err


def test_the_cli_answers_json_with_the_warning_inside() -> None:
    out, err = _run("add", "2025-09-26", "5", "--json")
    data = json.loads(out)
    assert data["date"] == "2025-10-10" and data["n"] == 5 and data["start"] == "2025-09-26"
    assert data["covered"] is True and data["warning"] is None and err == ""
    data = json.loads(_run("add", "2026-12-25", "10", "--json")[0])
    assert data["date"] == "2027-01-08" and data["covered"] is False
    assert data["uncovered_years"] == [2027] and "2027" in data["warning"]
    data = json.loads(_run("between", "2025-09-26", "2025-10-10", "--json")[0])
    assert data["count"] == 5


def test_the_cli_refuses_malformed_arguments() -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not a date"):
        _run("add", "26.9.2025", "5")
    with pytest.raises(CommandError, match="whole number"):
        _run("add", "2025-09-26", "five")


def test_the_cli_seed_adds_nothing_to_a_seeded_calendar() -> None:
    assert _run("seed")[0] == "nothing to add\n"
