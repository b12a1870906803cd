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


DEPLOYMENT = ("Deployment", ["plans:dashboard", "plans:my_work", "plans:plans", "plans:ledger"])
SUPERVISION = (
    "Supervision",
    ["supervision:my_items", "supervision:ledger", "supervision:leader", "supervision:bulletins"],
)
APPRAISAL_OWN = ("Appraisal", ["appraisal:cycles", "appraisal:mine"])
APPRAISAL_OFFICER = (
    "Appraisal",
    [
        "appraisal:cycles",
        "appraisal:mine",
        "appraisal:routine_list",
        "evaluation:campaigns",
        "appraisal:units",
    ],
)
NOTIFY_ADMIN = ["notify:webhooks", "notify:deliveries"]


# --- the navigation per persona ------------------------------------------------------------------


def test_the_auditor_sees_only_the_audit_log(org, client_for) -> None:
    response = home(client_for("auditor"))
    assert nav_of(response) == [("System administration", ["core:audit"])]
    html = response.content.decode()
    assert 'href="/audit/"' in html
    assert 'href="/orgs/' not in html and 'href="/people/"' not in html


def test_the_system_administrator_sees_the_org_and_its_administration(org, client_for) -> None:
    response = home(client_for("admin"))
    assert nav_of(response) == [
        ORG,
        (
            "System administration",
            ["orgs:import", "orgs:lists", "orgs:accounts", "core:calendar", *NOTIFY_ADMIN],
        ),
    ]
    assert 'href="/audit/"' not in response.content.decode()


def test_the_security_administrator_sees_accounts_only(org, client_for) -> None:
    assert nav_of(home(client_for("security"))) == [("System administration", ["orgs:accounts"])]


@pytest.mark.parametrize("persona", ["staff", "outsider"])
def test_staff_see_deployment_supervision_their_appraisal_and_the_org(
    org, client_for, persona
) -> None:
    assert nav_of(home(client_for(persona))) == [DEPLOYMENT, SUPERVISION, APPRAISAL_OWN, ORG]


def test_a_unit_head_also_runs_routine_appraisal(org, client_for) -> None:
    appraisal = ("Appraisal", ["appraisal:cycles", "appraisal:mine", "appraisal:routine_list"])
    assert nav_of(home(client_for("head"))) == [DEPLOYMENT, SUPERVISION, appraisal, ORG]


def test_the_personnel_officer_runs_appraisal_and_evaluation(org, client_for) -> None:
    assert nav_of(home(client_for("hr"))) == [DEPLOYMENT, SUPERVISION, APPRAISAL_OFFICER, ORG]


def test_the_agency_leader_sees_report_overview_and_appraisal(org, client_for) -> None:
    deployment = ("Deployment", [*DEPLOYMENT[1], "plans:report_overview"])
    assert nav_of(home(client_for("leader"))) == [
        deployment,
        SUPERVISION,
        APPRAISAL_OFFICER,
        ORG,
    ]


def test_the_supervisor_runs_the_office(org, client_for) -> None:
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
        APPRAISAL_OWN,
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
