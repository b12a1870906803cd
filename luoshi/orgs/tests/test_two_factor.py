"""Two-factor sign-in (issue 21, item 6) and the slowed-down addresses (issue 20 leftovers):
enrolment, the code step after the password, a reused code refused, recovery codes used once,
failed codes counted like failed logins, administrators sent to enrolment, the reset on the
server, API tokens unaffected, every step audited; Retry-After while an address waits, and the
security administrator's list of slowed-down addresses (page and API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from luoshi.core import secretbox
from luoshi.core.errors import AccountLocked, Forbidden
from luoshi.core.models import AuditEntry
from luoshi.orgs import twofactor
from luoshi.orgs.models import AddressThrottle, RecoveryCode, TwoFactorDevice, User

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 7, 9, 0, 10, tzinfo=dt.UTC)


def _actions(user: User) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="orgs.user", object_id=str(user.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def enrol(user: User, at: dt.datetime = START) -> tuple[pyotp.TOTP, list[str]]:
    device = twofactor.enrolment_start(actor=user, user=user)
    totp = pyotp.TOTP(device.secret)
    with time_machine.travel(at, tick=False):
        codes = twofactor.enrolment_confirm(actor=user, user=user, code=totp.at(at))
    return totp, codes


def test_enrolment_on_the_page(org: Any, client_for: Any) -> None:
    client = client_for("staff")
    staff = org.users["staff"]
    page = client.get("/profile/two-factor/")
    assert page.status_code == 200 and b"two-factor-start" in page.content
    assert client.post("/profile/two-factor/", {"action": "start"}).status_code == 302
    page = client.get("/profile/two-factor/")
    assert b'src="data:image/svg+xml;base64,' in page.content  # the QR code, drawn here
    device = TwoFactorDevice.objects.get(user=staff)
    assert device.confirmed_at is None
    assert twofactor.grouped_secret(device.secret).encode() in page.content
    assert b'autocomplete="one-time-code"' in page.content
    assert b'inputmode="numeric"' in page.content
    # a wrong first code: refused, audited, nothing confirmed
    wrong = client.post("/profile/two-factor/", {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 200 and not TwoFactorDevice.objects.get().confirmed_at
    code = pyotp.TOTP(device.secret).now()
    done = client.post("/profile/two-factor/", {"action": "confirm", "code": code})
    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed_at is not None
    shown = done.content.decode()
    assert shown.count("<li>") >= 10 and 'id="recovery-codes"' in shown
    assert RecoveryCode.objects.filter(user=staff).count() == 10
    # shown once: kept only as digests, and not on the page again
    digests = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert not any(d in shown for d in digests)
    assert b'id="recovery-codes"' not in client.get("/profile/two-factor/").content
    assert [a for a in _actions(staff) if a.startswith("two_factor.")] == [
        "two_factor.enrol_start",
        "two_factor.enrol_failed",
        "two_factor.enrol_confirm",
        "two_factor.recovery_codes",
    ]


def _password_step(client: Client, username: str = "staff") -> Any:
    return client.post("/login/", {"username": username, "password": PASSWORD})


def test_sign_in_asks_for_the_code_after_the_password(org: Any) -> None:
    staff = org.users["staff"]
    totp, _codes = enrol(staff)
    later = START + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        client = Client()
        step = _password_step(client)
        assert step.status_code == 302 and step["Location"] == "/login/code/"
        assert "_auth_user_id" not in client.session  # nobody signed in yet
        assert client.get("/profile/").status_code == 302  # to the log-in page
        form = client.get("/login/code/")
        assert b'autocomplete="one-time-code"' in form.content
        assert b'inputmode="numeric"' in form.content
        done = client.post("/login/code/", {"code": totp.at(later)})
        assert done.status_code == 302
        assert client.session["_auth_user_id"] == str(staff.pk)
        assert client.get("/profile/").status_code == 200
    entries = AuditEntry.objects.filter(object_id=str(staff.pk)).order_by("id")
    assert [e.action for e in entries][-2:] == ["auth.password_ok", "auth.login"]
    assert entries.last().after == {"second_factor": "totp"}  # type: ignore[union-attr]


def test_without_the_code_nobody_is_signed_in_and_the_step_expires(org: Any) -> None:
    enrol(org.users["staff"])
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False) as traveller:
        client = Client()
        _password_step(client)
        traveller.shift(dt.timedelta(minutes=6))
        expired = client.get("/login/code/")
        assert expired.status_code == 302 and expired["Location"] == "/login/"
        assert "_auth_user_id" not in client.session
    # no password step at all: no code step either
    assert Client().get("/login/code/").status_code == 302


def test_a_code_used_once_is_refused_within_its_window(org: Any) -> None:
    staff = org.users["staff"]
    totp, _codes = enrol(staff)
    at = START + dt.timedelta(minutes=3)
    with time_machine.travel(at, tick=False):
        code = totp.at(at)
        first = Client()
        _password_step(first)
        assert first.post("/login/code/", {"code": code}).status_code == 302
        second = Client()
        _password_step(second)
        again = second.post("/login/code/", {"code": code})
        assert again.status_code == 200 and "_auth_user_id" not in second.session
        assert "已经用过".encode() in again.content or b"used already" in again.content
    assert "auth.two_factor_reused" in _actions(staff)
    staff.refresh_from_db()
    assert staff.failed_logins == 1


def test_wrong_codes_count_like_wrong_passwords(org: Any, settings: Any) -> None:
    staff = org.users["staff"]
    totp, _codes = enrol(staff)
    at = START + dt.timedelta(minutes=5)
    with time_machine.travel(at, tick=False):
        client = Client(REMOTE_ADDR="192.0.2.77")
        for i in range(settings.LUOSHI_LOCKOUT_THRESHOLD):
            if i == 2 or i == 0:  # the right password again does not reset the count of wrong codes
                _password_step(client)
            client.post("/login/code/", {"code": "123456" if totp.at(at) != "123456" else "1"})
        staff.refresh_from_db()
        assert staff.locked_until is not None and staff.locked_until > at
        # locked: neither the password nor the right code signs in
        assert _password_step(client).status_code == 200
        with pytest.raises(AccountLocked):
            twofactor.second_factor_check(user=staff, code=totp.at(at))
    assert AddressThrottle.objects.get(address="192.0.2.77").failures >= 5
    assert "auth.locked" in _actions(staff)
    assert _actions(staff).count("auth.two_factor_failed") == 4


def test_a_recovery_code_works_once(org: Any) -> None:
    staff = org.users["staff"]
    _totp, codes = enrol(staff)
    client = Client()
    _password_step(client)
    assert client.post("/login/code/", {"recovery": codes[0].upper()}).status_code == 302
    assert RecoveryCode.objects.filter(user=staff, used_at__isnull=False).count() == 1
    assert "two_factor.recovery_code_used" in _actions(staff)
    again = Client()
    _password_step(again)
    assert again.post("/login/code/", {"recovery": codes[0]}).status_code == 200
    assert "_auth_user_id" not in again.session
    assert twofactor.unused_recovery_codes(staff) == 9


def test_renew_and_switch_off_need_a_current_code(org: Any, client_for: Any) -> None:
    staff = org.users["staff"]
    totp, codes = enrol(staff)
    client = client_for("staff")
    now = timezone.now()
    renewed = client.post("/profile/two-factor/", {"action": "renew", "code": totp.at(now)})
    assert renewed.status_code == 200 and b'id="recovery-codes"' in renewed.content
    assert not RecoveryCode.objects.filter(
        digest=twofactor._recovery_digest(codes[1][:5] + codes[1][6:])
    ).exists()
    refused = client.post("/profile/two-factor/", {"action": "disable", "code": "000000"})
    assert refused.status_code == 200 and twofactor.is_enrolled(staff)
    off = client.post(
        "/profile/two-factor/",
        {"action": "disable", "code": totp.at(now + dt.timedelta(seconds=30))},
    )
    assert off.status_code == 302 and not twofactor.is_enrolled(staff)
    assert "two_factor.disable" in _actions(staff)


def test_administrators_are_sent_to_enrolment_first(
    org: Any, client_for: Any, token_for: Any, settings: Any
) -> None:
    settings.LUOSHI_TWO_FACTOR_ADMINS = True
    security = org.users["security"]
    client = client_for("security")
    for path in ("/", "/accounts/", "/profile/", "/audit/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"] == "/profile/two-factor/", path
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_enrolment_required"
    assert Client(**token_for("security")).get("/api/v1/me").status_code == 200  # tokens
    assert client.get("/profile/two-factor/").status_code == 200
    # a token by password alone is refused to an administrator without the second factor
    refused = Client().post(
        "/api/v1/auth/token",
        {"username": "security", "password": PASSWORD},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "two_factor_enrolment_required"
    totp, _codes = enrol(security, timezone.now())
    assert client.get("/accounts/").status_code == 200
    with pytest.raises(Forbidden):
        twofactor.two_factor_disable(actor=security, user=security, code=totp.now())
    # other accounts need not enrol
    assert client_for("staff").get("/profile/").status_code == 200


def test_reset_on_the_server_by_the_security_administrator(org: Any, settings: Any) -> None:
    settings.LUOSHI_TWO_FACTOR_ADMINS = True
    auditor = org.users["auditor"]
    totp, _codes = enrol(auditor, timezone.now() - dt.timedelta(seconds=60))
    client = Client()
    _password_step(client, "auditor")
    client.post("/login/code/", {"code": totp.now()})
    assert client.get("/audit/").status_code == 200
    with pytest.raises(CommandError):
        call_command("reset_2fa", "auditor", by="staff")  # not the security administrator
    assert twofactor.is_enrolled(auditor)
    call_command("reset_2fa", "auditor", by="security")
    assert not TwoFactorDevice.objects.filter(user=auditor).exists()
    assert not RecoveryCode.objects.filter(user=auditor).exists()
    assert client.get("/audit/").status_code == 302  # the session ended
    entry = AuditEntry.objects.filter(action="two_factor.reset").get()
    assert entry.actor_id == org.users["security"].pk and entry.object_id == str(auditor.pk)
    assert entry.after == {"had_device": True, "sessions_ended": 1}
    # signing in again: straight to enrolment
    again = Client()
    _password_step(again, "auditor")
    assert again.get("/audit/")["Location"] == "/profile/two-factor/"


def test_api_tokens_and_two_factor(org: Any, token_for: Any) -> None:
    staff = org.users["staff"]
    headers = token_for("staff")
    totp, _codes = enrol(staff, timezone.now())
    # a token made before keeps working, asked for no code
    assert Client(**headers).get("/api/v1/me").status_code == 200
    body = {"username": "staff", "password": PASSWORD}
    no_code = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert no_code.status_code == 401 and no_code.json()["code"] == "two_factor_required"
    wrong = Client().post(
        "/api/v1/auth/token", {**body, "code": "000000"}, content_type="application/json"
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "wrong_code"
    made = Client().post(
        "/api/v1/auth/token",
        {**body, "code": totp.at(timezone.now() + dt.timedelta(seconds=30))},
        content_type="application/json",
    )
    assert made.status_code == 201
    bearer = f"Bearer {made.json()['token']}"
    assert Client(HTTP_AUTHORIZATION=bearer).get("/api/v1/me").status_code == 200


# --- slowed-down addresses ------------------------------------------------------------------


def test_retry_after_while_an_address_waits(org: Any, settings: Any) -> None:
    settings.LUOSHI_ADDRESS_FAILURE_THRESHOLD = 2
    with time_machine.travel(START, tick=False):
        client = Client(REMOTE_ADDR="192.0.2.60")
        for i in range(4):
            client.post("/login/", {"username": f"who-{i}", "password": "x"})
        page = client.post("/login/", {"username": "staff", "password": PASSWORD})
        assert page.status_code == 429 and int(page["Retry-After"]) >= 1
        assert "_auth_user_id" not in client.session
        api = client.post(
            "/api/v1/auth/token",
            {"username": "staff", "password": PASSWORD},
            content_type="application/json",
        )
        assert api.status_code == 429 and api["Retry-After"] == page["Retry-After"]
        assert api.json()["code"] == "address_slowed_down"


def _slowed(address: str, failures: int = 80) -> AddressThrottle:
    return AddressThrottle.objects.create(
        key=address,
        address=address,
        window_start=timezone.now(),
        failures=failures,
        delayed_until=timezone.now() + dt.timedelta(seconds=30),
    )


def test_the_security_administrator_sees_and_clears_slowed_addresses(
    org: Any, client_for: Any, token_for: Any, settings: Any
) -> None:
    settings.LUOSHI_PAGE_SIZE = 2
    rows = [_slowed(f"203.0.113.{i}", 60 + i) for i in range(3)]
    AddressThrottle.objects.create(key="low", address="203.0.113.99", window_start=timezone.now())
    client = client_for("security")
    page = client.get("/accounts/addresses/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "203.0.113.2" in text and "203.0.113.1" in text and "203.0.113.0" not in text
    assert "data-confirm" in text and "203.0.113.99" not in text
    assert "203.0.113.0" in client.get("/accounts/addresses/?page=2").content.decode()
    for persona in ("admin", "staff", "auditor"):
        assert client_for(persona).get("/accounts/addresses/").status_code == 404
        answer = client_for(persona).post(f"/accounts/addresses/{rows[0].pk}/clear/")
        assert answer.status_code == 404
        api = Client(**token_for(persona))
        assert api.get("/api/v1/auth/slowed-addresses").status_code == 404
    cleared = client.post(f"/accounts/addresses/{rows[0].pk}/clear/")
    assert cleared.status_code == 302 and not AddressThrottle.objects.filter(pk=rows[0].pk).exists()
    entry = AuditEntry.objects.get(action="auth.address_cleared")
    assert entry.object_repr == "203.0.113.0" and (entry.before or {})["failures"] == 60
    api = Client(**token_for("security"))
    listed = api.get("/api/v1/auth/slowed-addresses?page_size=1").json()
    assert listed["count"] == 2 and listed["results"][0]["address"] == "203.0.113.2"
    assert listed["results"][0]["delayed_until"] and listed["results"][0]["window_end"]
    assert api.delete(f"/api/v1/auth/slowed-addresses/{rows[1].pk}").status_code == 204
    assert api.delete(f"/api/v1/auth/slowed-addresses/{rows[1].pk}").status_code == 404
    assert AuditEntry.objects.filter(action="auth.address_cleared").count() == 2


def test_the_addresses_page_costs_the_same_whatever_the_rows(
    org: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for("security")
    client.get("/accounts/addresses/")
    for i in range(30):
        _slowed(f"198.51.100.{i}")
    with django_assert_max_num_queries(12):
        assert client.get("/accounts/addresses/").status_code == 200


def test_the_secret_is_kept_encrypted_and_bound_to_its_account(org: Any) -> None:
    """The database holds the TOTP secret sealed (luoshi.core.secretbox): not in clear, and a
    sealed secret copied onto another account's device does not open (nor signs anyone in)."""
    staff, head = org.users["staff"], org.users["head"]
    totp, _codes = enrol(staff)
    stored = TwoFactorDevice.objects.filter(user=staff).values_list("sealed_secret", flat=True)
    assert stored[0].startswith("v1:") and totp.secret not in stored[0]
    assert TwoFactorDevice.objects.get(user=staff).secret == totp.secret
    other = twofactor.enrolment_start(actor=head, user=head)
    other.sealed_secret = stored[0]
    other.save(update_fields=["sealed_secret"])
    with pytest.raises(secretbox.Unreadable):
        TwoFactorDevice.objects.get(user=head).secret  # noqa: B018 (the read is the test)


def test_secretbox_opens_only_with_its_key_purpose_and_row() -> None:
    sealed = secretbox.seal(b"JBSWY3DPEHPK3PXP", key="k1", purpose="p", associated=b"row:1")
    assert secretbox.unseal(sealed, key="k1", purpose="p", associated=b"row:1") == (
        b"JBSWY3DPEHPK3PXP"
    )
    assert len(sealed) == secretbox.sealed_length(16)
    assert sealed != secretbox.seal(b"JBSWY3DPEHPK3PXP", key="k1", purpose="p", associated=b"row:1")
    for key, purpose, associated, payload in [
        ("k2", "p", b"row:1", sealed),
        ("k1", "q", b"row:1", sealed),
        ("k1", "p", b"row:2", sealed),
        ("k1", "p", b"row:1", sealed[:-4] + "AAAA"),
        ("k1", "p", b"row:1", "v0:" + sealed[3:]),
        ("k1", "p", b"row:1", "v1:not base64!"),
    ]:
        with pytest.raises(secretbox.Unreadable):
            secretbox.unseal(payload, key=key, purpose=purpose, associated=associated)
