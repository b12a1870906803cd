"""Browser: the bell, the inbox and the administrators' pages render in Chromium with no console
error (a CSP violation or a missing asset would show here)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD
from luoshi.notify import services

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bell_inbox_and_administration_pages(page: Any, org: Any, settings: Any) -> None:
    settings.LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # the robot is on this machine
    services.notify(
        recipients=[org.users["supervisor"].pk],
        event="supervision.assigned",
        subject="督办事项已交办",
        body="请按期反馈。",
        link="/notices/preferences/",
    )
    services.webhook_create(
        actor=org.users["admin"], name="督查群", url="http://127.0.0.1:9/hook", kind="wecom"
    )
    login(page, "supervisor", PASSWORD)
    page.goto(page.base_url + "/profile/")
    assert page.locator("#ls-notices-unread").inner_text().startswith("1")
    page.click("#ls-notices")
    assert page.locator("h1").inner_text()
    page.click("text=督办事项已交办 >> xpath=ancestor::tr >> button[name=open]")
    page.wait_for_url("**/notices/preferences/")
    assert page.locator("#ls-notices-unread").count() == 0
    for path in [
        "/notices/",
        "/notices/webhooks/",
        "/notices/webhooks/new/",
        "/notices/deliveries/",
    ]:
        response = page.goto(page.base_url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
    assert not page.console_errors, page.console_errors
