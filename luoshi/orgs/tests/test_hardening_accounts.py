"""Issue 20, findings 3-6: failed log-ins that all cost one hash, a per-address limit that
slows down but never locks out, a lockout that stops passwords and not tokens, the profile's
current-password check counted as a log-in, and tokens that expire and end with the password."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, FastArgon2PasswordHasher
from luoshi.core.context import client_ip
from luoshi.core.errors import AccountLocked, DomainError, InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.orgs import services
from luoshi.orgs.models import AddressThrottle, ApiToken, User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-pass-2"
WRONG = "wrong-guess"


class CountingHasher(FastArgon2PasswordHasher):
    """The test hasher, counting how many times a password is hashed (encode or verify)."""

    calls: ClassVar[list[str]] = []

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls.append("encode")
        return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        CountingHasher.calls.append("verify")
        return super().verify(password, encoded)


@pytest.fixture
def counting(settings: Any) -> type[CountingHasher]:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.calls.clear()
    return CountingHasher


def _hashes_of(identifier: str, password: str = WRONG) -> int:
    CountingHasher.calls.clear()
    with pytest.raises(DomainError):
        services.account_authenticate(identifier=identifier, password=password)
    return len(CountingHasher.calls)


def test_every_failed_login_path_costs_one_hash(org: Any, counting: Any) -> None:
    """Finding 3: a locked real account answered without hashing, an unknown name after one
    hash. Counted, not timed: every failure path runs the hasher exactly once."""
    _hashes_of("nobody-warm-up")  # the dummy hash is made once per process
    assert _hashes_of("nobody-at-all") == 1  # unknown name
    assert _hashes_of("staff") == 1  # real account, wrong password
    staff = org.users["staff"]
    staff.locked_until = timezone.now() + dt.timedelta(minutes=10)
    staff.save(update_fields=["locked_until"])
    assert _hashes_of("staff") == 1  # real account, locked
    assert _hashes_of("staff", PASSWORD) == 1  # locked: even the right password is refused
    for _ in range(5):
        _hashes_of("ghost-name")
    assert _hashes_of("ghost-name") == 1  # unknown name, locked like a real one
    services.user_set_active(actor=org.users["admin"], user=org.users["leader"], active=False)
    assert _hashes_of("leader") == 1  # disabled account


def test_failures_per_address_slow_down_but_never_lock_out(org: Any, settings: Any) -> None:
    """Finding 6: above the threshold (50 in 15 minutes) across names, each failure doubles
    the address's wait up to a short cap; a refused attempt does not lengthen it, and after the
    wait the right password works. The administrator sees it in the audit log."""
    settings.LUOSHI_ADDRESS_FAILURE_THRESHOLD = 3
    settings.LUOSHI_ADDRESS_MAX_DELAY_SECONDS = 8
    token = client_ip.set("203.0.113.7")
    try:
        start = timezone.now()
        with time_machine.travel(start, tick=False) as traveller:
            for i in range(3):  # at the threshold: no wait yet (names differ: across names)
                with pytest.raises(services.AuthenticationFailed):
                    services.account_authenticate(identifier=f"name-{i}", password="x")
            with pytest.raises(services.AuthenticationFailed):
                services.account_authenticate(identifier="name-9", password="x")  # 4th: 1 s
            with pytest.raises(services.AddressSlowedDown) as refused:
                services.account_authenticate(identifier="staff", password=PASSWORD)
            assert refused.value.status == 429
            assert "1" in str(refused.value.message)
            waits = []
            for i in range(6):
                row = AddressThrottle.objects.get()
                traveller.move_to(row.delayed_until)
                with pytest.raises(services.AuthenticationFailed):
                    services.account_authenticate(identifier=f"someone-{i}", password="x")
                row = AddressThrottle.objects.get()
                assert row.delayed_until is not None
                waits.append((row.delayed_until - timezone.now()).total_seconds())
            assert waits == [2, 4, 8, 8, 8, 8]  # doubling, capped: never a lockout
            # other addresses are not slowed
            other = client_ip.set("198.51.100.2")
            try:
                assert services.account_authenticate(identifier="staff", password=PASSWORD)
            finally:
                client_ip.reset(other)
            traveller.move_to(AddressThrottle.objects.get().delayed_until)
            assert services.account_authenticate(identifier="staff", password=PASSWORD)
    finally:
        client_ip.reset(token)
    seen = AuditEntry.objects.filter(action="auth.address_throttled")
    assert seen.count() == 1 and seen.get().object_repr == "203.0.113.7"
    assert [t.address for t in services.address_throttles(start)] == ["203.0.113.7"]


def test_the_address_limit_holds_on_the_login_page(org: Any, settings: Any) -> None:
    settings.LUOSHI_ADDRESS_FAILURE_THRESHOLD = 2
    client = Client(REMOTE_ADDR="192.0.2.50")
    for i in range(3):
        client.post("/login/", {"username": f"who-{i}", "password": "x"})
    response = client.post("/login/", {"username": "staff", "password": PASSWORD})
    # the form again, with the message; not logged in; 429 with the wait in Retry-After
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "_auth_user_id" not in client.session


def test_a_locked_account_keeps_its_tokens(org: Any, token_for: Any, settings: Any) -> None:
    """Finding 6: five wrong passwords under a name stopped its integrations (401)."""
    headers = token_for("staff")
    client = Client()
    for _ in range(settings.LUOSHI_LOCKOUT_THRESHOLD):
        body = {"username": "staff", "password": "bad"}
        client.post("/api/v1/auth/token", body, "application/json")
    assert User.objects.get(username="staff").locked_until is not None
    assert client.get("/api/v1/me", **headers).status_code == 200


def test_the_profile_password_check_counts_as_a_failed_login(org: Any, settings: Any) -> None:
    """Finding 5: twelve wrong guesses on the profile, then the right one, were accepted."""
    staff = org.users["staff"]
    for _ in range(settings.LUOSHI_LOCKOUT_THRESHOLD - 1):
        with pytest.raises(InvalidInput):
            services.password_change(
                actor=staff, user=staff, old_password="guess", new_password=NEW_PASSWORD
            )
    assert User.objects.get(pk=staff.pk).failed_logins == settings.LUOSHI_LOCKOUT_THRESHOLD - 1
    with pytest.raises(AccountLocked):
        services.password_change(
            actor=staff, user=staff, old_password="guess", new_password=NEW_PASSWORD
        )
    # locked: the right current password is refused too, and so is a log-in
    with pytest.raises(AccountLocked):
        services.password_change(
            actor=staff, user=staff, old_password=PASSWORD, new_password=NEW_PASSWORD
        )
    with pytest.raises(AccountLocked):
        services.account_authenticate(identifier="staff", password=PASSWORD)
    assert User.objects.get(pk=staff.pk).check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="auth.locked", object_id=str(staff.pk)).exists()


def test_the_profile_page_counts_wrong_current_passwords(org: Any, client_for: Any) -> None:
    client = client_for("staff")
    data = {
        "action": "password",
        "old_password": "guess",
        "new_password": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    response = client.post("/profile/", data)
    assert response.status_code == 200
    assert User.objects.get(username="staff").failed_logins == 1


def test_a_new_password_may_not_equal_the_current_one(org: Any) -> None:
    staff = org.users["staff"]
    with pytest.raises(InvalidInput) as err:
        services.password_change(
            actor=staff, user=staff, old_password=PASSWORD, new_password=PASSWORD
        )
    assert err.value.code == "password_reused"
    with pytest.raises(InvalidInput):
        services.password_change(
            actor=org.users["security"], user=staff, old_password=None, new_password=PASSWORD
        )


# --- tokens (finding 4) -----------------------------------------------------------------------


def test_tokens_expire_after_90_days_by_default(org: Any) -> None:
    staff = org.users["staff"]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        token, raw = services.api_token_create(actor=staff, user=staff, name="script")
        assert token.expires_at == start + dt.timedelta(days=90)
        assert services.api_token_user(raw) == staff
        traveller.move_to(start + dt.timedelta(days=90, seconds=1))
        assert services.api_token_user(raw) is None
        assert services.api_token_find(raw) is None
        client = Client()
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 401


def test_a_token_lifetime_is_set_per_token_up_to_a_year(org: Any) -> None:
    staff = org.users["staff"]
    token, _raw = services.api_token_create(actor=staff, user=staff, name="a", expires_in_days=7)
    assert (token.expires_at - token.created_at).days in {6, 7}
    services.api_token_create(actor=staff, user=staff, name="b", expires_in_days=365)
    for days in (0, 366):
        with pytest.raises(InvalidInput) as err:
            services.api_token_create(actor=staff, user=staff, name="c", expires_in_days=days)
        assert err.value.code == "token_lifetime"


def test_the_token_api_answers_expires_at(org: Any) -> None:
    client = Client()
    response = client.post(
        "/api/v1/auth/token",
        {"username": "staff", "password": PASSWORD, "name": "ci", "expires_in_days": 30},
        "application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    token = ApiToken.objects.get(name="ci")
    answered = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(answered - token.expires_at) < dt.timedelta(milliseconds=1)
    assert (token.expires_at - token.created_at).days in {29, 30}
    too_long = client.post(
        "/api/v1/auth/token",
        {"username": "staff", "password": PASSWORD, "expires_in_days": 400},
        "application/json",
    )
    assert too_long.status_code == 422


def test_the_profile_page_shows_when_each_token_expires(org: Any, client_for: Any) -> None:
    staff = org.users["staff"]
    token, _raw = services.api_token_create(actor=staff, user=staff, name="nightly")
    page = client_for("staff").get("/profile/").content.decode()
    assert timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M") in page
    response = client_for("staff").post(
        "/profile/", {"action": "token", "name": "weekly", "expires_in_days": "10"}
    )
    assert response.status_code == 200
    weekly = ApiToken.objects.get(name="weekly")
    assert (weekly.expires_at - weekly.created_at).days in {9, 10}


@pytest.mark.parametrize("by", ["owner", "security"])
def test_every_token_ends_when_the_password_changes(org: Any, by: str) -> None:
    staff = org.users["staff"]
    _t1, raw1 = services.api_token_create(actor=staff, user=staff, name="one")
    _t2, raw2 = services.api_token_create(actor=staff, user=staff, name="two")
    assert services.api_token_user(raw1) == staff
    actor = staff if by == "owner" else org.users["security"]
    services.password_change(
        actor=actor,
        user=staff,
        old_password=PASSWORD if by == "owner" else None,
        new_password=NEW_PASSWORD,
    )
    assert services.api_token_user(raw1) is None
    assert services.api_token_user(raw2) is None
    assert ApiToken.objects.filter(user=staff, revoked_at__isnull=True).count() == 0
    entry = AuditEntry.objects.get(action="api_token.end_with_password")
    assert entry.after is not None and len(entry.after["tokens"]) == 2
    # a token made after the change works
    _t3, raw3 = services.api_token_create(actor=staff, user=staff, name="three")
    assert services.api_token_user(raw3) is not None


def test_a_password_set_outside_the_services_also_ends_the_tokens(org: Any) -> None:
    """The binding to the password hash holds whatever changed it (e.g. `changepassword`)."""
    staff = org.users["staff"]
    _token, raw = services.api_token_create(actor=staff, user=staff, name="one")
    user = User.objects.get(pk=staff.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert services.api_token_user(raw) is None
