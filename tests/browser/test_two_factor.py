"""Browser: two-factor sign-in on a phone (390 px) — an administrator is sent to enrolment, scans
(here: reads the key), confirms with a first code, keeps the recovery codes, logs out, and signs in
again with the password and then a code, all with the keyboard."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest

from conftest import PASSWORD
from luoshi.orgs.models import TwoFactorDevice

from .conftest import login, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(window: Any) -> Any:
    return window({"width": 390, "height": 844})


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
    no_sideways_scroll(page)
    page.click("#two-factor-start")
    page.wait_for_selector("img.ls-qr")
    assert page.eval_on_selector("img.ls-qr", "img => img.naturalWidth") > 0  # the SVG drew
    no_sideways_scroll(page)
    secret = TwoFactorDevice.objects.get(user=org.users["security"]).secret
    field = page.locator("#enrolment-confirm input[name=code]")
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert field.get_attribute("inputmode") == "numeric"
    field.fill(pyotp.TOTP(secret).now())
    field.press("Enter")
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10
    no_sideways_scroll(page)
    page.goto(page.base_url + "/accounts/")
    page.wait_for_url(page.base_url + "/accounts/")  # enrolled: the pages open
    # log out, sign in again: the password, then a code (the next step's, not the one used)
    page.context.clear_cookies()
    _password(page, "security")
    page.wait_for_url(page.base_url + "/login/code/")
    no_sideways_scroll(page)
    code = page.locator("input[name=code]")
    assert code.evaluate("el => el === document.activeElement")  # the cursor is there
    code.fill(pyotp.TOTP(secret).at(time.time() + 30))
    code.press("Enter")
    page.wait_for_url(page.base_url + "/")
    assert not page.console_errors


def test_the_slowed_down_addresses_page_fits_a_phone(phone: Any, org: Any) -> None:
    """The security administrator's list of slowed-down addresses at 390 px, with its clear
    button confirmed before anything is written."""
    import datetime as dt

    from django.utils import timezone

    from luoshi.orgs.models import AddressThrottle

    AddressThrottle.objects.create(
        key="2001:db8:85a3::8a2e:370:7334",
        address="2001:db8:85a3::8a2e:370:7334",
        window_start=timezone.now(),
        failures=80,
        delayed_until=timezone.now() + dt.timedelta(seconds=30),
    )
    login(phone, "security", PASSWORD)
    phone.goto(phone.base_url + "/accounts/addresses/")
    assert phone.locator("text=2001:db8:85a3::8a2e:370:7334").count() >= 1
    no_sideways_scroll(phone)
    phone.on("dialog", lambda dialog: dialog.dismiss())  # the confirmation, refused
    button = phone.locator("form button[type=submit]").last
    if button.count():
        button.click()
        phone.wait_for_load_state()
    assert AddressThrottle.objects.filter(address="2001:db8:85a3::8a2e:370:7334").exists()
    assert not phone.console_errors, phone.console_errors
