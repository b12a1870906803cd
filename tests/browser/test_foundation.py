"""Browser: log in, browse the org tree and people, search across scripts, switch language."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_tree_people_and_traditional_search(page: Any, org: Any) -> None:
    login(page, "leader", PASSWORD)
    page.click("text=组织机构树" if page.locator("text=组织机构树").count() else "a[href='/orgs/']")
    assert page.locator("a", has_text="经济科技部").count() >= 1
    page.goto(page.base_url + "/people/?q=" + "戊")
    assert page.locator("table >> text=戊科员").count() == 1
    assert not page.console_errors  # CSP violations would show here
