"""The frame of every page: the left navigation each persona's roles open, merged from every
app's provider, and the name in the top bar."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy as _

from conftest import PASSWORD, _person
from luoshi.core import navigation
from luoshi.core.navigation import SYSTEM_ADMINISTRATION, NavItem, NavSection
from luoshi.orgs import services
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.roles import Role

pytestmark = pytest.mark.django_db

ORG = ("Organization", ["orgs:tree", "orgs:people", "orgs:leaders"])
# Anyone of an agency with a data scope may write a news item (the desk is never empty of work).
NEWS = ("News", ["news:list"])


def nav_of(response: Any) -> list[tuple[str, list[str]]]:
    """The navigation the page was rendered with: (section, [item keys]) in order."""
    return [
        (str(group["section"]), [item["key"] for item in group["items"]])
        for group in response.context["nav"]
    ]


def home(client: Any) -> Any:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response


def brand(response: Any) -> str:
    """The agency's name as the top bar shows it."""
    match = re.search(r'class="ls-brand-mark">[^<]*</span>([^<]*)</a>', response.content.decode())
    assert match is not None
    return match.group(1)


def with_work(org: Any) -> Any:
    """This year's plan issued with a task of the office, the econ and the liaison departments,
    and a supervision item assigned to 经济科技部: entries of a module are offered only when it
    has something in the user's scope (issue 15 finding 12)."""
    import datetime as dt

    from luoshi.plans.services.plans import (
        key_point_create,
        plan_approve,
        plan_create,
        plan_issue,
    )
    from luoshi.plans.services.tasks import TaskIn, task_create
    from luoshi.supervision import services as supervision
    from luoshi.supervision.models import SupervisionItem

    sup = org.users["supervisor"]
    plan = plan_create(actor=sup, agency=org.agency, year=2026, title="2026年工作要点")
    point = key_point_create(
        actor=sup, plan=plan, title="重点工作", level=1, number=1, label="一、", sort_order=1
    )
    for n, unit in enumerate((org.office, org.econ, org.liaison), start=1):
        task_create(
            actor=sup,
            data=TaskIn(
                plan=plan,
                key_point=point,
                code=f"2026-1-0-{n}",
                title=f"任务{n}",
                lead_unit=unit,
                deadline=dt.date(2026, 12, 31),
                sort_order=n,
            ),
        )
    plan_approve(actor=org.users["leader"], plan=plan)
    plan_issue(actor=sup, plan=plan, today=dt.date(2026, 1, 5))
    day = dt.date(2026, 1, 6)
    item = supervision.item_register(
        actor=sup,
        data=supervision.ItemIn(
            title="推动座谈会议定事项落实",
            source=SupervisionItem.Source.INSTRUCTION,
            instruction_by=org.people["leader"],
            instruction_on=day,
            instruction_text="请经济科技部牵头落实。",
            lead_unit=org.econ,
            leader_in_charge=org.people["vice"],
            deadline_working_days=5,
        ),
        today=day,
    )
    supervision.item_assign(actor=sup, item=item, today=day)
    return org


@pytest.fixture
def work(org: Any) -> Any:
    return with_work(org)


DEPLOYMENT = ("Deployment", ["plans:dashboard", "plans:my_work", "plans:plans", "plans:ledger"])
DEPLOYMENT_STAFF = ("Deployment", ["plans:my_work", "plans:plans", "plans:ledger"])
SUPERVISION = (
    "Supervision",
    ["supervision:my_items", "supervision:ledger", "supervision:leader"],
)
SUPERVISION_STAFF = ("Supervision", ["supervision:my_items", "supervision:ledger"])
APPRAISAL_OFFICER = (
    "Appraisal",
    [
        "appraisal:cycles",
        "appraisal:routine_list",
        "evaluation:campaigns",
        "appraisal:units",
    ],
)
NOTIFY_ADMIN = ["notify:webhooks", "notify:deliveries"]


# --- the navigation per persona ------------------------------------------------------------------


def test_the_auditor_sees_only_the_audit_log(work, client_for) -> None:
    response = home(client_for("auditor"))
    assert nav_of(response) == [("System administration", ["core:audit"])]
    html = response.content.decode()
    assert 'href="/audit/"' in html
    assert 'href="/orgs/' not in html and 'href="/people/"' not in html


def test_the_system_administrator_sees_the_org_and_its_administration(work, client_for) -> None:
    response = home(client_for("admin"))
    assert nav_of(response) == [
        ORG,
        (
            "System administration",
            ["orgs:import", "orgs:lists", "orgs:accounts", "core:calendar", *NOTIFY_ADMIN],
        ),
    ]
    assert 'href="/audit/"' not in response.content.decode()


def test_the_security_administrator_sees_accounts_only(work, client_for) -> None:
    assert nav_of(home(client_for("security"))) == [("System administration", ["orgs:accounts"])]


def test_staff_see_their_deployment_and_supervision_and_the_org(work, client_for) -> None:
    """No leadership dashboard, leader's view or bulletins (none published), and no appraisal
    while no cycle includes them (issue 15 finding 12)."""
    assert nav_of(home(client_for("staff"))) == [DEPLOYMENT_STAFF, SUPERVISION_STAFF, NEWS, ORG]


def test_a_city_federations_staff_are_offered_no_empty_module(work, client_for) -> None:
    """issue 15 finding 12: nothing of the agency's plans, items or cycles is theirs (their own
    federation's news they may write)."""
    assert nav_of(home(client_for("outsider"))) == [NEWS, ORG]


def test_nothing_in_scope_offers_no_business_module(org, client_for) -> None:
    """issue 15 finding 12: before any plan or item exists, staff are offered none of them."""
    assert nav_of(home(client_for("staff"))) == [NEWS, ORG]
    assert nav_of(home(client_for("supervisor")))[0] == (
        "Deployment",
        ["plans:plans", "plans:categories"],  # the office drafts the plans
    )


def test_a_unit_head_also_runs_routine_appraisal(work, client_for) -> None:
    appraisal = ("Appraisal", ["appraisal:routine_list"])
    assert nav_of(home(client_for("head"))) == [DEPLOYMENT, appraisal, NEWS, ORG]


def test_the_personnel_officer_runs_appraisal_and_evaluation(work, client_for) -> None:
    assert nav_of(home(client_for("hr"))) == [
        DEPLOYMENT_STAFF,
        SUPERVISION_STAFF,
        APPRAISAL_OFFICER,
        ("Commendation", ["honors:programs"]),  # the officer runs the programs
        NEWS,
        ORG,
    ]


def test_the_agency_leader_sees_report_overview_and_appraisal(work, client_for) -> None:
    deployment = ("Deployment", [*DEPLOYMENT[1], "plans:report_overview"])
    appraisal = ("Appraisal", APPRAISAL_OFFICER[1][1:])  # no cycle yet: none to follow
    meetings = ("Meetings", ["meetings:list"])  # the leader oversees the work meeting
    assert nav_of(home(client_for("leader"))) == [
        deployment,
        SUPERVISION,
        appraisal,
        meetings,
        NEWS,
        ORG,
    ]


def test_the_supervisor_runs_the_office(work, client_for) -> None:
    assert nav_of(home(client_for("supervisor"))) == [
        ("Deployment", [*DEPLOYMENT[1], "plans:report_overview", "plans:categories"]),
        (
            "Supervision",
            [
                "supervision:register",
                "supervision:my_items",
                "supervision:ledger",
                "supervision:leader",
                "supervision:bulletins",
                "supervision:settings",
            ],
        ),
        ("Annual summaries", ["summaries:rounds"]),  # the office runs the rounds
        ("Meetings", ["meetings:list"]),  # and the work meeting
        NEWS,
        ORG,
        ("System administration", NOTIFY_ADMIN),
    ]


def test_the_sections_render_in_order_with_the_current_page_lit(org, client_for) -> None:
    html = client_for("admin").get("/people/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    sections = re.findall(r'<li class="ls-nav-section">([^<]*)</li>', html)
    assert sections == ["Organization", "System administration"]
    assert re.search(r'class="nav-link active" href="/people/"', html)
    assert len(re.findall(r'class="nav-link active"', html)) == 1


def test_anonymous_pages_have_no_navigation(db, client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert response.context["nav"] == []
    assert response.context["agency_name"] is None


def test_sections_from_several_apps_merge_by_key_and_sort(org, monkeypatch) -> None:
    """A later module's provider adds its own section and items to system administration."""

    def plans_nav(user: Any) -> list[NavSection]:
        return [
            NavSection("plans", _("Work plans"), order=10).with_items(NavItem(_("Plans"), "home")),
            SYSTEM_ADMINISTRATION.with_items(NavItem(_("Calendar"), "home", key="x:cal", order=5)),
            NavSection("empty", _("Nothing"), order=1),  # no items: not shown
        ]

    monkeypatch.setattr(navigation, "_NAV_PROVIDERS", [*navigation._NAV_PROVIDERS])
    navigation.register(plans_nav)
    navigation.register(plans_nav)  # twice: once
    sections = navigation.sections_for(org.users["admin"])
    assert [(s.key, s.order) for s in sections] == [("plans", 10), ("orgs", 60), ("admin", 90)]
    assert [item.current_key for item in sections[-1].items] == [
        "x:cal",
        "orgs:import",
        "orgs:lists",
        "orgs:accounts",
        "core:calendar",
        *NOTIFY_ADMIN,
    ]
    auditor = navigation.sections_for(org.users["auditor"])
    assert [[i.current_key for i in s.items] for s in auditor] == [
        ["home"],
        ["x:cal", "core:audit"],
    ]


# --- the name in the top bar ---------------------------------------------------------------------


def test_the_top_bar_names_the_users_own_organization(org, client_for) -> None:
    agency = "测试省归国华侨联合会机关"
    assert brand(home(client_for("admin"))) == agency
    assert brand(home(client_for("leader"))) == agency
    # a department's staff see the agency the department belongs to
    assert brand(home(client_for("staff"))) == agency
    assert brand(home(client_for("head"))) == agency
    # staff of a city federation see the city federation, not the provincial agency
    assert brand(home(client_for("outsider"))) == "测试市归国华侨联合会"


def test_units_below_a_city_federation_show_the_city_federation(org, client) -> None:
    def unit(name: str, code: str, parent: OrgUnit) -> OrgUnit:
        return services.org_unit_create(
            actor=None,
            name=name,
            code=code,
            parent=parent,
            kind=OrgUnit.Kind.DEPARTMENT,
            level=OrgUnit.Level.MUNICIPAL,
        )

    def staff_of(unit: OrgUnit, username: str, name: str) -> Any:
        user = services.user_create(
            actor=None, username=username, password=PASSWORD, person=_person(unit, name)
        )
        services.role_assign(actor=None, user=user, role=Role.STAFF)
        return user

    department = unit("市侨联办公室", "T-C01-BGS", org.city)
    section = unit("市侨联办公室文秘科", "T-C01-BGS-WM", department)  # two levels below
    for user in (
        staff_of(department, "city_staff", "卯科员"),
        staff_of(section, "clerk", "辰科员"),
    ):
        client.force_login(user, backend="luoshi.orgs.auth.AccountBackend")
        assert brand(home(client)) == "测试市归国华侨联合会"


def test_who_sees_no_unit_sees_the_product_name_alone(org, client_for) -> None:
    assert brand(home(client_for("auditor"))) == ""
    assert brand(home(client_for("security"))) == ""


def test_the_configured_agency_name_wins(org, client_for, settings) -> None:
    settings.LUOSHI_AGENCY_NAME = "某某省侨联"
    assert brand(home(client_for("outsider"))) == "某某省侨联"
    assert brand(home(client_for("auditor"))) == "某某省侨联"


# --- query counts --------------------------------------------------------------------------------


def count_queries(client: Any, url: str) -> int:
    client.get(url)  # warm: the cached navigation is filled
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_units(org: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        parent = org.city if i % 2 else org.agency
        department = services.org_unit_create(
            actor=None,
            name=f"部门{i}",
            code=f"T-D{i}",
            parent=parent,
            kind=OrgUnit.Kind.DEPARTMENT,
            level=OrgUnit.Level.PROVINCIAL,
            sort_order=i,
        )
        services.org_unit_create(
            actor=None,
            name=f"科室{i}",
            code=f"T-K{i}",
            parent=department,
            kind=OrgUnit.Kind.DEPARTMENT,
            level=OrgUnit.Level.PROVINCIAL,
        )


@pytest.mark.parametrize("persona", ["admin", "staff", "outsider", "auditor", "security"])
def test_home_query_count_does_not_grow_with_the_tree(org, client_for, persona) -> None:
    client = client_for(persona)
    add_units(org, 2, 0)
    small = count_queries(client, "/")
    add_units(org, 20, 2)
    large = count_queries(client, "/")
    assert large == small, f"{persona}: {small} queries with 2 more units, {large} with 22"
