"""End-to-end tests in Debian's Chromium, driven by Playwright against pytest-django's live server.

Without Chromium the browser tests skip on a developer's machine; under CI=true they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
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


def login(page: Any, username: str, password: str) -> None:
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(page.base_url + "/")
