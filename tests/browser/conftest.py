"""End-to-end tests in Debian's Chromium, driven by Playwright against pytest-django's live server.

Without Chromium the browser tests skip on a developer's machine; under CI=true they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("LUOSHI_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; the ORM calls our tests make to set
# up data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not _chromium_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required for browser tests in CI (looked for {CHROMIUM}).")
        pytest.skip("Chromium is not installed; browser tests skipped on this machine.")
    from playwright.sync_api import sync_playwright

    user_data = tempfile.mkdtemp(prefix="luoshi-chromium-")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    shutil.rmtree(user_data, ignore_errors=True)


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def window(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Open more windows, each its own session: `window(viewport, confirm=False)`. Console
    errors are collected on `page.console_errors`; with `confirm`, the page's confirmation
    dialogs are accepted (Playwright dismisses them otherwise)."""
    contexts: list[Any] = []

    def open_window(viewport: dict[str, int], *, confirm: bool = False) -> Any:
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.console_errors = errors
        if confirm:
            page.on("dialog", lambda dialog: dialog.accept())
        return page

    yield open_window
    for context in contexts:
        context.close()


def no_sideways_scroll(page: Any) -> None:
    """The page is no wider than its window (nothing to scroll sideways on a phone), measured
    once its style sheets have loaded (an element can be found before they have)."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), width


def login(page: Any, username: str, password: str) -> None:
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(page.base_url + "/")
