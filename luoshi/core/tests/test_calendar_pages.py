"""The working-day calendar's pages: the system administrator's only (everyone else: not
found), the year's month grids with words beside the colours, the coverage banner, changing a
day, adding and confirming a year, the CSV import (upload → preview → commit, all or nothing)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from luoshi.core import calendar, workdays
from luoshi.core.models import AuditEntry, CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _seeded() -> None:
    """Seeded as by the migration, ending with 2026 (chinesecalendar 1.11) even after an upgrade."""
    calendar.ensure_seeded()
    CalendarDay.objects.filter(date__gte=dt.date(2027, 1, 1)).delete()
    CalendarYear.objects.filter(year__gte=2027).delete()


@pytest.fixture
def admin(client_for: Any) -> Any:
    return client_for("admin")


def _html(response: Any) -> str:
    return response.content.decode()


def _cell(html: str, iso: str) -> str:
    """The table cell of one day in the month grids."""
    match = re.search(
        r'<td class="p-0 ls-cal-day ([^"]*)">\s*<a[^>]*href="/calendar/day/'
        + iso
        + r'/"[^>]*>(.*?)</a>',
        html,
        re.S,
    )
    assert match, iso
    return match.group(1) + " | " + match.group(2)


# --- who sees it --------------------------------------------------------------------------------

PAGES = ["/calendar/", "/calendar/?year=2025", "/calendar/day/2025-10-01/", "/calendar/import/"]


@pytest.mark.parametrize("url", PAGES)
def test_the_system_administrator_opens_every_page(admin: Any, url: str) -> None:
    response = admin.get(url, headers=EN)
    assert response.status_code == 200
    html = _html(response)
    assert ' style="' not in html  # strict CSP: no inline styles
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # nor inline scripts


@pytest.mark.parametrize("persona", ["staff", "leader", "supervisor", "hr", "auditor", "security"])
def test_everyone_else_gets_not_found(client_for: Any, persona: str) -> None:
    client = client_for(persona)
    for url in PAGES:
        assert client.get(url).status_code == 404, url
    posts = {
        "/calendar/day/2025-10-09/": {"setting": "holiday"},
        "/calendar/years/add/": {"year": "2027"},
        "/calendar/years/2026/coverage/": {"covered": "0"},
        "/calendar/seed/": {},
        "/calendar/import/": {"action": "cancel"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 9)).kind == "workday"
    assert CalendarYear.objects.get(year=2026).covered
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_anonymous_visitors_are_sent_to_log_in(client: Any) -> None:
    response = client.get("/calendar/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_navigation_lists_the_calendar_for_the_system_administrator(client_for: Any) -> None:
    def keys(persona: str) -> list[str]:
        response = client_for(persona).get("/", headers=EN)
        return [item["key"] for group in response.context["nav"] for item in group["items"]]

    assert "core:calendar" in keys("admin")
    for persona in ("staff", "auditor", "security", "hr"):
        assert "core:calendar" not in keys(persona)
    html = _html(client_for("admin").get("/calendar/", headers=EN))
    assert re.search(r'class="nav-link active" href="/calendar/"', html)


# --- the year -----------------------------------------------------------------------------------


def test_the_year_shows_twelve_months_with_a_word_for_each_kind_of_day(admin: Any) -> None:
    response = admin.get("/calendar/?year=2025", headers=EN)
    html = _html(response)
    assert len(response.context["months"]) == 12
    assert html.count('class="ls-card p-2 ls-cal-month"') == 12
    assert re.search(r'id="calendar-working-count">248<', html)
    holiday = _cell(html, "2025-10-01")
    assert "bg-danger-subtle" in holiday and ">off<" in holiday and "国庆节" in holiday
    makeup = _cell(html, "2025-09-28")
    assert "bg-warning-subtle" in makeup and ">work<" in makeup and "Make-up working day" in makeup
    weekend = _cell(html, "2025-10-18")
    assert "bg-body-secondary" in weekend and ">wkd<" in weekend
    workday = _cell(html, "2025-10-09")
    assert "ls-cal-mark" not in workday and "Working day" in workday
    # the holidays and make-up days are listed as a table too
    assert 'href="/calendar/day/2025-10-11/">2025-10-11</a>' in html
    assert "css/calendar.css" in html


def test_a_year_not_in_the_calendar_says_so(admin: Any) -> None:
    html = _html(admin.get("/calendar/?year=2030", headers=EN))
    assert "2030 is not in the calendar" in html
    assert "ls-cal-month" not in html


def test_the_banner_warns_from_november_when_next_year_is_not_covered(client_for: Any) -> None:
    def banner(when: dt.datetime) -> str:
        with time_machine.travel(when, tick=False):  # a fresh log-in: no idle timeout between
            response = client_for("admin").get("/calendar/", headers=EN)
        assert response.status_code == 200
        return " ".join(notice.text for notice in response.context["notices"])

    october = banner(dt.datetime(2026, 10, 20, 9, tzinfo=SHANGHAI))
    assert "The calendar covers 2004–2026." in october
    assert "Next year (2027)" not in october
    november = banner(dt.datetime(2026, 11, 1, 9, tzinfo=SHANGHAI))
    assert "Next year (2027) is not covered yet" in november
    assert "This year (2027) is not covered" in banner(dt.datetime(2027, 2, 1, 9, tzinfo=SHANGHAI))


# --- changing a day -----------------------------------------------------------------------------


def test_changing_a_day_takes_effect_at_once_and_is_audited(admin: Any, org: Any) -> None:
    assert workdays.add_working_days(dt.date(2026, 3, 6), 1).value == dt.date(2026, 3, 9)
    response = admin.post(
        "/calendar/day/2026-03-09/", {"setting": "holiday", "name": "测试节"}, headers=EN
    )
    assert response.status_code == 302
    assert response["Location"] == "/calendar/?year=2026#m3"
    assert workdays.add_working_days(dt.date(2026, 3, 6), 1).value == dt.date(2026, 3, 10)
    entry = AuditEntry.objects.filter(action="calendar.day_set").get()
    assert entry.actor == org.users["admin"]
    assert entry.after == {
        "kind": "holiday",
        "is_working_day": False,
        "name": "测试节",
        "source": "edited",
    }
    html = _html(admin.get("/calendar/?year=2026", headers=EN))
    assert ">off<" in _cell(html, "2026-03-09")


def test_a_make_up_day_on_a_weekday_is_refused_next_to_the_field(admin: Any) -> None:
    response = admin.post("/calendar/day/2026-03-11/", {"setting": "makeup"}, headers=EN)
    assert response.status_code == 422
    assert "A make-up working day is a Saturday or Sunday" in _html(response)
    assert CalendarDay.objects.get(date=dt.date(2026, 3, 11)).kind == "workday"


def test_a_day_of_a_year_not_in_the_calendar_asks_to_add_the_year(admin: Any) -> None:
    assert "is not in the calendar yet" in _html(admin.get("/calendar/day/2031-05-01/", headers=EN))
    response = admin.post("/calendar/day/2031-05-01/", {"setting": "holiday"}, headers=EN)
    assert response.status_code == 422
    assert admin.get("/calendar/day/2025-13-01/").status_code == 404


# --- years --------------------------------------------------------------------------------------


def test_adding_a_year_then_confirming_it(admin: Any) -> None:
    response = admin.post("/calendar/years/add/", {"year": "2027"}, headers=EN)
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2027"
    assert not CalendarYear.objects.get(year=2027).covered
    html = _html(admin.get("/calendar/?year=2027", headers=EN))
    assert "Not confirmed" in html and "Not yet confirmed complete: 2027." in html
    assert admin.post("/calendar/years/add/", {"year": "2027"}, headers=EN).status_code == 422
    assert admin.post("/calendar/years/add/", {"year": "1850"}, headers=EN).status_code == 422
    response = admin.post("/calendar/years/2027/coverage/", {"covered": "1"}, headers=EN)
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).covered
    assert workdays.covered_until() == dt.date(2027, 12, 31)


def test_filling_years_from_the_package(admin: Any) -> None:
    CalendarDay.objects.filter(date__year=2026).delete()
    CalendarYear.objects.filter(year=2026).delete()
    response = admin.post("/calendar/seed/?year=2026", headers=EN)
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2026).covered
    assert AuditEntry.objects.filter(action="calendar.year_add").count() == 1


# --- the CSV import -----------------------------------------------------------------------------


def _upload(client: Any, content: str, *, covered: bool = True) -> Any:
    data: dict[str, Any] = {
        "action": "upload",
        "file": SimpleUploadedFile("2027.csv", content.encode(), content_type="text/csv"),
    }
    if covered:
        data["mark_covered"] = "on"
    return client.post("/calendar/import/", data, headers=EN)


def test_importing_a_csv_through_its_preview(admin: Any) -> None:
    content = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,makeup,春节\n"
    response = _upload(admin, content)
    assert response.status_code == 302 and response["Location"] == "/calendar/import/?step=preview"
    preview = admin.get(response["Location"], headers=EN)
    html = _html(preview)
    assert "Importing the file changes 2 days." in html
    assert "These years are added to the calendar first: 2027." in html
    assert not CalendarYear.objects.filter(year=2027).exists()  # nothing written yet
    token = preview.context["pending"]["token"]
    response = admin.post("/calendar/import/", {"action": "commit", "token": token}, headers=EN)
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2027"
    assert CalendarYear.objects.get(year=2027).covered
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 20)).kind == "makeup"
    assert workdays.add_working_days(dt.date(2026, 12, 31), 1).value == dt.date(2027, 1, 4)
    assert AuditEntry.objects.filter(action="calendar.import").count() == 1


def test_a_csv_with_problems_shows_them_by_row_and_imports_nothing(admin: Any) -> None:
    content = "2027-01-01,holiday,元旦\n2027-02-31,holiday,春节\n2027-03-03,makeup,\n"
    preview = admin.get(_upload(admin, content)["Location"], headers=EN)
    html = _html(preview)
    assert "The file has 2 problems." in html
    rows = re.findall(r'<tr class="ls-error-row"><td>(\d+)</td><td>(\w+)</td>', html)
    assert rows == [("2", "date"), ("3", "kind")]
    assert 'value="commit"' not in html
    token = preview.context["pending"]["token"]
    response = admin.post("/calendar/import/", {"action": "commit", "token": token}, headers=EN)
    assert response.status_code == 302 and response["Location"] == "/calendar/import/?step=preview"
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not AuditEntry.objects.filter(action__startswith="calendar.").exists()


def test_a_stale_or_foreign_token_imports_nothing(admin: Any) -> None:
    _upload(admin, "2027-01-01,holiday,元旦\n")
    response = admin.post("/calendar/import/", {"action": "commit", "token": "nope"}, headers=EN)
    assert response.status_code == 302 and response["Location"] == "/calendar/import/"
    assert not CalendarYear.objects.filter(year=2027).exists()
    response = admin.post("/calendar/import/", {"action": "cancel"}, headers=EN)
    assert admin.get("/calendar/import/?step=preview").status_code == 302
