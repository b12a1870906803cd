"""The people list's count for a viewer who sees everyone: kept in the shared cache and exact
after every change of people (the "org" generation), counted again only then."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.core import cache as derived
from luoshi.orgs import services
from luoshi.orgs.models import Person
from luoshi.orgs.permissions import forget_cached_access, scope_for
from luoshi.orgs.selectors import covers_every_unit

pytestmark = pytest.mark.django_db(transaction=True)  # entries are kept only once committed


def _count_and_statements(client: Any) -> tuple[int, int]:
    derived.request_finished()
    with CaptureQueriesContext(connection) as ctx:
        data = client.get("/api/v1/people", {"page_size": 1}).json()
    counts = [q for q in ctx.captured_queries if "COUNT(" in q["sql"] and "orgs_person" in q["sql"]]
    return data["count"], len(counts)


def test_the_count_of_everyone_is_cached_and_follows_every_change(
    org: Any, client_for: Any, settings: Any
) -> None:
    settings.LUOSHI_CACHE_SHARED = True  # this process's cache stands for the shared one
    personas = [p for p, user in org.users.items() if covers_every_unit(scope_for(user))]
    assert personas, "a persona that sees every unit"
    for user in org.users.values():
        forget_cached_access(user)
    client = client_for(personas[0])
    active = Person.objects.filter(is_active=True).count()
    assert _count_and_statements(client) == (active, 1)
    assert _count_and_statements(client) == (active, 0)  # from the cache
    person = services.person_create(actor=None, name="新来甲", gender="F", unit=org.office)
    assert _count_and_statements(client) == (active + 1, 1)  # the write moved the generation
    services.person_update(actor=None, person=person, version=person.version, is_active=False)
    assert _count_and_statements(client) == (active, 1)
    # a search or a unit is counted as asked, never from the entry
    data = client.get("/api/v1/people", {"q": "新来", "page_size": 1}).json()
    assert data["count"] == 0
