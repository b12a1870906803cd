"""Working days (工作日) from the calendar table, RULES.md §6.

The table `CalendarDay` holds every day of the years the calendar knows; `CalendarYear` says
which of those years are *covered* (their official holidays and make-up working days 调休上班 are
complete). It is seeded from the `chinesecalendar` package during `migrate` and extended by a
system administrator each November (luoshi.core.calendar). Every day is stored, not only
the exceptions (about 8,400 rows for 2004–2026), so the table reads as the calendar itself and a
report may count working days in SQL (`is_working_day=True` over a date range) — within covered
years; these functions are the way to get the warning beyond them.

Semantics, one rule for every function:

- `add_working_days(d, n)`: for n > 0 the n-th working day after d; for n < 0 the |n|-th working
  day before d; d itself is never counted, and n = 0 answers d unchanged (whatever kind of day it
  is). So `working_days_between(d, add_working_days(d, n)) == n` for every n >= 0.
- `working_days_between(a, b)`: the number of working days in the half-open range (a, b]: a is
  not counted, b is. "Assigned on a, due on b: how many working days were given"; "overdue since
  the deadline a: how many working days by today b". Negative when b < a (minus the count of
  (b, a]); 0 when a == b.
- `next_working_day(d)`: the first working day after d (d not counted) = add_working_days(d, 1).
- `is_working_day(d)`: whether d is a working day.

Every answer is an `Answer`: the value, plus the years the computation touched that the calendar
does not cover. For a day in such a year the stored row is used if the year has been started but
not confirmed, else Monday to Friday count as working days; either way `answer.warning` says so in
the user's language. Nothing is guessed silently.

Caching: a `WorkCalendar` reads the table lazily — the list of years in one query, then each year
touched in one query — and keeps what it read for its own lifetime only. The module functions make
a fresh one per call; code that asks many questions at once (a list page, one run of `luoshi
tick`) makes one `WorkCalendar()` and passes it as `calendar=`, and drops it when the request or
the run ends. Nothing lives in module state, so an administrator's edit is seen by the next call
in every process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .errors import InvalidInput
from .models import CalendarDay, CalendarYear

T = TypeVar("T")

Kind = CalendarDay.Kind

# Guard rails: no computation walks more than this (a deadline decades away is a typo).
MAX_SPAN_DAYS = 100 * 366
MAX_WORKING_DAYS = 20 * 366

# chinesecalendar's English holiday names → the official Chinese names stored in the table.
PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


# --- answers ------------------------------------------------------------------------------------


def _year_list(years: tuple[int, ...]) -> str:
    """2027 · 2027, 2028 · 2027–2030: consecutive years as a range."""
    runs = year_runs(years)
    return _(", ").join(f"{a}–{b}" if a != b else str(a) for a, b in runs)


def year_runs(years: tuple[int, ...] | list[int] | frozenset[int]) -> list[tuple[int, int]]:
    """Sorted years as runs of consecutive years: [2004, 2005, 2007] → [(2004, 2005), (2007,
    2007)]."""
    runs: list[tuple[int, int]] = []
    for year in sorted(years):
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A computed value and the years it touched that the calendar does not cover."""

    value: T
    uncovered_years: tuple[int, ...] = ()
    covered_until: dt.date | None = None

    @property
    def covered(self) -> bool:
        return not self.uncovered_years

    @property
    def warning(self) -> str:
        """ "" when the calendar covers every day the computation looked at; else a sentence in
        the active language saying which years were not covered and how they were counted."""
        if self.covered:
            return ""
        years = _year_list(self.uncovered_years)
        if self.covered_until is None:
            return _(
                "The working-day calendar does not cover %(years)s: Monday to Friday were "
                "counted as working days. A system administrator should add the official "
                "holiday arrangement."
            ) % {"years": years}
        return ngettext(
            "The working-day calendar does not cover the year %(years)s (it is complete up to "
            "%(until)s): Monday to Friday were counted as working days there. A system "
            "administrator should add the official holiday arrangement.",
            "The working-day calendar does not cover the years %(years)s (it is complete up to "
            "%(until)s): Monday to Friday were counted as working days there. A system "
            "administrator should add the official holiday arrangement.",
            len(self.uncovered_years),
        ) % {"years": years, "until": self.covered_until.isoformat()}

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (dates as ISO text)."""
        value = self.value
        return {
            "value": value.isoformat() if isinstance(value, dt.date) else value,
            "covered": self.covered,
            "uncovered_years": list(self.uncovered_years),
            "covered_until": self.covered_until.isoformat() if self.covered_until else None,
            "warning": self.warning or None,
        }


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    kind: str
    is_working_day: bool
    name: str = ""
    covered: bool = True  # False: the year is not covered (row of an unconfirmed year, or a guess)
    stored: bool = True  # False: no row; the kind follows Monday to Friday


def default_kind(day: dt.date) -> str:
    """The kind of a day with no holiday or make-up arrangement: Monday to Friday work."""
    return Kind.WEEKEND if day.weekday() >= 5 else Kind.WORKDAY


def _check_date(value: object, what: str = "date") -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{what} must be a datetime.date, not {type(value).__name__}")
    return value


# --- the calendar -------------------------------------------------------------------------------


class WorkCalendar:
    """One reading of the calendar table, for one request or one job (never module state).

    It reads lazily and keeps what it read: the years (one query) and each year touched (one
    query each; none for a year the table does not hold). Make a new one per request or run.
    """

    def __init__(self) -> None:
        self._years: dict[int, bool] | None = None  # year → covered
        self._days: dict[int, dict[dt.date, DayInfo]] = {}

    # reading the table

    def years(self) -> dict[int, bool]:
        """Every year the table holds → whether it is covered (one query, then kept)."""
        if self._years is None:
            self._years = dict(CalendarYear.objects.values_list("year", "covered"))
        return self._years

    def covered_years(self) -> frozenset[int]:
        return frozenset(year for year, covered in self.years().items() if covered)

    def covered_until(self) -> dt.date | None:
        """31 December of the last year of the run of consecutive covered years that holds
        today's year (when today's year is not covered: the latest run before it; when every
        covered year lies ahead: the first run). None when no year is covered."""
        covered = self.covered_years()
        if not covered:
            return None
        this_year = timezone.localdate().year
        runs = year_runs(covered)
        best = runs[0]
        for run in runs:
            if run[0] <= this_year:
                best = run
        return dt.date(best[1], 12, 31)

    def _year_days(self, year: int) -> dict[dt.date, DayInfo]:
        days = self._days.get(year)
        if days is None:
            days = {}
            if year in self.years():
                covered = self.years()[year]
                rows = CalendarDay.objects.filter(
                    date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
                ).values_list("date", "kind", "is_working_day", "name")
                days = {
                    row[0]: DayInfo(row[0], row[1], row[2], row[3], covered=covered) for row in rows
                }
            self._days[year] = days
        return days

    def day(self, day: dt.date) -> DayInfo:
        """What the calendar says of `day` (a Monday-to-Friday guess flagged when not covered)."""
        day = _check_date(day)
        info = self._year_days(day.year).get(day)
        if info is not None:
            return info
        kind = default_kind(day)
        return DayInfo(day, kind, kind == Kind.WORKDAY, covered=False, stored=False)

    def _answer(self, value: T, uncovered: set[int]) -> Answer[T]:
        return Answer(value, tuple(sorted(uncovered)), self.covered_until())

    # the questions

    def is_working_day(self, day: dt.date) -> Answer[bool]:
        info = self.day(day)
        return self._answer(info.is_working_day, set() if info.covered else {day.year})

    def add_working_days(self, day: dt.date, n: int) -> Answer[dt.date]:
        """The n-th working day after `day` (n > 0), before it (n < 0), or `day` (n = 0)."""
        day = _check_date(day)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError("n must be an int")
        if abs(n) > MAX_WORKING_DAYS:
            raise InvalidInput(
                _("At most %(max)d working days can be added or subtracted.")
                % {"max": MAX_WORKING_DAYS}
            )
        step = dt.timedelta(days=1 if n >= 0 else -1)
        uncovered: set[int] = set()
        current, left = day, abs(n)
        while left:
            current = _move(current, step)
            info = self.day(current)
            if not info.covered:
                uncovered.add(current.year)
            if info.is_working_day:
                left -= 1
        return self._answer(current, uncovered)

    def next_working_day(self, day: dt.date) -> Answer[dt.date]:
        return self.add_working_days(day, 1)

    def working_days_between(self, start: dt.date, end: dt.date) -> Answer[int]:
        """Working days in (start, end]; negative when end < start."""
        start, end = _check_date(start, "start"), _check_date(end, "end")
        if start == end:
            return self._answer(0, set())
        sign = 1
        if end < start:
            start, end, sign = end, start, -1
        if (end - start).days > MAX_SPAN_DAYS:
            raise InvalidInput(
                _("The dates are too far apart (at most %(max)d days).") % {"max": MAX_SPAN_DAYS}
            )
        count = 0
        uncovered: set[int] = set()
        for current in _days_after(start, end):
            info = self.day(current)
            if not info.covered:
                uncovered.add(current.year)
            count += info.is_working_day
        return self._answer(sign * count, uncovered)


def _move(day: dt.date, step: dt.timedelta) -> dt.date:
    try:
        return day + step
    except OverflowError:
        raise InvalidInput(_("The date is out of range.")) from None


def _days_after(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """The days of (start, end]."""
    one = dt.timedelta(days=1)
    current = start
    while current < end:
        current += one
        yield current


# --- the module functions: a fresh reading of the table per call unless one is passed --------


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar if calendar is not None else WorkCalendar()


def is_working_day(day: dt.date, *, calendar: WorkCalendar | None = None) -> Answer[bool]:
    return _calendar(calendar).is_working_day(day)


def add_working_days(
    day: dt.date, n: int, *, calendar: WorkCalendar | None = None
) -> Answer[dt.date]:
    """The date n working days after `day` (`day` not counted; see the module's docstring)."""
    return _calendar(calendar).add_working_days(day, n)


def working_days_between(
    start: dt.date, end: dt.date, *, calendar: WorkCalendar | None = None
) -> Answer[int]:
    """The number of working days in (start, end] (see the module's docstring)."""
    return _calendar(calendar).working_days_between(start, end)


def next_working_day(day: dt.date, *, calendar: WorkCalendar | None = None) -> Answer[dt.date]:
    return _calendar(calendar).next_working_day(day)


def covered_until(*, calendar: WorkCalendar | None = None) -> dt.date | None:
    """The last day of the covered years (see WorkCalendar.covered_until); None if none."""
    return _calendar(calendar).covered_until()


# --- the chinesecalendar package, the seed of the table -----------------------------------------


@dataclass(frozen=True)
class SeedDay:
    date: dt.date
    kind: str
    name: str

    @property
    def is_working_day(self) -> bool:
        return self.kind in CalendarDay.WORKING_KINDS


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"chinesecalendar {version('chinesecalendar')}"
    except PackageNotFoundError:  # pragma: no cover - installed with the project
        return "chinesecalendar"


def package_years() -> range:
    """The years the installed chinesecalendar knows (2004–2026 for version 1.11)."""
    import chinese_calendar

    years = {day.year for day in chinese_calendar.holidays}
    return range(min(years), max(years) + 1)


def package_days(year: int) -> list[SeedDay]:
    """Every day of `year` as the package has it: holidays (on weekdays and on the weekends
    inside a holiday period), make-up working days, else Monday to Friday."""
    import chinese_calendar

    if year not in package_years():
        raise ValueError(f"chinesecalendar does not know {year}")
    out = []
    day = dt.date(year, 1, 1)
    one = dt.timedelta(days=1)
    while day.year == year:
        if day in chinese_calendar.holidays:
            name = str(chinese_calendar.holidays[day])
            out.append(SeedDay(day, Kind.HOLIDAY, PACKAGE_HOLIDAY_NAMES.get(name, name)))
        elif day in chinese_calendar.workdays:
            name = str(chinese_calendar.workdays[day])
            out.append(SeedDay(day, Kind.MAKEUP, PACKAGE_HOLIDAY_NAMES.get(name, name)))
        else:
            out.append(SeedDay(day, default_kind(day), ""))
        day += one
    return out


def weekday_days(year: int) -> list[SeedDay]:
    """Every day of `year` with Monday to Friday as working days (a year the package does not
    know, before an administrator enters its holidays and make-up working days)."""
    out = []
    day = dt.date(year, 1, 1)
    one = dt.timedelta(days=1)
    while day.year == year:
        out.append(SeedDay(day, default_kind(day), ""))
        day += one
    return out
