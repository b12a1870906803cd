"""Dashboards: the numbers, the scope of the viewer, fixed query counts, and the pages."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from luoshi.plans.models import KeyPoint, Task, WorkPlan
from luoshi.plans.selectors.dashboard import (
    Counts,
    Dashboard,
    DashboardFilter,
    Row,
    by_unit,
    dashboard,
    default_plan,
    overdue,
    totals,
)
from luoshi.plans.services.closeout import completion_request, completion_verify
from luoshi.plans.services.lights import refresh_lights
from luoshi.plans.services.plans import key_point_create, plan_create
from luoshi.plans.services.reports import ReportIn, report_submit
from luoshi.plans.services.tasks import TaskIn, task_create, task_update

from .conftest import issue

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 15)  # a Wednesday


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Labels such as "(itself)" are asserted in their English source text."""
    with translation.override("en"):
        yield


def task(org: Any, plan: WorkPlan | None, code: str, **kw: Any) -> Task:
    return task_create(
        actor=org.users["supervisor"],
        data=TaskIn(plan=plan, code=code, title=kw.pop("title", code), **kw),
    )


@pytest.fixture
def scene(org: Any, plan: WorkPlan) -> dict[str, Any]:
    """The 2026 plan issued on 5 January, with five tasks whose lights on TODAY are known:

    2026-1-1-1 office    red    (its milestone of 31 March passed undone)
    2026-2-0-1 liaison   grey   completed on 10 April (leader in charge: 乙副主席, from the matrix)
    2026-2-0-2 econ      green  (60% reported, 57% of its time elapsed)
    2026-1-1-9 center    red    (deadline 10 April passed)
    2026-0-0-1 agency    yellow (due Friday 17 April: two working days away), no key point
    and an issued 2025 plan with one (red) econ task, and a draft 2027 plan.
    """
    section = KeyPoint.objects.get(plan=plan, level=2)
    task(
        org,
        plan,
        "2026-1-1-9",
        title="建设信息平台",
        lead_unit=org.center,
        key_point=section,
        deadline=dt.date(2026, 4, 10),
    )
    task(
        org,
        plan,
        "2026-0-0-1",
        title="筹备全委会",
        lead_unit=org.agency,
        deadline=TODAY + dt.timedelta(2),
    )
    issue(org, plan)
    tasks = {t.code: t for t in Task.objects.filter(plan=plan)}
    sup = org.users["supervisor"]
    liaison_task = tasks["2026-2-0-1"]
    completion_request(actor=sup, task=liaison_task, note="研习班已举办")
    completion_verify(actor=sup, task=liaison_task, accept=True, today=dt.date(2026, 4, 10))
    report_submit(
        actor=org.users["staff"],
        task=tasks["2026-2-0-2"],
        unit=org.econ,
        data=ReportIn(text="专家名单已拟定", percent=60),
        today=TODAY,
    )
    old = plan_create(actor=sup, agency=org.agency, year=2025, title="2025年工作要点")
    task(org, old, "2025-1-0-1", lead_unit=org.econ, deadline=dt.date(2025, 12, 31))
    issue(org, old, today=dt.date(2025, 1, 6))
    draft = plan_create(actor=sup, agency=org.agency, year=2027, title="2027年工作要点")
    task(org, draft, "2027-1-0-1", lead_unit=org.econ, deadline=dt.date(2027, 12, 31))
    refresh_lights(Task.objects.all(), today=TODAY)
    return {"plan": plan, "old": old, "draft": draft, "tasks": tasks}


def lights(counts: Counts) -> tuple[int, int, int, int, int, int]:
    return (counts.total, counts.completed, counts.red, counts.yellow, counts.green, counts.grey)


def by_label(rows: list[Row]) -> dict[str, tuple[int, ...]]:
    return {row.label: lights(row.counts) for row in rows}


# --- the numbers -------------------------------------------------------------------------------


def test_the_scene_has_the_lights_it_claims(scene: dict[str, Any]) -> None:
    assert dict(Task.objects.filter(plan=scene["plan"]).values_list("code", "light")) == {
        "2026-1-1-1": "red",
        "2026-2-0-1": "grey",
        "2026-2-0-2": "green",
        "2026-1-1-9": "red",
        "2026-0-0-1": "yellow",
    }


def test_leadership_numbers(org: Any, scene: dict[str, Any]) -> None:
    leader = org.users["leader"]
    assert default_plan(leader) == scene["plan"]  # the latest issued plan, not the draft
    board = dashboard(leader, DashboardFilter(plan=scene["plan"]), today=TODAY)

    assert lights(board.totals) == (5, 1, 2, 1, 1, 1)
    assert board.totals.completion_percent == 20

    # Rolled up to the agency's departments, affiliated unit and city federation, with the
    # agency's own task on a row of its own, first; a unit with nothing to do still shows.
    assert [r.label for r in board.by_unit] == [
        "测试省归国华侨联合会机关 (itself)",
        "办公室",
        "经济科技部",
        "组织联络部",
        "侨联信息中心",
        "测试市归国华侨联合会",
    ]
    assert by_label(board.by_unit) == {
        "测试省归国华侨联合会机关 (itself)": (1, 0, 0, 1, 0, 0),
        "办公室": (1, 0, 1, 0, 0, 0),
        "经济科技部": (1, 0, 0, 0, 1, 0),
        "组织联络部": (1, 1, 0, 0, 0, 1),
        "侨联信息中心": (1, 0, 1, 0, 0, 0),
        "测试市归国华侨联合会": (0, 0, 0, 0, 0, 0),
    }
    liaison = next(r for r in board.by_unit if r.unit == org.liaison)
    assert liaison.counts.completion_rate == 1.0

    assert [(r.label, r.counts.total, r.counts.completion_percent) for r in board.by_leader] == [
        ("乙副主席", 1, 100),
        ("No leader in charge", 4, 0),  # the leaderless last, whatever their number
    ]

    # Level-1 key points in the plan's order; tasks on a section count under their key point.
    assert by_label(board.by_key_point) == {
        "一、坚持把政治建设摆在首位": (2, 0, 2, 0, 0, 0),
        "二、面向海外开展工作": (2, 1, 0, 0, 1, 1),
        "Outside the key points": (1, 0, 0, 1, 0, 0),
    }

    assert [t.code for t in board.overdue] == ["2026-1-1-9", "2026-1-1-1"]  # oldest deadline first

    trend = {p.month.strftime("%Y-%m"): (p.due, p.completed) for p in board.trend}
    months = list(trend)
    assert (months[0], months[-1], len(months)) == ("2025-05", "2026-04", 12)
    assert trend["2026-04"] == (2, 1)  # the center's and the agency's deadlines; one closed out
    assert sum(due for due, _done in trend.values()) == 2  # June and later are not in the window


def test_plan_filter(org: Any, scene: dict[str, Any]) -> None:
    leader = org.users["leader"]
    every = totals(leader, DashboardFilter())
    assert every.total == 6 and every.red == 3  # both issued plans; the draft is not counted
    old = dashboard(leader, DashboardFilter(plan=scene["old"]), today=TODAY)
    assert lights(old.totals) == (1, 0, 1, 0, 0, 0)
    # the 2025 plan has no key points: its task is outside them
    assert by_label(old.by_key_point) == {"Outside the key points": (1, 0, 1, 0, 0, 0)}
    assert [t.code for t in old.overdue] == ["2025-1-0-1"]
    trend = {p.month.strftime("%Y-%m"): p.due for p in old.trend}
    assert trend["2025-12"] == 1


def test_unit_filter(org: Any, scene: dict[str, Any]) -> None:
    f = DashboardFilter(plan=scene["plan"], unit=org.office)
    board = dashboard(org.users["leader"], f, today=TODAY)
    assert lights(board.totals) == (1, 0, 1, 0, 0, 0)
    assert by_label(board.by_unit) == {"办公室 (itself)": (1, 0, 1, 0, 0, 0)}
    assert [t.code for t in board.overdue] == ["2026-1-1-1"]


def test_completion_counts_the_lead_unit_only(org: Any, scene: dict[str, Any]) -> None:
    """The office's task has the economics department cooperating: it counts for the office."""
    f = DashboardFilter(plan=scene["plan"], unit=org.econ)
    assert lights(totals(org.users["leader"], f)) == (1, 0, 0, 0, 1, 0)


# --- scope ---------------------------------------------------------------------------------------


def test_staff_see_their_own_units_tasks(org: Any, scene: dict[str, Any]) -> None:
    staff = org.users["staff"]
    f = DashboardFilter(plan=scene["plan"])
    # The office's task is visible to them (they cooperate on it) but is not theirs to count.
    assert "2026-1-1-1" in {t.code for t in Task.objects.filter(pk__in=_visible(staff))}
    assert lights(totals(staff, f)) == (1, 0, 0, 0, 1, 0)
    assert by_label(by_unit(staff, f)) == {"经济科技部": (1, 0, 0, 0, 1, 0)}
    assert overdue(staff, f) == []


def _visible(user: Any) -> Any:
    from luoshi.plans.permissions import tasks_visible

    return tasks_visible(user).values("pk")


def test_leader_in_charge_sees_the_units_in_charge(org: Any, scene: dict[str, Any]) -> None:
    """乙副主席 is in charge of the liaison department and works in the agency itself."""
    f = DashboardFilter(plan=scene["plan"])
    rows = by_unit(org.users["vice"], f)
    assert by_label(rows) == {
        "测试省归国华侨联合会机关": (1, 0, 0, 1, 0, 0),  # the agency's own task only
        "组织联络部": (1, 1, 0, 0, 0, 1),
    }


def test_outsider_and_administrators_see_nothing(org: Any, scene: dict[str, Any]) -> None:
    for persona in ("outsider", "auditor", "admin"):
        user = org.users[persona]
        board = dashboard(user, DashboardFilter(), today=TODAY)
        assert board.totals.total == 0, persona
        assert board.overdue == [] and board.by_leader == []


def test_pages_are_scoped(org: Any, scene: dict[str, Any], client_for: Any) -> None:
    outsider = client_for("outsider")
    assert outsider.get(f"/dashboard/unit/{org.agency.pk}/").status_code == 404
    assert outsider.get(f"/dashboard/unit/{org.office.pk}/").status_code == 404
    assert "建设信息平台" not in outsider.get("/dashboard/").content.decode()
    staff = client_for("staff")
    assert staff.get(f"/dashboard/unit/{org.office.pk}/").status_code == 404
    assert staff.get(f"/dashboard/unit/{org.econ.pk}/").status_code == 200
    assert staff.get(f"/dashboard/?plan={scene['draft'].pk}").status_code == 404
    assert staff.get("/dashboard/?plan=junk").status_code == 404
    assert client_for("auditor").get("/dashboard/").status_code == 404
    assert client_for("leader").get("/dashboard/unit/999999/").status_code == 404


# --- the pages -----------------------------------------------------------------------------------


def chart_data(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, "no data island"
    return json.loads(found.group(1))


def test_leadership_page(org: Any, scene: dict[str, Any], client_for: Any) -> None:
    response = client_for("leader").get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    # The overdue list links to the red tasks; cards show a word with each light.
    red = scene["tasks"]["2026-1-1-1"]
    assert f'href="/tasks/{red.pk}/"' in html and "制定年度学习计划" in html
    assert 'class="ls-light ls-light-red"' in html
    # Strict CSP: no style attribute, no inline script but the JSON data island.
    assert ' style="' not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert "vendor/echarts/echarts.min.js" in html and "js/dashboard.js" in html
    data = chart_data(html)
    assert set(data["labels"]["lights"]) == {"red", "yellow", "green", "grey"}
    office = next(r for r in data["by_unit"] if r["label"] == "办公室")
    assert (
        office["red"] == 1
        and office["url"] == f"/dashboard/unit/{org.office.pk}/?plan={scene['plan'].pk}"
    )
    assert [r["label"] for r in data["by_key_point"]][:2] == [
        "一、坚持把政治建设摆在首位",
        "二、面向海外开展工作",
    ]
    assert len(data["trend"]["months"]) == 12
    assert 'href="/dashboard/"' in html  # in the navigation


def test_unit_page(org: Any, scene: dict[str, Any], client_for: Any) -> None:
    html = client_for("leader").get(f"/dashboard/unit/{org.center.pk}/").content.decode()
    assert "侨联信息中心" in html and "建设信息平台" in html
    assert "制定年度学习计划" not in html  # the office's task belongs to another unit
    data = chart_data(html)
    assert len(data["by_unit"]) == 1 and data["by_unit"][0]["label"].startswith("侨联信息中心")
    assert f'href="/dashboard/unit/{org.agency.pk}/' in html  # up to the agency's dashboard


def test_plan_and_unit_choices(org: Any, scene: dict[str, Any], client_for: Any) -> None:
    client = client_for("leader")
    every = chart_data(client.get("/dashboard/?plan=all").content.decode())
    assert sum(r["total"] for r in every["by_unit"]) == 6
    assert every["by_key_point"] == []
    old = chart_data(client.get(f"/dashboard/?plan={scene['old'].pk}").content.decode())
    assert sum(r["total"] for r in old["by_unit"]) == 1
    moved = client.get(f"/dashboard/?plan={scene['old'].pk}&unit={org.econ.pk}")
    assert moved.status_code == 302
    assert moved["Location"] == f"/dashboard/unit/{org.econ.pk}/?plan={scene['old'].pk}"
    assert client_for("staff").get(f"/dashboard/?unit={org.office.pk}").status_code == 404


# --- a fixed number of queries -------------------------------------------------------------------

UNITS = ("office", "econ", "liaison", "center", "city", "agency")


def issued_plan(org: Any, year: int, n: int) -> WorkPlan:
    """An issued plan of n tasks spread over units, leaders, key points, months and lights."""
    sup = org.users["supervisor"]
    plan = plan_create(actor=sup, agency=org.agency, year=year, title=f"{year}年工作要点")
    points = [
        key_point_create(
            actor=sup, plan=plan, title=f"要点{k}", level=1, number=k, label=f"{k}、", sort_order=k
        )
        for k in range(1, 4)
    ]
    for i in range(n):
        task(
            org,
            plan,
            f"{year}-9-0-{i}",
            lead_unit=getattr(org, UNITS[i % len(UNITS)]),
            key_point=points[i % len(points)] if i % 7 else None,
            leader_in_charge=org.people["vice"] if i % 2 else org.people["leader"],
            deadline=dt.date(2026, 1 + i % 12, 20),
        )
    issue(org, plan)
    sup = org.users["supervisor"]
    for t in Task.objects.filter(plan=plan)[::5]:
        completion_request(actor=sup, task=t, note="完成")
        completion_verify(actor=sup, task=t, accept=True, today=TODAY)
    refresh_lights(Task.objects.filter(plan=plan), today=TODAY)
    return plan


def count_queries(fn: Any) -> int:
    fn()  # warm: the cached navigation is filled
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["leader", "vice", "staff"])
def test_queries_do_not_grow_with_the_tasks(org: Any, client_for: Any, persona: str) -> None:
    client = client_for(persona)
    unit = org.econ if persona == "staff" else org.agency

    def pages(plan: WorkPlan) -> Any:
        def get() -> None:
            for url in [
                "/dashboard/",  # the default plan: the latest issued one
                f"/dashboard/?plan={plan.pk}",
                f"/dashboard/unit/{unit.pk}/?plan={plan.pk}",
                "/dashboard/?plan=all",
            ]:
                response = client.get(url)
                assert response.status_code == 200, url
                assert response.context["plan_value"] in (str(plan.pk), "all")

        return get

    small = issued_plan(org, 2026, 5)
    before = count_queries(pages(small))
    large = issued_plan(org, 2027, 60)
    assert Task.objects.filter(plan=large).exclude(light=Task.Light.GREY).count() > 20
    assert count_queries(pages(large)) == before


def test_selectors_run_a_fixed_number_of_queries(org: Any) -> None:
    leader = org.users["leader"]
    small, large = issued_plan(org, 2026, 5), issued_plan(org, 2027, 60)
    totals(leader, DashboardFilter())  # the viewer's scope, computed once per request
    queries = {
        plan.year: count_queries(
            lambda plan=plan: dashboard(leader, DashboardFilter(plan=plan), today=TODAY)
        )
        for plan in (small, large)
    }
    assert queries[2026] == queries[2027] <= 10


# --- the cache (luoshi.core.cache): figures from a shared cache stay exact --------------------
# Every write that changes them (a close-out, a light refresh, a renamed task) orphans the
# cached entry at once. Transactional tests: an exact entry computed inside a transaction that
# changed its sources is not stored (it could still roll back), so the writes must commit.


@pytest.fixture
def shared_cache(settings: Any) -> None:
    settings.LUOSHI_CACHE_SHARED = True  # as with LUOSHI_CACHE_URL (see core/tests/test_cache.py)


def cached_board(org: Any, plan: Any) -> Dashboard:
    return dashboard(org.users["leader"], DashboardFilter(plan=plan))


@pytest.mark.django_db(transaction=True)
def test_a_second_look_reads_no_task_table(
    org: Any, scene: dict[str, Any], shared_cache: None
) -> None:
    first = cached_board(org, scene["plan"])
    with CaptureQueriesContext(connection) as ctx:
        again = cached_board(org, scene["plan"])
    assert lights(again.totals) == lights(first.totals)
    assert not [q for q in ctx.captured_queries if "plans_task" in q["sql"]]


@pytest.mark.django_db(transaction=True)
def test_the_figures_follow_every_write(
    org: Any, scene: dict[str, Any], shared_cache: None
) -> None:
    plan = scene["plan"]
    before = cached_board(org, plan)
    supervisor = org.users["supervisor"]

    green = Task.objects.get(plan=plan, code="2026-2-0-2")
    completion_request(actor=supervisor, task=green, note="完成")
    completion_verify(actor=supervisor, task=green, accept=True, today=TODAY)
    after_close = cached_board(org, plan)
    assert after_close.totals.completed == before.totals.completed + 1

    refresh_lights(Task.objects.filter(plan=plan), today=dt.date(2026, 12, 31))
    after_lights = cached_board(org, plan)
    expected = Task.objects.filter(plan=plan, light=Task.Light.RED).count()
    assert after_lights.totals.red == expected != after_close.totals.red

    with CaptureQueriesContext(connection) as ctx:
        assert cached_board(org, plan).totals.red == expected  # from the cache again
    assert not [q for q in ctx.captured_queries if "plans_task" in q["sql"]]

    red = after_lights.overdue[0]
    task_update(actor=supervisor, task=red, version=None, changes={"title": "改过的标题"})
    assert cached_board(org, plan).overdue[0].title == "改过的标题"


@pytest.mark.parametrize("language", ["zh-hant", "en", "zh-hans"])
def test_charts_text_for_screen_readers_is_in_the_pages_language(
    org: Any, scene: dict[str, Any], client_for: Any, language: str
) -> None:
    """issue 15 finding 8: the charts' screen-reader text was ECharts' own (Simplified whatever
    the page) and read "NaN"; the server now writes it in the page's language, and a chart
    without data says so."""
    from luoshi.core.text import to_traditional

    client = client_for("leader")
    every = client.get("/dashboard/?plan=all", HTTP_ACCEPT_LANGUAGE=language)
    data = chart_data(every.content.decode())
    texts = data["descriptions"]
    assert set(texts) == {"chart-by-unit", "chart-by-leader", "chart-by-key-point", "chart-trend"}
    no_data = {"zh-hant": "暫無任務。", "en": "No tasks to show.", "zh-hans": "暂无任务。"}[
        language
    ]
    assert data["by_key_point"] == [] and texts["chart-by-key-point"] == no_data
    assert data["labels"]["no_data"] == no_data
    labels = [r["label"] for key in ("by_unit", "by_leader") for r in data[key]]
    for key, text in texts.items():
        assert text and "NaN" not in text and "undefined" not in text, (key, text)
        words = text
        for label in sorted(labels, key=len, reverse=True):
            words = words.replace(label, "")  # names are data, shown as stored
        if language == "zh-hant":
            assert words == to_traditional(words), (key, words)  # no Simplified-only character
        if language == "en":
            assert not re.search(r"[\u4e00-\u9fff]", words), (key, words)
    unit = {"zh-hant": "各單位亮燈情況", "en": "Lights by unit", "zh-hans": "各单位亮灯情况"}
    assert texts["chart-by-unit"].startswith(unit[language])
    red = {"zh-hant": "紅燈", "en": "Red", "zh-hans": "红灯"}[language]
    office = texts["chart-by-unit"].split("办公室")[1]
    assert office[:1] in "：:" and red in office and " 1" in office.split(red)[1][:12]
    assert len(data["trend"]["months"]) == 12 and data["trend"]["months"][0] in texts["chart-trend"]
