"""Browser: two-factor sign-in on a phone (390 px) — an administrator is sent to enrolment, scans
(here: reads the key), confirms with a first code, keeps the recovery codes, logs out, and signs in
again with the password and then a code, all with the keyboard."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from conftest import PASSWORD
from luoshi.orgs.models import TwoFactorDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.base_url = live_server.url
    page.console_errors = errors
    yield page
    context.close()


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide"


def _password(page: Any, username: str) -> None:
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")


def test_enrolment_and_sign_in_on_a_phone(phone: Any, org: Any, settings: Any) -> None:
    settings.LUOSHI_TWO_FACTOR_ADMINS = True
    page = phone
    _password(page, "security")
    page.wait_for_url(page.base_url + "/profile/two-factor/")  # home: to enrolment first
    page.goto(page.base_url + "/accounts/")  # and anything else
    page.wait_for_url(page.base_url + "/profile/two-factor/")
    assert "管理员" in page.inner_text("main")
    _fits(page)
    page.click("#two-factor-start")
    page.wait_for_selector("img.ls-qr")
    assert page.eval_on_selector("img.ls-qr", "img => img.naturalWidth") > 0  # the SVG drew
    _fits(page)
    secret = TwoFactorDevice.objects.get(user=org.users["security"]).secret
    field = page.locator("#enrolment-confirm input[name=code]")
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert field.get_attribute("inputmode") == "numeric"
    field.fill(pyotp.TOTP(secret).now())
    field.press("Enter")
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10
    _fits(page)
    page.goto(page.base_url + "/accounts/")
    page.wait_for_url(page.base_url + "/accounts/")  # enrolled: the pages open
    # log out, sign in again: the password, then a code (the next step's, not the one used)
    page.context.clear_cookies()
    _password(page, "security")
    page.wait_for_url(page.base_url + "/login/code/")
    _fits(page)
    code = page.locator("input[name=code]")
    assert code.evaluate("el => el === document.activeElement")  # the cursor is there
    code.fill(pyotp.TOTP(secret).at(time.time() + 30))
    code.press("Enter")
    page.wait_for_url(page.base_url + "/")
    assert not page.console_errors
