"""The JSON API: accounts, tokens, scoping, the error shape, OpenAPI and query counts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import schemathesis
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD, Org
from luoshi.orgs import services
from luoshi.orgs.models import OrgUnit, Person, Post, Rank, StaffCategory
from luoshi.orgs.roles import Role

API = "/api/v1"
PERSONAS = [
    "leader",
    "vice",
    "head",
    "staff",
    "supervisor",
    "hr",
    "admin",
    "security",
    "auditor",
    "outsider",
]


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], list)
    return body


def post_json(client: Client, url: str, data: Any, **extra: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def unit_ids(nodes: list[dict[str, Any]]) -> set[int]:
    ids = set()
    for node in nodes:
        ids.add(node["id"])
        ids |= unit_ids(node["children"])
    return ids


# --- /me ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_me_answers_for_every_persona(org: Org, token_for: Any, persona: str) -> None:
    response = Client().get(f"{API}/me", **token_for(persona))
    assert response.status_code == 200
    body = response.json()
    user = org.users[persona]
    assert body["id"] == user.pk
    assert body["username"] == persona
    assert body["name"] == org.people[persona].name
    assert body["person"] == org.people[persona].pk
    assert body["unit"] == org.people[persona].unit_id
    assert [r["role"] for r in body["roles"]] == list(
        user.role_assignments.order_by("id").values_list("role", flat=True)
    )


def test_me_with_the_browser_session(org: Org, client_for: Any) -> None:
    response = client_for("staff").get(f"{API}/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.json()["roles"][0] == {
        "role": Role.STAFF,
        "label": "Staff",
        "scope": "unit",
        "anchor": None,
    }


def test_no_credentials_is_401(org: Org) -> None:
    assert_error(Client().get(f"{API}/me"), 401, "not_authenticated")
    assert_error(Client().get(f"{API}/people"), 401, "not_authenticated")


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer lsh_unknown", "Bearer ", "Bearer lsh_\x00"]
)
def test_a_bad_bearer_token_is_401(org: Org, header: str) -> None:
    assert_error(Client().get(f"{API}/me", HTTP_AUTHORIZATION=header), 401, "not_authenticated")


def test_a_bad_bearer_token_does_not_fall_back_to_the_session(org: Org, client_for: Any) -> None:
    client = client_for("staff")
    assert client.get(f"{API}/me").status_code == 200
    response = client.get(f"{API}/me", HTTP_AUTHORIZATION="Bearer lsh_revoked")
    assert_error(response, 401, "not_authenticated")


# --- tokens ---------------------------------------------------------------------------------


def test_token_from_username_and_password(org: Org) -> None:
    client = Client()
    response = post_json(
        client, f"{API}/auth/token", {"username": "staff", "password": PASSWORD, "name": "sync"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "sync"
    assert body["token"].startswith("lsh_")
    me = client.get(f"{API}/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200
    assert me.json()["username"] == "staff"
    # stored hashed: the raw value is nowhere in the table
    token = org.users["staff"].api_tokens.get(name="sync")
    assert body["token"] not in (token.token_hash, token.prefix)


def test_token_by_mobile(org: Org) -> None:
    response = post_json(
        Client(), f"{API}/auth/token", {"username": "13900000003", "password": PASSWORD}
    )
    assert response.status_code == 201
    me = Client().get(f"{API}/me", HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert me.json()["username"] == "head"


def test_wrong_password_and_unknown_user_look_the_same(org: Org) -> None:
    wrong = post_json(Client(), f"{API}/auth/token", {"username": "staff", "password": "nope"})
    unknown = post_json(Client(), f"{API}/auth/token", {"username": "ghost", "password": "nope"})
    assert assert_error(wrong, 401, "authentication_failed") == assert_error(
        unknown, 401, "authentication_failed"
    )


def test_lockout_after_five_failures_and_unlock(org: Org) -> None:
    client = Client()
    url = f"{API}/auth/token"
    for _attempt in range(4):
        response = post_json(client, url, {"username": "hr", "password": "wrong-password"})
        assert_error(response, 401, "authentication_failed")
    # the fifth failure locks the account
    assert_error(
        post_json(client, url, {"username": "hr", "password": "wrong-password"}),
        403,
        "account_locked",
    )
    # the right password is refused while locked
    assert_error(
        post_json(client, url, {"username": "hr", "password": PASSWORD}), 403, "account_locked"
    )
    services.account_unlock(actor=org.users["security"], user=org.users["hr"])
    assert post_json(client, url, {"username": "hr", "password": PASSWORD}).status_code == 201


def test_a_locked_accounts_tokens_keep_working(org: Org, token_for: Any) -> None:
    """Issue 20, finding 6: the lockout stops passwords, not tokens."""
    headers = token_for("hr")
    assert Client().get(f"{API}/me", **headers).status_code == 200
    for _attempt in range(5):
        post_json(Client(), f"{API}/auth/token", {"username": "hr", "password": "wrong"})
    assert Client().get(f"{API}/me", **headers).status_code == 200


def test_revoked_token_is_401(org: Org) -> None:
    token, raw = services.api_token_create(actor=None, user=org.users["staff"], name="t")
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get(f"{API}/me", **headers).status_code == 200
    services.api_token_revoke(actor=org.users["staff"], token=token)
    assert_error(Client().get(f"{API}/me", **headers), 401, "not_authenticated")


def test_delete_revokes_the_calling_token_only(org: Org, token_for: Any) -> None:
    calling, other = token_for("staff"), token_for("staff")
    response = Client().delete(f"{API}/auth/token", **calling)
    assert response.status_code == 204
    assert response.content == b""
    assert_error(Client().get(f"{API}/me", **calling), 401, "not_authenticated")
    assert Client().get(f"{API}/me", **other).status_code == 200
    assert_error(Client().delete(f"{API}/auth/token", **calling), 401, "not_authenticated")


def test_delete_token_needs_a_bearer_token(org: Org, client_for: Any) -> None:
    assert_error(Client().delete(f"{API}/auth/token"), 401, "not_authenticated")
    assert_error(client_for("staff").delete(f"{API}/auth/token"), 422, "no_bearer_token")


# --- CSRF -----------------------------------------------------------------------------------


def csrf_client(org: Org, persona: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users[persona], backend="luoshi.orgs.auth.AccountBackend")
    return client


def test_session_auth_enforces_csrf_on_unsafe_methods(org: Org) -> None:
    client = csrf_client(org, "staff")
    assert client.get(f"{API}/me").status_code == 200  # safe methods need no token
    assert_error(client.delete(f"{API}/auth/token"), 403, "csrf_failed")
    assert_error(client.post(f"{API}/me"), 405, "method_not_allowed")
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    assert_error(client.delete(f"{API}/auth/token", HTTP_X_CSRFTOKEN="b" * 32), 403, "csrf_failed")
    # with the token, the call gets through the CSRF check to the operation itself
    assert_error(
        client.delete(f"{API}/auth/token", HTTP_X_CSRFTOKEN=secret), 422, "no_bearer_token"
    )


def test_bearer_tokens_need_no_csrf(org: Org, token_for: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.delete(f"{API}/auth/token", **token_for("staff")).status_code == 204


def test_unsafe_call_without_any_credentials_is_401_not_403(org: Org) -> None:
    client = Client(enforce_csrf_checks=True)
    assert_error(client.delete(f"{API}/auth/token"), 401, "not_authenticated")


# --- scoping --------------------------------------------------------------------------------


def test_outsider_sees_only_the_city(org: Org, token_for: Any) -> None:
    client, headers = Client(), token_for("outsider")
    tree = client.get(f"{API}/orgs", **headers).json()
    assert [node["id"] for node in tree] == [org.city.pk]
    assert tree[0]["children"] == []
    assert tree[0]["parent"] == org.agency.pk  # the id only, the unit itself stays hidden
    people = client.get(f"{API}/people", **headers).json()
    assert [p["id"] for p in people["results"]] == [org.people["outsider"].pk]
    assert people["count"] == 1


def test_outsider_gets_not_found_for_the_agency(org: Org, token_for: Any) -> None:
    client, headers = Client(), token_for("outsider")
    missing = OrgUnit.objects.order_by("-id").first().pk + 1000  # type: ignore[union-attr]
    missing_person = Person.objects.order_by("-id").first().pk + 1000  # type: ignore[union-attr]
    expected = assert_error(client.get(f"{API}/orgs/{missing}", **headers), 404, "not_found")
    for url in [
        f"{API}/orgs/{org.agency.pk}",
        f"{API}/orgs/{org.office.pk}",
        f"{API}/orgs?parent={org.agency.pk}",
        f"{API}/people/{org.people['leader'].pk}",
        f"{API}/people/{missing_person}",
        f"{API}/people?org={org.agency.pk}",
        f"{API}/people?org={missing}",
    ]:
        response = client.get(url, **headers)
        assert response.status_code == 404, url
        assert response.json() == expected, url


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("leader", {"agency", "office", "econ", "liaison", "center", "city"}),
        ("admin", {"agency", "office", "econ", "liaison", "center", "city"}),
        ("head", {"office"}),
        ("staff", {"econ"}),
        ("vice", {"agency", "liaison"}),
        ("security", set()),
        ("auditor", set()),
        ("outsider", {"city"}),
    ],
)
def test_each_persona_sees_its_part_of_the_tree(
    org: Org, token_for: Any, persona: str, visible: set[str]
) -> None:
    tree = Client().get(f"{API}/orgs", **token_for(persona)).json()
    assert unit_ids(tree) == {getattr(org, name).pk for name in visible}


def test_tree_is_nested_and_parent_gives_a_flat_list(org: Org, token_for: Any) -> None:
    client, headers = Client(), token_for("leader")
    tree = client.get(f"{API}/orgs", **headers).json()
    assert [n["id"] for n in tree] == [org.agency.pk]
    children = [n["id"] for n in tree[0]["children"]]
    assert children == [u.pk for u in (org.office, org.econ, org.liaison, org.center, org.city)]
    flat = client.get(f"{API}/orgs?parent={org.agency.pk}", **headers).json()
    assert [n["id"] for n in flat] == children
    assert all(n["children"] == [] and n["parent"] == org.agency.pk for n in flat)
    assert client.get(f"{API}/orgs?parent={org.econ.pk}", **headers).json() == []


def test_vice_sees_only_the_units_in_charge_under_the_agency(org: Org, token_for: Any) -> None:
    flat = Client().get(f"{API}/orgs?parent={org.agency.pk}", **token_for("vice")).json()
    assert [n["id"] for n in flat] == [org.liaison.pk]


def test_unit_detail(org: Org, token_for: Any) -> None:
    body = Client().get(f"{API}/orgs/{org.liaison.pk}", **token_for("leader")).json()
    assert body["name"] == "组织联络部"
    assert body["parent"] == org.agency.pk
    assert body["leaders_in_charge"] == [org.people["vice"].pk]
    assert body["version"] >= 1
    office = Client().get(f"{API}/orgs/{org.office.pk}", **token_for("head")).json()
    assert office["head"] == org.people["head"].pk


def test_people_filters_by_unit_including_sub_units(org: Org, token_for: Any) -> None:
    client, headers = Client(), token_for("leader")
    office = client.get(f"{API}/people?org={org.office.pk}", **headers).json()
    assert {p["unit"] for p in office["results"]} == {org.office.pk}
    assert office["count"] == 4
    everyone = client.get(f"{API}/people?org={org.agency.pk}&page_size=100", **headers).json()
    assert everyone["count"] == Person.objects.count()


def test_people_search_across_scripts(org: Org, token_for: Any) -> None:
    person = services.person_create(
        actor=None, name="侨联张三", gender=Person.Gender.MALE, unit=org.center
    )
    city_person = org.people["outsider"]  # 寅市侨联
    client, headers = Client(), token_for("leader")

    def found(q: str, headers: dict[str, Any] = headers) -> set[int]:
        body = client.get(f"{API}/people", {"q": q}, **headers).json()
        return {p["id"] for p in body["results"]}

    assert found("僑聯") == found("侨联") == {person.pk, city_person.pk}
    assert found("僑聯張三") == found(" 侨联张三 ") == {person.pk}
    units = client.get(f"{API}/orgs", {"q": "僑聯信息"}, **headers).json()
    assert [u["id"] for u in units] == [org.center.pk]
    # the outsider finds only what is in the city
    assert found("僑聯", token_for("outsider")) == {city_person.pk}


def test_people_paging(org: Org, token_for: Any) -> None:
    client, headers = Client(), token_for("leader")
    first = client.get(f"{API}/people?page_size=5", **headers).json()
    assert (first["count"], first["page"], first["pages"], len(first["results"])) == (14, 1, 3, 5)
    last = client.get(f"{API}/people?page_size=5&page=3", **headers).json()
    assert len(last["results"]) == 4
    beyond = client.get(f"{API}/people?page_size=5&page=99", **headers).json()
    assert beyond["page"] == 3
    ids = [
        p["id"]
        for page in (1, 2, 3)
        for p in client.get(f"{API}/people?page_size=5&page={page}", **headers).json()["results"]
    ]
    assert sorted(ids) == sorted(Person.objects.values_list("id", flat=True))


def test_person_detail(org: Org, token_for: Any) -> None:
    person = org.people["staff"]
    body = Client().get(f"{API}/people/{person.pk}", **token_for("head")).json()
    assert body == {"code": "not_found", "message": body["message"], "details": []}
    body = Client().get(f"{API}/people/{person.pk}", **token_for("staff")).json()
    assert body["name"] == "戊科员"
    assert body["unit"] == org.econ.pk
    assert body["unit_name"] == "经济科技部"
    assert body["staff_category"] == "参照公务员法管理"
    assert body["mobile"] == "13900000005"
    assert body["birth_month"] == "1985-03-01"


# --- the error shape ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "code"),
    [
        (
            "post",
            "/auth/token",
            {"data": "{bad", "content_type": "application/json"},
            400,
            "bad_request",
        ),
        (
            "post",
            "/auth/token",
            {"data": {"username": "x", "password": "y"}},
            415,
            "unsupported_media_type",
        ),
        (
            "post",
            "/auth/token",
            {"data": '{"username": "x", "password": "y"}', "content_type": "text/plain"},
            415,
            "unsupported_media_type",
        ),
        ("post", "/auth/token", {"data": "{}", "content_type": "application/json"}, 422, "invalid"),
        (
            "post",
            "/auth/token",
            {"data": "[1, 2]", "content_type": "application/json"},
            422,
            "invalid",
        ),
        (
            "post",
            "/auth/token",
            {"data": "null", "content_type": "application/json"},
            422,
            "invalid",
        ),
        (
            "post",
            "/auth/token",
            {"data": '{"username": 5, "password": []}', "content_type": "application/json"},
            422,
            "invalid",
        ),
        (
            "post",
            "/auth/token",
            {
                "data": '{"username": "a\\u0000", "password": "b"}',
                "content_type": "application/json",
            },
            422,
            "invalid",
        ),
        (
            "post",
            "/auth/token",
            {
                "data": '{"username": "\\ud800", "password": "b"}',
                "content_type": "application/json",
            },
            422,
            "invalid",
        ),
        (
            "post",
            "/auth/token",
            {
                "data": json.dumps({"username": "x" * 151, "password": "y"}),
                "content_type": "application/json",
            },
            422,
            "invalid",
        ),
        ("get", "/auth/token", {}, 405, "method_not_allowed"),
        ("put", "/people", {}, 405, "method_not_allowed"),
        ("get", "/orgs/99999999999999999999", {}, 422, "invalid"),
        ("get", "/orgs/9223372036854775807", {}, 404, "not_found"),
        ("get", "/orgs/0", {}, 422, "invalid"),
        ("get", "/orgs/abc", {}, 422, "invalid"),
        ("get", "/orgs/-1", {}, 422, "invalid"),
        ("get", "/orgs/1.5", {}, 422, "invalid"),
        ("get", "/people/99999999999999999999", {}, 422, "invalid"),
        ("get", "/people?org=99999999999999999999", {}, 422, "invalid"),
        ("get", "/people?org=abc", {}, 422, "invalid"),
        ("get", "/people?page=0", {}, 422, "invalid"),
        ("get", "/people?page_size=100000", {}, 422, "invalid"),
        ("get", "/people?q=%00", {}, 422, "invalid"),
        ("get", "/people?q=" + "x" * 101, {}, 422, "invalid"),
        ("get", "/orgs?parent=99999999999999999999", {}, 422, "invalid"),
        ("get", "/orgs?parent=9223372036854775807", {}, 404, "not_found"),
        ("get", "/no-such-thing", {}, 404, "not_found"),
        ("get", "/me/", {}, 404, "not_found"),
    ],
)
def test_errors_are_json(
    org: Org,
    token_for: Any,
    method: str,
    url: str,
    kwargs: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = getattr(Client(), method)(f"{API}{url}", **kwargs, **token_for("leader"))
    assert_error(response, status, code)


def test_nul_characters_in_any_query_parameter_are_refused(org: Org, token_for: Any) -> None:
    # PostgreSQL cannot store or compare text with NUL: refused before any operation runs
    for url, persona in [
        ("/people?colour=%00", "leader"),
        ("/audit?q=a%00b", "auditor"),
        ("/audit?actor=%00", "auditor"),
    ]:
        assert_error(Client().get(f"{API}{url}", **token_for(persona)), 422, "invalid")


def test_401_names_the_scheme(org: Org) -> None:
    response = Client().get(f"{API}/people")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_body_over_the_limit_is_413(org: Org, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"username": "staff", "password": "x" * 2000}
    assert_error(post_json(Client(), f"{API}/auth/token", body), 413, "too_large")


def test_a_malformed_multipart_body_is_400(org: Org, token_for: Any) -> None:
    response = Client().post(
        f"{API}/imports/org-people",
        b"garbage",
        content_type="multipart/form-data",  # no boundary
        **token_for("admin"),
    )
    assert_error(response, 400, "bad_request")


def test_unknown_query_parameters_are_ignored(org: Org, token_for: Any) -> None:
    client, headers = Client(), token_for("leader")
    plain = client.get(f"{API}/people", **headers).json()
    assert client.get(f"{API}/people?colour=red&page_size=20", **headers).json() == plain


def test_405_names_the_allowed_methods(org: Org, token_for: Any) -> None:
    response = Client().patch(f"{API}/auth/token", **token_for("leader"))
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].split(", ")) == {"POST", "DELETE"}


# --- OpenAPI --------------------------------------------------------------------------------


def test_openapi_document(org: Org) -> None:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    schemathesis.openapi.from_dict(doc).validate()  # against the OpenAPI meta-schema
    assert doc["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
    }
    error_out = doc["components"]["schemas"]["ErrorOut"]
    assert error_out["required"] == ["code", "message", "details"]
    paths = doc["paths"]
    for path in ["/me", "/orgs", "/orgs/{unit_id}", "/people", "/people/{person_id}"]:
        operation = paths[f"{API}{path}"]["get"]
        assert {"BearerToken": []} in operation["security"]
        responses = operation["responses"]
        assert "$ref" in json.dumps(responses["200"]["content"]["application/json"]["schema"])
        assert responses["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"
        }
    assert {"404", "422"} <= set(paths[f"{API}/people/{{person_id}}"]["get"]["responses"])
    token = paths[f"{API}/auth/token"]
    assert "security" not in token["post"]
    assert {"201", "400", "401", "403", "415", "422"} <= set(token["post"]["responses"])
    assert {"204", "401", "422"} <= set(token["delete"]["responses"])


# --- query counts ---------------------------------------------------------------------------


def _grow(org: Org, *, people: int, units: int, tag: str) -> None:
    """Add people (with post, rank and category, so nothing is lazily loaded) and units."""
    post, rank = Post.objects.first(), Rank.objects.first()
    category = StaffCategory.objects.first()
    homes = [org.office, org.econ, org.liaison, org.city]
    parents = [org.agency, *homes]
    for i in range(units):
        services.org_unit_create(
            actor=None,
            name=f"测试科{tag}{i}",
            code=f"T-{tag}{i}",
            parent=parents[i % len(parents)],
            kind=OrgUnit.Kind.DEPARTMENT,
            level=OrgUnit.Level.PROVINCIAL,
        )
    for i in range(people):
        services.person_create(
            actor=None,
            name=f"测试人{tag}{i}",
            gender=Person.Gender.MALE,
            unit=homes[i % len(homes)],
            post=post,
            rank=rank,
            staff_category=category,
            birth_month=dt.date(1990, 1, 1),
        )


def _count_queries(client: Client, url: str, headers: dict[str, Any]) -> tuple[int, int]:
    client.get(url, **headers)  # warm up (token bookkeeping)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(queries), len(response.content)


@pytest.mark.parametrize(
    "url", ["/people?page_size=200", "/orgs", "/orgs?parent={own}", "/orgs?q=科", "/me"]
)
@pytest.mark.parametrize("persona", ["leader", "vice", "staff", "outsider"])
def test_list_endpoints_use_a_fixed_number_of_queries(
    org: Org, token_for: Any, url: str, persona: str
) -> None:
    client, headers = Client(), token_for(persona)
    url = API + url.format(own=org.people[persona].unit_id)
    _grow(org, people=5, units=4, tag="a")
    small, small_size = _count_queries(client, url, headers)
    _grow(org, people=50, units=20, tag="b")
    large, large_size = _count_queries(client, url, headers)
    assert large == small
    if persona == "leader" and url != f"{API}/me":
        assert large_size > small_size  # the answer did grow


def test_errors_come_in_the_accounts_language(org, token_for) -> None:
    from django.test import Client

    from luoshi.orgs import services

    services.user_set_language(actor=None, user=org.users["staff"], language="en")
    response = Client().get("/api/v1/people/999999", **token_for("staff"))
    assert response.status_code == 404
    assert response.json()["message"] == "Not found."
    services.user_set_language(actor=None, user=org.users["staff"], language="zh-hans")
    response = Client().get("/api/v1/people/999999", **token_for("staff"))
    assert response.json()["message"] == "未找到。"
