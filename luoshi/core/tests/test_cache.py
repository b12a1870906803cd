"""Derived data in the cache: generations orphan stale entries, on local memory and on Redis."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import override_settings

from luoshi.core import cache as derived

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {
        "BACKEND": "luoshi.core.redis_cache.RedisCache",  # as settings.py with LUOSHI_CACHE_URL
        "LOCATION": REDIS_URL,
    },
}


@pytest.fixture(params=["locmem", "redis"])
def backend(request: Any) -> Any:
    if request.param == "redis" and not _redis_available():
        pytest.skip("no Redis at 127.0.0.1:6379")  # CI machines run one: see .ci/run
    # a key prefix of its own for each test: never another test's (or another run's) keys
    config = dict(BACKENDS[request.param], KEY_PREFIX=f"luoshi-test-{uuid.uuid4().hex}")
    with override_settings(CACHES={"default": config}):
        yield caches["default"]
        caches["default"].delete_many(["luoshi:k", "luoshi:gen:org", "luoshi:gen:tasks"])


def test_an_entry_is_computed_once_until_its_generation_moves(backend: Any) -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert derived.remember("k", ("org",), compute) == 1
    assert derived.remember("k", ("org",), compute) == 1
    assert len(calls) == 1
    derived.bump_now("org")
    assert derived.remember("k", ("org",), compute) == 2
    derived.bump_now("tasks")  # another generation does not touch it
    assert derived.remember("k", ("org",), compute) == 2


def test_the_redis_backend_keeps_one_client_per_pool() -> None:
    if not _redis_available():
        pytest.skip("no Redis at 127.0.0.1:6379")  # CI machines run one: see .ci/run
    config = dict(BACKENDS["redis"], KEY_PREFIX=f"luoshi-test-{uuid.uuid4().hex}")
    with override_settings(CACHES={"default": config}):
        backend = caches["default"]
        clients = backend._cache  # type: ignore[attr-defined]
        assert clients.get_client() is clients.get_client()
        assert clients.get_client(write=True) is clients.get_client(write=True)
        backend.set("luoshi:k", [1, "二"])
        assert backend.get("luoshi:k") == [1, "二"]
        backend.delete("luoshi:k")


def test_a_generation_that_was_evicted_orphans_the_entries(backend: Any) -> None:
    assert derived.remember("k", ("org",), lambda: "old") == "old"
    backend.delete("luoshi:gen:org")
    assert derived.remember("k", ("org",), lambda: "new") == "new"


@pytest.mark.django_db(transaction=True)
def test_a_write_bumps_now_and_again_at_commit(backend: Any) -> None:
    """Now: the writer's own later reads see the change. At commit: an entry that another
    request computed from the old data in between (under the first bump) is orphaned too."""
    assert derived.remember("k", ("org",), lambda: "before") == "before"
    with transaction.atomic():
        derived.bump("org")
        assert derived.remember("k", ("org",), lambda: "stale from another reader") == (
            "stale from another reader"
        )
    assert derived.remember("k", ("org",), lambda: "after") == "after"


def test_zero_seconds_turns_the_cache_off(backend: Any, settings: Any) -> None:
    settings.LUOSHI_CACHE_SECONDS = 0
    values = iter(["a", "b"])
    assert derived.remember("k", ("org",), lambda: next(values)) == "a"
    assert derived.remember("k", ("org",), lambda: next(values)) == "b"


def test_saving_a_role_moves_the_org_generation(org: Any) -> None:
    from luoshi.orgs.models import RoleAssignment

    before = caches["default"].get("luoshi:gen:org")
    RoleAssignment.objects.filter(user=org.users["staff"]).first().save()  # type: ignore[union-attr]
    assert caches["default"].get("luoshi:gen:org") != before


def test_exact_figures_are_cached_only_in_a_shared_cache(backend: Any, settings: Any) -> None:
    values = iter(range(10))
    settings.LUOSHI_CACHE_SHARED = False
    assert derived.remember("k", ("tasks",), lambda: next(values), shared_only=True) == 0
    assert derived.remember("k", ("tasks",), lambda: next(values), shared_only=True) == 1
    settings.LUOSHI_CACHE_SHARED = True
    assert derived.remember("k", ("tasks",), lambda: next(values), shared_only=True) == 2
    assert derived.remember("k", ("tasks",), lambda: next(values), shared_only=True) == 2


# --- end to end: pages show a change at once although their frame and lists are cached ---------


def test_a_granted_role_shows_in_the_cached_navigation_at_once(org: Any, client_for: Any) -> None:
    from luoshi.orgs import services

    client = client_for("staff")
    assert "/plans/categories/" not in client.get("/").content.decode()  # cached from here on
    services.role_assign(
        actor=org.users["security"], user=org.users["staff"], role="supervisor", scope="all"
    )
    assert "/plans/categories/" in client.get("/").content.decode()


def test_a_new_category_shows_in_the_cached_ledger_filter_at_once(
    org: Any, client_for: Any
) -> None:
    from luoshi.plans.services.categories import category_create

    client = client_for("supervisor")
    assert "新增的类别" not in client.get("/tasks/").content.decode()  # the lists are cached
    category_create(actor=org.users["supervisor"], agency=org.agency, name="新增的类别")
    assert "新增的类别" in client.get("/tasks/").content.decode()


def test_reading_pages_renews_the_session_at_most_once_a_minute(org: Any, client_for: Any) -> None:
    import datetime as dt

    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes(client: Any) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return sum(
            1
            for q in ctx.captured_queries
            if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")
        )

    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client = client_for("staff")
        assert session_writes(client) == 0  # the log-in just saved it
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert session_writes(client) == 0
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert session_writes(client) == 1  # a minute on: the idle timeout is renewed
    with time_machine.travel(start + dt.timedelta(seconds=90), tick=False):
        assert session_writes(client) == 0


# --- within a request: generations read once, entries kept in the process ----------------------


@pytest.fixture
def in_request() -> Any:
    derived.request_started()
    yield
    derived.request_finished()


def test_a_request_reads_the_generations_once(backend: Any, in_request: None) -> None:
    assert derived.remember("k", ("org",), lambda: "first") == "first"
    backend.incr("luoshi:gen:org")  # another process's write, during this request
    assert derived.remember("k", ("org",), lambda: "second") == "first"  # as of the start
    derived.request_finished()
    derived.request_started()  # the next request sees it
    assert derived.remember("k", ("org",), lambda: "third") == "third"


def test_a_write_in_the_request_is_seen_by_the_request_at_once(
    backend: Any, in_request: None
) -> None:
    assert derived.remember("k", ("org",), lambda: "before") == "before"
    derived.bump_now("org")
    assert derived.remember("k", ("org",), lambda: "after") == "after"


def test_entries_are_kept_in_the_process_as_copies(backend: Any, in_request: None) -> None:
    assert derived.remember("k", ("org",), lambda: ["a"]) == ["a"]
    backend.delete("luoshi:k")  # gone from the shared cache: this process still holds it
    held = derived.remember("k", ("org",), lambda: ["recomputed"])
    assert held == ["a"]
    held.append("changed by a caller")
    assert derived.remember("k", ("org",), lambda: ["recomputed"]) == ["a"]
    derived.request_finished()
    assert derived.remember("k", ("org",), lambda: ["outside"]) == ["outside"]  # no snapshot


def test_a_log_in_does_not_move_the_org_generation(org: Any, client: Any) -> None:
    from conftest import PASSWORD

    derived.remember("k", ("org",), lambda: "kept")
    before = caches["default"].get("luoshi:gen:org")
    assert client.post("/login/", {"username": "staff", "password": "wrong"}).status_code == 200
    assert client.post("/login/", {"username": "staff", "password": PASSWORD}).status_code == 302
    assert caches["default"].get("luoshi:gen:org") == before
    org.users["staff"].first_name = "改名"
    org.users["staff"].save(update_fields=["first_name", "last_login"])  # not only bookkeeping
    assert caches["default"].get("luoshi:gen:org") != before


# --- writes that bypass save(), and migrations ---------------------------------------------------


def test_a_versioned_update_moves_the_generations_derived_from_its_model(org: Any) -> None:
    """save_versioned writes with .update() (no post_save): it tells the cache itself."""
    from luoshi.orgs import services

    derived.remember("k", ("org",), lambda: "before")
    before = caches["default"].get("luoshi:gen:org")
    services.person_update(actor=None, person=org.people["staff"], mobile="13900000099")
    assert caches["default"].get("luoshi:gen:org") != before
    assert derived.remember("k", ("org",), lambda: "after") == "after"


def test_migrate_moves_every_generation(db: Any) -> None:
    from django.core.management import call_command

    derived.remember("k", ("org", "tasks", "categories"), lambda: "before")
    names = ("org", "tasks", "categories")
    before = {name: caches["default"].get(f"luoshi:gen:{name}") for name in names}
    call_command("migrate", verbosity=0)
    for name in names:
        assert caches["default"].get(f"luoshi:gen:{name}") != before[name], name
    assert derived.remember("k", names, lambda: "after") == "after"


# --- access decisions: the scope, only in a shared cache, exact ----------------------------------


def _fresh(user: Any) -> Any:
    """The account as the next request loads it (nothing cached on the object)."""
    from luoshi.orgs.models import User

    return User.objects.get(pk=user.pk)


@pytest.mark.django_db(transaction=True)
def test_the_scope_is_kept_in_a_shared_cache_until_a_role_changes(
    org: Any, settings: Any, django_assert_num_queries: Any
) -> None:
    from luoshi.orgs import permissions as perms
    from luoshi.orgs import services

    settings.LUOSHI_CACHE_SHARED = True  # this process's cache stands for the shared one
    staff = org.users["staff"]
    first = perms.scope_for(_fresh(staff))
    assert not first.everything
    user = _fresh(staff)
    with django_assert_num_queries(0):
        assert perms.scope_for(user) == first
        assert perms.roles_of(user) == {"staff"}
    services.role_assign(actor=org.users["security"], user=staff, role="supervisor", scope="all")
    user = _fresh(staff)
    assert perms.scope_for(user).everything
    assert perms.roles_of(user) == {"staff", "supervisor"}
    assignment = staff.role_assignments.get(role="supervisor")
    services.role_revoke(actor=org.users["security"], assignment=assignment)
    assert perms.scope_for(_fresh(staff)) == first


@pytest.mark.django_db(transaction=True)
def test_a_move_to_another_unit_changes_the_cached_scope_at_once(org: Any, settings: Any) -> None:
    from luoshi.orgs import permissions as perms
    from luoshi.orgs import services

    settings.LUOSHI_CACHE_SHARED = True
    head = org.users["head"]  # unit head: their own unit
    assert perms.scope_for(_fresh(head)).covers_unit(org.office.pk, org.office.path)
    services.person_update(actor=None, person=org.people["head"], unit=org.liaison)
    moved = perms.scope_for(_fresh(head))
    assert moved.covers_unit(org.liaison.pk, org.liaison.path)
    assert not moved.covers_unit(org.office.pk, org.office.path)


@pytest.mark.django_db(transaction=True)
def test_a_scope_computed_inside_a_rolled_back_grant_is_not_kept(org: Any, settings: Any) -> None:
    from luoshi.orgs import permissions as perms
    from luoshi.orgs import services

    settings.LUOSHI_CACHE_SHARED = True
    staff = org.users["staff"]
    assert not perms.scope_for(_fresh(staff)).everything

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        services.role_assign(
            actor=org.users["security"], user=staff, role="supervisor", scope="all"
        )
        assert perms.scope_for(_fresh(staff)).everything  # the transaction sees its own grant
        raise Abort
    assert not perms.scope_for(_fresh(staff)).everything


def test_the_process_keeps_a_bounded_number_of_entries(
    backend: Any, in_request: None, monkeypatch: Any
) -> None:
    monkeypatch.setattr(derived, "NEAR_ENTRIES", 2)
    for key in ("a", "b", "c"):
        derived.remember(key, ("org",), lambda key=key: key)  # type: ignore[misc]
    backend.delete_many(["luoshi:a", "luoshi:b", "luoshi:c"])
    # the oldest copy was dropped: recomputed; the two newest come from the process
    assert derived.remember("a", ("org",), lambda: "again") == "again"
    assert derived.remember("c", ("org",), lambda: "again") == "c"
