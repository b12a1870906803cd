"""Persona fixtures shared by every app's tests.

A small agency built through the real services: an agency with three departments and an
affiliated unit, a city federation under it, and one account per persona.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client

from luoshi.core.calendar import ensure_seeded
from luoshi.orgs import services
from luoshi.orgs.defaults import ensure_default_lists
from luoshi.orgs.models import OrgUnit, Person, StaffCategory, User
from luoshi.orgs.roles import Role

PASSWORD = "Persona-pass-1"  # noqa: S105


@dataclass
class Org:
    agency: OrgUnit
    office: OrgUnit  # 办公室
    econ: OrgUnit  # 经济科技部
    liaison: OrgUnit  # 组织联络部
    center: OrgUnit  # 侨联信息中心 (affiliated)
    city: OrgUnit  # a city federation under the agency
    people: dict[str, Person]
    users: dict[str, User]


def _person(unit: OrgUnit, name: str, mobile: str = "") -> Person:
    return services.person_create(
        actor=None,
        name=name,
        gender=Person.Gender.FEMALE,
        unit=unit,
        birth_month=dt.date(1985, 3, 1),
        mobile=mobile,
        staff_category=StaffCategory.objects.get(name="参照公务员法管理"),
    )


def build_org() -> Org:
    ensure_default_lists()  # a transactional test's flush also empties the seeded lists
    ensure_seeded()  # ... and the working-day calendar
    unit = services.org_unit_create
    agency = unit(
        actor=None,
        name="测试省归国华侨联合会机关",
        code="TQL",
        kind=OrgUnit.Kind.AGENCY,
        level=OrgUnit.Level.PROVINCIAL,
    )
    office = unit(
        actor=None,
        name="办公室",
        code="T-BGS",
        parent=agency,
        kind=OrgUnit.Kind.DEPARTMENT,
        level=OrgUnit.Level.PROVINCIAL,
        sort_order=1,
    )
    econ = unit(
        actor=None,
        name="经济科技部",
        code="T-JKB",
        parent=agency,
        kind=OrgUnit.Kind.DEPARTMENT,
        level=OrgUnit.Level.PROVINCIAL,
        sort_order=2,
    )
    liaison = unit(
        actor=None,
        name="组织联络部",
        code="T-ZLB",
        parent=agency,
        kind=OrgUnit.Kind.DEPARTMENT,
        level=OrgUnit.Level.PROVINCIAL,
        sort_order=3,
    )
    center = unit(
        actor=None,
        name="侨联信息中心",
        code="T-XXZX",
        parent=agency,
        kind=OrgUnit.Kind.AFFILIATED,
        level=OrgUnit.Level.PROVINCIAL,
        sort_order=101,
    )
    city = unit(
        actor=None,
        name="测试市归国华侨联合会",
        code="T-C01",
        parent=agency,
        kind=OrgUnit.Kind.LOCAL,
        level=OrgUnit.Level.MUNICIPAL,
        sort_order=201,
    )
    people = {
        "leader": _person(agency, "甲主席"),
        "vice": _person(agency, "乙副主席"),
        "head": _person(office, "丙主任", mobile="13900000003"),
        "office_staff": _person(office, "丁科员"),
        "staff": _person(econ, "戊科员", mobile="13900000005"),
        "econ_colleague": _person(econ, "己科员"),
        "liaison_staff": _person(liaison, "庚科员"),
        "supervisor": _person(office, "辛督查"),
        "hr": _person(office, "壬人事"),
        "admin": _person(center, "癸管理"),
        "security": _person(center, "子安全"),
        "auditor": _person(center, "丑审计"),
        "outsider": _person(city, "寅市侨联"),
        "committee": _person(liaison, "卯委员"),
    }
    services.unit_set_head(actor=None, unit=office, head=people["head"])
    services.leader_assign(
        actor=None, leader=people["vice"], unit=liaison, start_date=dt.date(2020, 1, 1)
    )
    roles: dict[str, list[tuple[str, OrgUnit | None]]] = {
        "leader": [(Role.AGENCY_LEADER, agency)],
        "vice": [(Role.LEADER_IN_CHARGE, None)],
        "head": [(Role.UNIT_HEAD, None)],
        "staff": [(Role.STAFF, None)],
        "supervisor": [(Role.SUPERVISOR, agency)],
        "hr": [(Role.PERSONNEL_OFFICER, agency)],
        "admin": [(Role.SYSTEM_ADMIN, None)],
        "security": [(Role.SECURITY_ADMIN, None)],
        "auditor": [(Role.AUDIT_ADMIN, None)],
        "outsider": [(Role.STAFF, None)],
        "committee": [(Role.STAFF, None), (Role.COMMITTEE_MEMBER, None)],
    }
    users = {}
    for key, grants in roles.items():
        user = services.user_create(actor=None, username=key, password=PASSWORD, person=people[key])
        for role, anchor in grants:
            services.role_assign(actor=None, user=user, role=role, anchor=anchor)
        users[key] = user
    return Org(agency, office, econ, liaison, center, city, people, users)


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 still, with a small cost so that persona fixtures build quickly."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["conftest.FastArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _administrators_without_second_factor(settings: Any) -> None:
    """The personas sign in with force_login or a password; the three administrators' required
    second factor (LUOSHI_TWO_FACTOR_ADMINS) is switched on by the tests of it
    (luoshi/orgs/tests/test_two_factor.py, tests/browser/test_two_factor.py)."""
    settings.LUOSHI_TWO_FACTOR_ADMINS = False


@pytest.fixture(autouse=True)
def _own_audit_anchors(settings: Any, tmp_path_factory: Any) -> None:
    """Each test its own audit anchor file (luoshi.core.audit): anchors of another test's
    database must not be checked against this one's."""
    settings.LUOSHI_AUDIT_ANCHOR_FILE = str(tmp_path_factory.mktemp("anchors") / "anchors.jsonl")


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Every test starts with an empty cache: ids are reused between tests, so a cached frame
    of one test's user must not appear in the next."""
    from django.core.cache import cache

    from luoshi.core.cache import clear_local

    cache.clear()
    clear_local()
    yield


def _is_transactional(request: Any) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _audit_guards(request: Any) -> Any:
    """Keep the audit log's database guards in place for every test, and lift them only for
    the flush that ends a transactional test (it empties every table, the audit log included)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not (
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    ):
        yield
        return
    from django.db import connection

    from luoshi.core import dbguards

    transactional = _is_transactional(request)
    request.getfixturevalue("transactional_db" if transactional else "db")
    dbguards.install(connection)
    yield
    if transactional:
        dbguards.remove(connection)


@pytest.fixture
def org(db: Any) -> Org:
    return build_org()


@pytest.fixture
def client_for(org: Org) -> Callable[[str], Client]:
    """A logged-in Django test client for a persona: client_for("staff")."""

    def make(persona: str) -> Client:
        client = Client()
        client.force_login(org.users[persona], backend="luoshi.orgs.auth.AccountBackend")
        return client

    return make


@pytest.fixture
def token_for(org: Org) -> Callable[[str], dict[str, str]]:
    """A bearer-token header for a persona."""

    def make(persona: str) -> dict[str, str]:
        _token, raw = services.api_token_create(actor=None, user=org.users[persona], name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make
