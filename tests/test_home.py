"""Navigation and home pages for the role (issue 15 finding 12).

Staff and a city federation's staff were offered 领导驾驶舱, 领导视图 and 督查通报 (empty for
them), and a leader's home led with "units I can see 17 / people I can see 176". Each persona
of the test organization (the demo's ten) is checked here for the entries and home rows it is
offered and not offered, and the home page's statement count for not growing with the data.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.core.cache import clear_local
from luoshi.orgs import services as org_services
from luoshi.plans.models import Task, WorkPlan
from luoshi.plans.services.closeout import completion_request
from luoshi.plans.services.plans import key_point_create, plan_approve, plan_create, plan_issue
from luoshi.plans.services.tasks import TaskIn, task_create
from luoshi.supervision import bulletins
from luoshi.supervision import services as sup_services
from luoshi.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel("2026-03-10 09:00 +08:00", tick=False):
        yield


def _plan(org: Any, year: int, leads: list[Any], *, issue: bool = True) -> WorkPlan:
    sup = org.users["supervisor"]
    plan = plan_create(actor=sup, agency=org.agency, year=year, title=f"{year}年工作要点")
    point = key_point_create(
        actor=sup, plan=plan, title="重点工作", level=1, number=1, label="一、", sort_order=1
    )
    for n, unit in enumerate(leads, start=1):
        task_create(
            actor=sup,
            data=TaskIn(
                plan=plan,
                key_point=point,
                code=f"{year}-1-0-{n}",
                title=f"{unit.name}的任务{n}",
                lead_unit=unit,
                deadline=dt.date(year, 12, 31),
                sort_order=n,
            ),
        )
    if issue:
        plan_approve(actor=org.users["leader"], plan=plan)
        plan_issue(actor=sup, plan=plan, today=dt.date(year, 1, 5))
    return plan


def _item(org: Any, title: str = "推动侨资企业座谈会议定事项落实") -> SupervisionItem:
    item = sup_services.item_register(
        actor=org.users["supervisor"],
        data=sup_services.ItemIn(
            title=title,
            source=SupervisionItem.Source.INSTRUCTION,
            lead_unit=org.econ,
            responsible_person=org.people["staff"],
            leader_in_charge=org.people["vice"],
            instruction_by=org.people["leader"],
            instruction_on=TODAY,
            instruction_text="请经济科技部牵头，抓紧研究落实。",
            deadline_working_days=5,
        ),
        today=TODAY,
    )
    sup_services.item_assign(actor=org.users["supervisor"], item=item, today=TODAY)
    return item


@pytest.fixture
def world(org: Any) -> Any:
    """This year's plan issued (tasks of the office, the liaison and the econ departments), next
    year's in draft, one supervision item assigned to 经济科技部 (the vice in charge, from the
    leader's instruction); the liaison task and the item are red; the econ task asks for its
    close-out, its other task is in progress. No bulletin is published."""
    _plan(org, 2026, [org.office, org.liaison, org.econ, org.econ])
    _plan(org, 2027, [org.office], issue=False)
    item = _item(org)
    Task.objects.filter(code="2026-1-0-2").update(light=Task.Light.RED)
    SupervisionItem.objects.filter(pk=item.pk).update(light=SupervisionItem.Light.RED)
    completion_request(
        actor=org.users["staff"], task=Task.objects.get(code="2026-1-0-3"), note="已完成"
    )
    # an account without a role yet: the security administrator's first thing to do
    org_services.user_create(actor=None, username="newcomer", password="Newcomer-pass-1")
    _fresh()
    return org


def _fresh() -> None:
    """Forget every cached frame (the update()s above bypass the signals the cache watches)."""
    cache.clear()
    clear_local()


def _home(client_for: Any, persona: str) -> tuple[set[str], dict[str, int], str]:
    response = client_for(persona).get("/")
    assert response.status_code == 200
    nav = {item["key"] for section in response.context["nav"] for item in section["items"]}
    html = response.content.decode()
    todos = {
        key: int(count)
        for key, count in re.findall(
            r'data-todo="([\w.]+)">.*?<span[^>]*data-todo-count>(\d+)<', html, re.S
        )
    }
    return nav, todos, html


LEADERSHIP = {"plans:dashboard", "supervision:leader"}

# persona → (entries offered, entries not offered, home rows waiting)
EXPECTED: dict[str, tuple[set[str], set[str], set[str]]] = {
    "admin": (
        {"orgs:tree", "orgs:import", "core:calendar"},
        {"plans:my_work", "supervision:my_items", "supervision:bulletins", *LEADERSHIP},
        set(),
    ),
    "security": (
        {"orgs:accounts"},
        {"plans:my_work", "supervision:ledger", "orgs:import", *LEADERSHIP},
        {"orgs.roleless"},
    ),
    "auditor": (
        {"core:audit"},
        {"plans:ledger", "supervision:ledger", "orgs:accounts", *LEADERSHIP},
        set(),
    ),
    "leader": (
        {"plans:ledger", "plans:report_overview", "supervision:ledger", *LEADERSHIP},
        {"supervision:register", "supervision:bulletins", "plans:categories"},
        {"plans.approve", "plans.red", "supervision.red"},
    ),
    "vice": (
        {"plans:ledger", "supervision:my_items", *LEADERSHIP},
        {"supervision:register", "supervision:bulletins", "plans:report_overview"},
        {"plans.red", "supervision.red"},
    ),
    "head": (
        {"plans:dashboard", "plans:my_work", "plans:ledger"},
        {"supervision:my_items", "supervision:leader", "supervision:bulletins"},
        {"plans.report"},
    ),
    "staff": (
        {"plans:my_work", "plans:ledger", "supervision:my_items", "supervision:ledger"},
        {"supervision:bulletins", "plans:report_overview", *LEADERSHIP},
        {"supervision.accept"},
    ),
    "supervisor": (
        {"supervision:register", "supervision:bulletins", "plans:categories", *LEADERSHIP},
        {"orgs:import"},
        {"plans.verify"},
    ),
    "hr": (
        {"appraisal:cycles", "plans:ledger"},
        {"supervision:register", "supervision:bulletins", *LEADERSHIP},
        set(),
    ),
    "outsider": (
        {"orgs:tree"},
        {
            "plans:my_work",
            "plans:plans",
            "plans:ledger",
            "supervision:my_items",
            "supervision:ledger",
            "supervision:bulletins",
            "appraisal:cycles",
            "appraisal:mine",
            *LEADERSHIP,
        },
        set(),
    ),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_is_offered_what_it_may_and_should_do(
    world: Any, client_for: Any, persona: str
) -> None:
    """issue 15 finding 12: the menu offers an entry only where the user has the permission
    and its module has something in their scope; the home page leads with what waits for the
    user, and its org figures are for the system administrator alone."""
    offered, hidden, waiting = EXPECTED[persona]
    nav, todos, html = _home(client_for, persona)
    assert offered <= nav, (persona, offered - nav)
    assert not (hidden & nav), (persona, hidden & nav)
    assert waiting <= set(todos), (persona, waiting, todos)
    assert all(count > 0 for count in todos.values())  # rows with nothing waiting are left out
    assert ("Units I can see" in html or "data-home-org" in html) == (persona == "admin")


def test_the_leaders_home_leads_with_what_waits_for_them(world: Any, client_for: Any) -> None:
    """issue 15 finding 12: the leader's home shows the plan awaiting approval, the red tasks
    and items in their charge — red ones first — and no count of units or people."""
    _nav, todos, html = _home(client_for, "leader")
    assert todos["plans.approve"] == 1  # next year's draft
    assert todos["plans.red"] == 1 and todos["supervision.red"] == 1
    rows = re.findall(r'data-todo="([\w.]+)"', html)
    assert rows[:2] == ["plans.red", "supervision.red"]  # urgent first
    assert "data-home-org" not in html
    assert html.index('data-home-section="todos"') < html.index("data-home-light")


def test_staff_and_the_outsider_see_no_empty_module(world: Any, client_for: Any) -> None:
    """issue 15 finding 12: the city federation's staff member has no plan, item or bulletin
    in their scope: no entry of those modules, no plan card, and "nothing waits for you"."""
    nav, todos, html = _home(client_for, "outsider")
    assert not {k for k in nav if k.split(":")[0] in ("plans", "supervision")}
    assert "data-home-light" not in html and "data-todo-none" in html and todos == {}
    staff_nav, _todos, staff_html = _home(client_for, "staff")
    assert not (LEADERSHIP & staff_nav)
    assert 'href="/dashboard/"' not in staff_html  # the plan card links no dashboard either


def test_a_published_bulletin_offers_the_bulletins_to_the_agency(
    world: Any, client_for: Any
) -> None:
    """issue 15 finding 12: 督查通报 appears for staff once a bulletin is published for their
    agency (the cached navigation follows the bulletin's write), and not for the outsider."""
    assert "supervision:bulletins" not in _home(client_for, "staff")[0]
    bulletin = bulletins.bulletin_compile(
        actor=world.users["supervisor"], agency=world.agency, month=dt.date(2026, 2, 1)
    )
    assert "supervision:bulletins" not in _home(client_for, "staff")[0]  # a draft: not yet
    bulletins.bulletin_publish(actor=world.users["supervisor"], bulletin=bulletin)
    assert "supervision:bulletins" in _home(client_for, "staff")[0]
    assert "supervision:bulletins" not in _home(client_for, "outsider")[0]


def _more(org: Any, n: int, year: int) -> None:
    _plan(org, year, [org.office, org.liaison, org.econ] * n)
    for i in range(n):
        _item(org, title=f"督办事项{year}-{i}")
    for i in range(n):
        org_services.user_create(actor=None, username=f"more{year}{i}", password="More-pass-12")


def _count(client: Any) -> tuple[int, int]:
    """Statements of the home page with a cold cache (the frame computed) and a warm one."""
    _fresh()
    with CaptureQueriesContext(connection) as cold:
        assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get("/").status_code == 200
    return len(cold.captured_queries), len(warm.captured_queries)


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_home_statements_do_not_grow_with_the_data(
    world: Any, client_for: Any, persona: str, django_assert_max_num_queries: Any
) -> None:
    """issue 15 finding 12: the navigation and the home rows decide with a fixed number of
    statements, whatever the number of plans, tasks, items and accounts."""
    client = client_for(persona)
    small = _count(client)
    _more(world, 4, 2025)
    assert _count(client) == small, persona
    _fresh()
    with django_assert_max_num_queries(45):
        client.get("/")
