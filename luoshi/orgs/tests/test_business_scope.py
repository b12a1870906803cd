"""`require_business_scope`: the business pages are not-found to an account with no scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from luoshi.core.errors import NotFound
from luoshi.orgs.permissions import require_business_scope, scope_for

pytestmark = pytest.mark.django_db


def _request(user: Any) -> Any:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_an_account_with_no_scope_gets_not_found(org: Any) -> None:
    admin = org.users["admin"]
    assert scope_for(admin).is_empty
    with pytest.raises(NotFound):
        require_business_scope(_request(admin))


def test_an_account_with_a_scope_passes(org: Any) -> None:
    require_business_scope(_request(org.users["staff"]))  # no NotFound


@pytest.mark.parametrize("path", ["/supervision/", "/appraisal/"])
def test_the_pages_that_require_it_answer_404(client_for: Any, path: str) -> None:
    assert client_for("admin").get(path).status_code == 404
    assert client_for("staff").get(path).status_code == 200
