"""Pages: each answers for its persona, with a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.orgs import services
from luoshi.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def add_people(org, n: int) -> None:
    for i in range(n):
        services.person_create(actor=None, name=f"批量{i}", gender="M", unit=org.econ)


def add_units(org, n: int) -> None:
    start = OrgUnit.objects.count()
    for i in range(start, start + n):
        services.org_unit_create(
            actor=None,
            name=f"科室{i}",
            code=f"T-K{i}",
            parent=org.econ,
            kind=OrgUnit.Kind.DEPARTMENT,
            level=OrgUnit.Level.PROVINCIAL,
        )


def count_queries(client, url: str) -> int:
    client.get(url)  # warm: the cached navigation is filled
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/", "/people/", "/people/?q=批量&page=2", "/orgs/", "/orgs/leaders/", "/accounts/"]
)
def test_query_count_does_not_grow_with_data(org, client_for, url: str) -> None:
    persona = "security" if url == "/accounts/" else "admin"
    client = client_for(persona)
    add_people(org, 45)
    add_units(org, 5)
    small = count_queries(client, url)
    add_people(org, 60)
    add_units(org, 30)
    for i in range(10):
        services.user_create(actor=None, username=f"extra{i}", password="Extra-pass-1")
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries with little data, {large} with more"


def test_unit_page_query_count(org, client_for) -> None:
    client = client_for("leader")
    add_people(org, 3)
    small = count_queries(client, f"/orgs/{org.econ.pk}/")
    add_people(org, 40)
    add_units(org, 8)
    assert count_queries(client, f"/orgs/{org.econ.pk}/") == small


@pytest.mark.parametrize(
    ("persona", "visible", "hidden"),
    [
        ("leader", ["戊科员", "寅市侨联"], []),
        ("staff", ["戊科员", "己科员"], ["丙主任", "寅市侨联"]),
        ("outsider", ["寅市侨联"], ["戊科员", "甲主席"]),
    ],
)
def test_people_list_is_scoped(org, client_for, persona, visible, hidden) -> None:
    html = client_for(persona).get("/people/").content.decode()
    for name in visible:
        assert name in html
    for name in hidden:
        assert name not in html


def test_traditional_search_on_the_page(org, client_for) -> None:
    services.person_create(actor=None, name="侨务干部", gender="M", unit=org.econ)
    html = client_for("leader").get("/people/", {"q": "僑務"}).content.decode()
    assert "侨务干部" in html and "戊科员" not in html


def test_htmx_request_gets_only_the_results(org, client_for) -> None:
    response = client_for("leader").get("/people/", {"q": "戊"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "戊科员" in html and "<html" not in html


def test_pagination_keeps_filters(org, client_for) -> None:
    add_people(org, 30)
    html = client_for("leader").get("/people/", {"q": "批量"}).content.decode()
    assert "q=%E6%89%B9%E9%87%8F&amp;page=2" in html


@pytest.mark.parametrize("persona", ["auditor", "security"])
def test_admins_without_business_scope_get_not_found(org, client_for, persona) -> None:
    client = client_for(persona)
    for url in [
        "/orgs/",
        "/people/",
        f"/people/{org.people['staff'].pk}/",
        f"/orgs/{org.econ.pk}/",
    ]:
        assert client.get(url).status_code == 404, url


def test_person_edit_detects_a_concurrent_change(org, client_for) -> None:
    person = org.people["staff"]
    client = client_for("admin")
    form = {
        "name": person.name,
        "gender": "F",
        "unit": org.econ.pk,
        "mobile": "13900000077",
        "version": person.version,
        "is_active": "on",
    }
    services.person_update(actor=None, person=person, version=person.version, mobile="13900000088")
    response = client.post(f"/people/{person.pk}/edit/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    person.refresh_from_db()
    assert person.mobile == "13900000088"


def test_staff_cannot_edit_people(org, client_for) -> None:
    assert client_for("staff").get(f"/people/{org.people['staff'].pk}/edit/").status_code == 403


def test_security_headers(org, client_for) -> None:
    response = client_for("leader").get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_csrf_is_enforced(org) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "staff", "password": "x"}).status_code == 403


def test_admin_creates_edits_and_moves_a_unit(org, client_for) -> None:
    client = client_for("admin")
    response = client.post(
        "/orgs/new/",
        {
            "name": "法律顾问室",
            "code": "T-FLGW",
            "kind": "department",
            "level": "provincial",
            "sort_order": 20,
            "parent": org.agency.pk,
        },
    )
    unit = OrgUnit.objects.get(code="T-FLGW")
    assert response.status_code == 302 and unit.parent == org.agency
    response = client.post(
        f"/orgs/{unit.pk}/edit/",
        {
            "name": "法律事务室",
            "code": "T-FLGW",
            "kind": "department",
            "level": "provincial",
            "sort_order": 20,
            "parent": org.office.pk,
            "effective_date": "2026-07-01",
            "version": unit.version,
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "法律事务室" and unit.parent == org.office
    assert sorted(unit.changes.values_list("kind", flat=True)) == ["move", "rename"]
    history = client.get(f"/orgs/{unit.pk}/").content.decode()
    assert "法律顾问室" in history


def test_unit_edit_with_a_stale_version_changes_nothing(org, client_for) -> None:
    unit = OrgUnit.objects.get(pk=org.econ.pk)
    response = client_for("admin").post(
        f"/orgs/{unit.pk}/edit/",
        {
            "name": "改名",
            "code": unit.code,
            "kind": unit.kind,
            "level": unit.level,
            "sort_order": 0,
            "parent": org.agency.pk,
            "version": unit.version - 1,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert OrgUnit.objects.get(pk=unit.pk).name == "经济科技部"


def test_only_the_system_admin_manages_units(org, client_for) -> None:
    assert client_for("leader").get("/orgs/new/").status_code == 403
    assert client_for("staff").get(f"/orgs/{org.econ.pk}/edit/").status_code == 403
    assert client_for("outsider").get(f"/orgs/{org.econ.pk}/edit/").status_code == 404


def test_personnel_officer_adds_a_person(org, client_for) -> None:
    from luoshi.orgs.models import Person

    response = client_for("hr").post(
        "/people/new/",
        {
            "name": "新同志",
            "gender": "M",
            "unit": org.econ.pk,
            "birth_month": "1995-04",
            "mobile": "13912345678",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(name="新同志")
    assert person.birth_month == dt.date(1995, 4, 1)
    bad = client_for("hr").post(
        "/people/new/",
        {"name": "错号", "gender": "M", "unit": org.econ.pk, "mobile": "123"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "11 digits" in bad.content.decode()
    assert not Person.objects.filter(name="错号").exists()


def test_leader_matrix_page_assigns_and_ends(org, client_for) -> None:
    from luoshi.orgs.models import LeaderAssignment, Post

    leader = org.people["leader"]
    services.person_update(actor=None, person=leader, post=Post.objects.get(name="主席"))
    client = client_for("admin")
    response = client.post(
        "/orgs/leaders/", {"leader": leader.pk, "unit": org.econ.pk, "start_date": "2026-01-01"}
    )
    assert response.status_code == 302
    row = LeaderAssignment.objects.get(leader=leader, unit=org.econ)
    client.post("/orgs/leaders/", {"action": "end", "assignment": row.pk, "end_date": "2026-06-30"})
    row.refresh_from_db()
    assert row.end_date == dt.date(2026, 6, 30)
    assert client_for("staff").post(
        "/orgs/leaders/", {"action": "end", "assignment": row.pk, "end_date": "2026-01-02"}
    ).status_code in (403, 404)


def test_system_admin_edits_the_lists(org, client_for) -> None:
    from luoshi.orgs.models import Rank

    client = client_for("admin")
    assert client.get("/lists/ranks/").status_code == 200
    client.post("/lists/ranks/", {"name": "五级职员", "sort_order": 500, "is_active": "on"})
    rank = Rank.objects.get(name="五级职员")
    client.post("/lists/ranks/", {"item": rank.pk, "name": "五级职员", "sort_order": 5})
    rank.refresh_from_db()
    assert not rank.is_active and rank.sort_order == 5
    duplicate = client.post(
        "/lists/ranks/",
        {"name": "一级科员", "sort_order": 1, "is_active": "on"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "already in the list" in duplicate.content.decode()
    assert client_for("hr").get("/lists/ranks/").status_code == 403
    assert client.get("/lists/nonsense/").status_code == 404


def test_disable_and_reset_follow_the_separation_of_duties(org, client_for) -> None:
    from luoshi.orgs.models import User

    target = org.users["staff"]
    url = f"/accounts/{target.pk}/"
    assert client_for("security").post(url, {"action": "disable"}).status_code == 403
    assert client_for("admin").post(url, {"action": "disable"}).status_code == 302
    assert not User.objects.get(pk=target.pk).is_active
    assert (
        client_for("admin")
        .post(url, {"action": "reset", "new_password": "Reset-pass-9"})
        .status_code
        == 403
    )
    client_for("security").post(url, {"action": "reset", "new_password": "Reset-pass-9"})
    assert User.objects.get(pk=target.pk).check_password("Reset-pass-9")


def test_security_admin_grants_a_role_with_scope_and_unit(org, client_for) -> None:
    target = org.users["staff"]
    client = client_for("security")
    page = client.get("/accounts/").content.decode()
    assert 'value="audit_admin"' not in page  # 三员 roles are not offered on the page
    client.post(
        f"/accounts/{target.pk}/",
        {"action": "assign", "role": "supervisor", "scope": "subtree", "anchor": org.liaison.pk},
    )
    row = target.role_assignments.get(role="supervisor")
    assert (row.scope, row.anchor_id) == ("subtree", org.liaison.pk)


def test_role_grant_starts_on_no_role_and_refuses_an_empty_one(org, client_for) -> None:
    """issue 15 finding 9: every grant row used to start on the first business role (机关领导),
    so a click without looking granted the highest one. The row starts on an empty, required
    choice; a grant without a role is refused with a clear message and grants nothing."""
    import re

    from django.contrib.messages import get_messages

    target = org.users["staff"]
    client = client_for("security")
    page = client.get("/accounts/", {"q": "staff"}).content.decode()
    select = re.search(rf'<select id="role-{target.pk}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None and "required" in select.group(0).split(">")[0]
    options = re.findall(r"<option ([^>]*)>", select.group(1))
    assert options[0].startswith('value=""') and "selected" in options[0]
    assert not any("selected" in o for o in options[1:])  # no business role is preselected
    before = set(target.role_assignments.values_list("role", flat=True))
    response = client.post(f"/accounts/{target.pk}/", {"action": "assign", "role": ""})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请选择角色。"]
    assert set(target.role_assignments.values_list("role", flat=True)) == before


def test_role_assign_service_refuses_an_empty_role(org) -> None:
    """issue 15 finding 9: the service every caller shares refuses a grant with no role."""
    from luoshi.core.errors import InvalidInput

    target = org.users["staff"]
    with pytest.raises(InvalidInput) as caught:
        services.role_assign(actor=org.users["security"], user=target, role="")
    assert caught.value.code == "role_required"


def test_account_search_crosses_scripts(org, client_for) -> None:
    html = client_for("security").get("/accounts/", {"q": "戊科員"}).content.decode()
    assert ">staff<" in html and ">leader<" not in html


def test_profile_is_never_cached(org, client_for) -> None:
    assert "no-store" in client_for("staff").get("/profile/")["Cache-Control"]


def test_accounts_page_offers_no_action_on_administrator_accounts(org, client_for) -> None:
    html = client_for("security").get("/accounts/", {"q": "auditor"}).content.decode()
    assert 'name="action" value="reset"' not in html
    assert 'value="assign"' not in html
    staff = client_for("security").get("/accounts/", {"q": "staff"}).content.decode()
    assert 'name="action" value="reset"' in staff and 'value="assign"' in staff
