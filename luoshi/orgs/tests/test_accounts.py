"""Accounts: Argon2, password policy, log-in by username or mobile, lockout, idle timeout."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import translation

from conftest import PASSWORD
from luoshi.core.errors import AccountLocked, InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.orgs import services
from luoshi.orgs.auth import PasswordPolicyValidator
from luoshi.orgs.models import User

pytestmark = pytest.mark.django_db


def test_production_hasher_is_argon2() -> None:
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_passwords_are_stored_as_argon2(org) -> None:
    assert org.users["staff"].password.startswith("argon2")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short1A", False),
        ("alllowercase", False),
        ("lower123456", False),
        ("Lower123456", True),
        ("lower-123456", True),
        ("UPPER_lower", True),
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    validator = PasswordPolicyValidator()
    if ok:
        validator.validate(password)
    else:
        with translation.override("en"), pytest.raises(Exception, match="at least 8 characters"):
            validator.validate(password)


def test_user_create_enforces_the_policy(org) -> None:
    with pytest.raises(InvalidInput):
        services.user_create(actor=None, username="weak", password="password")


def test_login_by_username_or_mobile(org) -> None:
    assert (
        services.account_authenticate(identifier="staff", password=PASSWORD) == org.users["staff"]
    )
    assert (
        services.account_authenticate(identifier="13900000005", password=PASSWORD)
        == org.users["staff"]
    )


def test_lockout_after_five_failures_then_release(org) -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(settings.LUOSHI_LOCKOUT_THRESHOLD - 1):
            with pytest.raises(services.AuthenticationFailed):
                services.account_authenticate(identifier="staff", password="wrong")
        with pytest.raises(AccountLocked):
            services.account_authenticate(identifier="staff", password="wrong")
        with pytest.raises(AccountLocked):  # the right password does not help while locked
            services.account_authenticate(identifier="staff", password=PASSWORD)
        assert AuditEntry.objects.filter(action="auth.locked").count() == 1
    later = start + dt.timedelta(minutes=settings.LUOSHI_LOCKOUT_MINUTES, seconds=1)
    with time_machine.travel(later, tick=False):
        assert services.account_authenticate(identifier="staff", password=PASSWORD)


def test_security_admin_unlocks(org) -> None:
    for _ in range(settings.LUOSHI_LOCKOUT_THRESHOLD):
        with pytest.raises((services.AuthenticationFailed, AccountLocked)):
            services.account_authenticate(identifier="staff", password="wrong")
    services.account_unlock(actor=org.users["security"], user=User.objects.get(username="staff"))
    assert services.account_authenticate(identifier="staff", password=PASSWORD)


def test_unknown_user_and_wrong_password_look_alike(org) -> None:
    with pytest.raises(services.AuthenticationFailed) as unknown:
        services.account_authenticate(identifier="nobody", password="x")
    with pytest.raises(services.AuthenticationFailed) as wrong:
        services.account_authenticate(identifier="staff", password="x")
    assert str(unknown.value.message) == str(wrong.value.message)


def test_idle_sessions_end_after_30_minutes(org) -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        response = client.post("/login/", {"username": "staff", "password": PASSWORD})
        assert response.status_code == 302
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200  # activity renews the idle timer
    with time_machine.travel(start + dt.timedelta(minutes=29 + 29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29 + 29 + 31), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_page_shows_the_error(org) -> None:
    response = Client().post(
        "/login/", {"username": "staff", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Wrong username or password." in response.content.decode()


def test_language_choice_persists_on_the_account(org, client_for) -> None:
    client = client_for("staff")
    client.post("/language/", {"language": "en", "next": "/"})
    assert User.objects.get(username="staff").language == "en"
    fresh = Client()  # another browser: the account's choice wins over the default
    fresh.force_login(User.objects.get(username="staff"), backend="luoshi.orgs.auth.AccountBackend")
    assert fresh.get("/").headers["Content-Language"] == "en"


def test_tokens_are_stored_hashed(org) -> None:
    token, raw = services.api_token_create(actor=None, user=org.users["staff"], name="t")
    assert raw not in token.token_hash and raw.startswith("lsh_")
    assert services.api_token_user(raw) == org.users["staff"]
    services.api_token_revoke(actor=None, token=token)
    assert services.api_token_user(raw) is None


def test_roles_only_the_security_admin_grants(org, client_for) -> None:
    target = org.users["staff"]
    denied = client_for("admin").post(
        f"/accounts/{target.pk}/", {"action": "assign", "role": "supervisor"}
    )
    assert denied.status_code == 403
    ok = client_for("security").post(
        f"/accounts/{target.pk}/", {"action": "assign", "role": "supervisor"}
    )
    assert ok.status_code == 302
    assert target.role_assignments.filter(role="supervisor").exists()


def test_create_account_command(db, monkeypatch) -> None:
    from django.core.management import call_command

    monkeypatch.setenv("LUOSHI_NEW_PASSWORD", "Admin-pass-2026")
    call_command("create-account", "sysadmin", "--role", "system_admin")
    user = User.objects.get(username="sysadmin")
    assert list(user.role_assignments.values_list("role", flat=True)) == ["system_admin"]
    assert AuditEntry.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_unknown_names_lock_out_like_real_accounts(org) -> None:
    """A guesser cannot tell existing names from others by the lockout."""
    answers = {}
    for name in ("staff", "no-such-person"):
        seen = []
        for _ in range(settings.LUOSHI_LOCKOUT_THRESHOLD + 1):
            try:
                services.account_authenticate(identifier=name, password="wrong")
            except (services.AuthenticationFailed, AccountLocked) as exc:
                seen.append(exc.code)
        answers[name] = seen
    assert answers["staff"] == answers["no-such-person"]
    assert answers["staff"][-1] == "account_locked"
    entry = AuditEntry.objects.filter(action="auth.locked").latest("id")
    assert entry.object_repr == "n************n"  # the unknown name is masked
