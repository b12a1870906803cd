"""Browser: axe-core (WCAG 2.1 A and AA rules) finds no violation on the pages each persona opens.

axe-core 4.14.1 (MPL-2.0) is kept in tests/browser/vendor: the tests never fetch anything from the
internet. It is injected into a context that bypasses the Content-Security-Policy, which would
(rightly) refuse a script the page did not ship; the pages themselves are unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe_page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1366, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def violations(page: Any) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}))",
        TAGS,
    )
    return [f"{v['id']}: {v['help']} — {'; '.join(v['nodes'])}" for v in result]


def navigation_paths(user: Any) -> list[str]:
    from django.urls import reverse

    from luoshi.core import navigation

    return [
        reverse(item.url_name)
        for section in navigation.sections_for(user)
        for item in section.items
    ]


@pytest.mark.parametrize("persona", ["leader", "supervisor", "hr", "head", "staff", "admin"])
def test_pages_have_no_axe_violations(axe_page: Any, org: Any, persona: str) -> None:
    paths = [*navigation_paths(org.users[persona]), "/", "/notices/", "/profile/"]
    login(axe_page, persona, PASSWORD)
    found: dict[str, list[str]] = {}
    for path in dict.fromkeys(paths):
        response = axe_page.goto(axe_page.base_url + path)
        assert response.status == 200, path
        problems = violations(axe_page)
        if problems:
            found[path] = problems
    assert not found, "\n".join(f"{p}\n  " + "\n  ".join(v) for p, v in found.items())


def test_the_sign_in_page_has_no_axe_violations(axe_page: Any, org: Any) -> None:
    axe_page.goto(axe_page.base_url + "/login/")
    assert violations(axe_page) == []


def test_the_first_tab_stop_skips_to_the_content(axe_page: Any, org: Any) -> None:
    login(axe_page, "staff", PASSWORD)
    axe_page.goto(axe_page.base_url + "/profile/")
    axe_page.keyboard.press("Tab")
    focused = axe_page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#ls-main"
    assert axe_page.locator(".ls-skip-link").is_visible()
    axe_page.keyboard.press("Enter")
    assert axe_page.evaluate("document.activeElement.id") == "ls-main"


def test_focus_is_visible_on_navigation_links(axe_page: Any, org: Any) -> None:
    login(axe_page, "staff", PASSWORD)
    link = axe_page.locator("#ls-sidebar a.nav-link").first
    link.focus()
    axe_page.keyboard.press("Shift+Tab")
    axe_page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    style = link.evaluate(
        "el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth"
    )
    assert style.startswith("solid") and not style.endswith(" 0px")


def test_help_texts_describe_their_fields(axe_page: Any, org: Any) -> None:
    login(axe_page, "admin", PASSWORD)
    axe_page.goto(axe_page.base_url + "/notices/webhooks/new/")
    described = axe_page.evaluate(
        "[...document.querySelectorAll('[aria-describedby]')].map(el => "
        "el.getAttribute('aria-describedby').split(' ').every(id => document.getElementById(id)))"
    )
    assert described and all(described)
