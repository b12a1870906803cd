"""Browser: every page each persona can open renders in Chromium with no console error (a CSP
violation or a missing asset would show here) and shows its heading."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "admin": [
        "/orgs/",
        "/people/",
        "/orgs/leaders/",
        "/lists/ranks/",
        "/accounts/",
        "/people/import/",
        "/calendar/",
        "/profile/",
    ],
    "auditor": ["/audit/"],
    "security": ["/accounts/"],
    "leader": ["/", "/plans/", "/tasks/", "/my-work/", "/dashboard/"],
}


@pytest.mark.parametrize("persona", sorted(PAGES))
def test_pages_render_without_console_errors(page: Any, org: Any, persona: str) -> None:
    login(page, persona, PASSWORD)
    for path in PAGES[persona]:
        response = page.goto(page.base_url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
    assert not page.console_errors, page.console_errors


@pytest.mark.parametrize("persona", ["supervisor", "hr", "leader", "head", "staff", "admin"])
def test_every_page_in_the_navigation_renders(page: Any, org: Any, persona: str) -> None:
    """Every page the persona's left navigation offers (all apps: plans, supervision, appraisal,
    evaluation, notifications, administration) answers 200 with one heading and no console
    error: new pages are covered as soon as they are in the navigation."""
    from django.urls import reverse

    from luoshi.core import navigation

    paths = [
        reverse(item.url_name)
        for section in navigation.sections_for(org.users[persona])
        for item in section.items
    ]
    assert len(paths) >= 3
    login(page, persona, PASSWORD)
    for path in [*paths, "/notices/", "/notices/preferences/"]:
        response = page.goto(page.base_url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
    assert not page.console_errors, page.console_errors
