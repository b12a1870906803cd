"""Two-factor sign-in: an authenticator app's time-based codes (TOTP, RFC 6238) and recovery codes.

Required for the three administrators (settings.LUOSHI_TWO_FACTOR_ADMINS) and optional for
everyone else. The steps, each audited:

- enrolment: `enrolment_start` makes an unconfirmed device with a new secret (shown as a QR code
  and as text); `enrolment_confirm` checks a first code from the app, confirms the device and
  makes the recovery codes, shown once;
- sign-in: after the right password, an account with a confirmed device is asked for a code
  (`second_factor_check`). A wrong code counts like a wrong password, against the account (it
  locks at LUOSHI_LOCKOUT_THRESHOLD) and against the client address; a code of a time step
  already used is refused; a recovery code works once;
- the owner may renew the recovery codes or (when not required) switch two-factor off, each with
  a current code;
- only the security administrator resets a device, on the server (`luoshi reset_2fa`), which also
  ends the account's sessions.

API tokens are not asked for a code when they are used: a token is a secret of its own, made in a
session that passed both factors (the profile page) or by `POST /api/v1/auth/token`, which asks
for the code of an enrolled account (docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import DomainError, Forbidden, InvalidInput

from .models import RecoveryCode, TwoFactorDevice, User
from .permissions import roles_of
from .roles import ADMIN_ROLES
from .services import _account_failed, _address_check, _address_failed, _locked_error

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_LENGTH = 10
SECRET_LENGTH = 32  # base32 characters: 160 bits, as RFC 4226 recommends


class TwoFactorRequired(DomainError):
    """The password was right; this account also needs a code from its authenticator app."""

    code = "two_factor_required"
    status = 401


class EnrolmentRequired(DomainError):
    """An administrator without a confirmed device: enrol on the two-factor page first."""

    code = "two_factor_enrolment_required"
    status = 403


# --- state ------------------------------------------------------------------------------------


def is_enrolled(user: Any) -> bool:
    """Whether the account has a confirmed device (and so is asked for a code at sign-in)."""
    return TwoFactorDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def is_required(user: Any) -> bool:
    """Whether the account must use two-factor sign-in: the three administrators (三员)."""
    return bool(settings.LUOSHI_TWO_FACTOR_ADMINS and roles_of(user) & ADMIN_ROLES)


def enrolment_needed(user: Any) -> bool:
    """Required and not yet enrolled: the account is sent to enrolment before anything else."""
    return is_required(user) and not is_enrolled(user)


def unused_recovery_codes(user: Any) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()


def provisioning_uri(device: TwoFactorDevice) -> str:
    """The `otpauth://` address the QR code carries (account name and issuer for the app)."""
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.get_username(), issuer_name=settings.LUOSHI_TWO_FACTOR_ISSUER
    )


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing into an app that cannot scan."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- codes ------------------------------------------------------------------------------------


def _normalised(code: str) -> str:
    return "".join(ch for ch in (code or "").strip().lower() if ch not in " -\t")


def _recovery_digest(code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), b"recovery-code:" + code.encode(), hashlib.sha256
    ).hexdigest()


def _totp_match(device: TwoFactorDevice, code: str, now: dt.datetime) -> int | None:
    """The time step whose code `code` is, within the valid window around now, or None.

    Every step of the window is compared (in constant time), whichever matches."""
    totp = pyotp.TOTP(device.secret)
    current = totp.timecode(now)
    window = settings.LUOSHI_TWO_FACTOR_VALID_WINDOW
    matched = None
    for counter in range(current - window, current + window + 1):
        if hmac.compare_digest(totp.generate_otp(counter), code):
            matched = counter
    return matched


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with new ones; the codes are returned once."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_LENGTH))
        for _n in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=_recovery_digest(code)) for code in codes]
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _use_code(user: User, code: str, now: dt.datetime) -> tuple[str | None, str]:
    """Try `code` (a TOTP code or a recovery code) on the account, in the caller's transaction.

    Returns (kind, failure): kind "totp" or "recovery" when accepted, else None with the failure
    ("wrong" or "reused")."""
    text = _normalised(code)
    if text.isdigit() and len(text) == 6:
        device = (
            TwoFactorDevice.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=False)
            .first()
        )
        if device is None:
            return None, "wrong"
        counter = _totp_match(device, text, now)
        if counter is None:
            return None, "wrong"
        if counter <= device.last_counter:
            return None, "reused"
        device.last_counter = counter
        device.save(update_fields=["last_counter"])
        return "totp", ""
    if len(text) != RECOVERY_LENGTH:
        return None, "wrong"
    row = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, digest=_recovery_digest(text), used_at__isnull=True)
        .first()
    )
    if row is None:
        return None, "wrong"
    row.used_at = now
    row.save(update_fields=["used_at"])
    return "recovery", ""


def second_factor_check(*, user: User, code: str, sign_in: bool = False) -> str:
    """Check a code of the account, counted like a password.

    A wrong or reused code counts against the account (it locks at the lockout threshold) and
    against the client address, each committed before the error is raised; while the account
    is locked or the address must wait, no code is tried. With `sign_in` the accepted code
    completes a sign-in (audited `auth.login` with the factor, the failure counter reset).
    Returns the kind of code used ("totp" or "recovery")."""
    now = timezone.now()
    _address_check(now)
    with transaction.atomic():
        row = User.objects.select_for_update().get(pk=user.pk)
        if row.locked_until and row.locked_until > now:
            raise _locked_error(row.locked_until)
        kind, failure = _use_code(row, code, now)
        if kind is not None:
            if sign_in:
                row.failed_logins = 0
                row.locked_until = None
                row.last_login = now
                row.save(update_fields=["failed_logins", "locked_until", "last_login"])
                audit.record("auth.login", actor=row, obj=row, after={"second_factor": kind})
            if kind == "recovery":
                audit.record(
                    "two_factor.recovery_code_used",
                    actor=row,
                    obj=row,
                    after={"left": unused_recovery_codes(row)},
                )
            return kind
        action = "auth.two_factor_reused" if failure == "reused" else "auth.two_factor_failed"
        locked = _account_failed(row, now, failed_action=action)
    _address_failed(now)
    if locked:
        raise _locked_error(row.locked_until)  # type: ignore[arg-type]
    if failure == "reused":
        raise InvalidInput(
            _("This code was used already. Wait for the next code of your app."),
            code="code_reused",
        )
    raise InvalidInput(
        _("The code is wrong. Enter the 6 digits your app shows now, or a recovery code."),
        code="wrong_code",
    )


# --- enrolment, renewal, switching off, reset -------------------------------------------------


@transaction.atomic
def enrolment_start(*, actor: Any, user: User) -> TwoFactorDevice:
    """A new unconfirmed device with a new secret (any earlier unconfirmed one is replaced)."""
    if is_enrolled(user):
        raise InvalidInput(
            _("Two-factor sign-in is already set up for this account."), code="already_enrolled"
        )
    TwoFactorDevice.objects.filter(user=user).delete()
    device = TwoFactorDevice(user=user)
    device.secret = pyotp.random_base32(SECRET_LENGTH)  # sealed (TwoFactorDevice.secret)
    device.save()
    audit.record("two_factor.enrol_start", actor=actor, obj=user)
    return device


def pending_device(user: Any) -> TwoFactorDevice | None:
    return (
        TwoFactorDevice.objects.select_related("user")
        .filter(user_id=user.pk, confirmed_at__isnull=True)
        .first()
    )


def enrolment_confirm(*, actor: Any, user: User, code: str) -> list[str]:
    """Confirm the pending device with a first code from the app; returns the new recovery
    codes (shown once). A wrong code is audited and refused; it does not count as a failed
    log-in (the session holder sees this secret already, so nothing is guessed)."""
    now = timezone.now()
    with transaction.atomic():
        device = (
            TwoFactorDevice.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=True)
            .first()
        )
        if device is None:
            raise InvalidInput(
                _("Start the set-up again: no authenticator app is waiting for confirmation."),
                code="no_pending_device",
            )
        text = _normalised(code)
        counter = _totp_match(device, text, now) if text.isdigit() and len(text) == 6 else None
        if counter is not None:
            device.confirmed_at = now
            device.last_counter = counter
            device.save(update_fields=["confirmed_at", "last_counter"])
            codes = _new_recovery_codes(user)
            audit.record("two_factor.enrol_confirm", actor=actor, obj=user)
            audit.record(
                "two_factor.recovery_codes", actor=actor, obj=user, after={"count": len(codes)}
            )
            return codes
    audit.record("two_factor.enrol_failed", actor=actor, obj=user)
    raise InvalidInput(
        _("The code is wrong. Check the time on your phone and enter the 6 digits shown now."),
        code="wrong_code",
    )


def recovery_codes_renew(*, actor: Any, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones end), given a current code; shown once."""
    second_factor_check(user=user, code=code)
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(
            "two_factor.recovery_codes", actor=actor, obj=user, after={"count": len(codes)}
        )
    return codes


def two_factor_disable(*, actor: Any, user: User, code: str) -> None:
    """Switch two-factor sign-in off, given a current code; not for the administrators, who
    must keep it (only the security administrator resets it, on the server)."""
    if is_required(user):
        raise Forbidden(
            _(
                "Administrators must use two-factor sign-in. If the phone is lost, the security "
                "administrator resets it on the server."
            )
        )
    second_factor_check(user=user, code=code)
    with transaction.atomic():
        TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record("two_factor.disable", actor=actor, obj=user)


def two_factor_reset(*, actor: Any, user: User) -> int:
    """The security administrator's reset on the server: the device and recovery codes are
    removed and every session of the account ends; the owner enrols again at the next sign-in
    (an administrator is sent to enrolment). Returns the number of sessions ended."""
    with transaction.atomic():
        had = TwoFactorDevice.objects.filter(user=user).delete()[0]
        RecoveryCode.objects.filter(user=user).delete()
        ended = end_sessions(user)
        audit.record(
            "two_factor.reset",
            actor=actor,
            obj=user,
            after={"had_device": bool(had), "sessions_ended": ended},
        )
    return ended


def end_sessions(user: User) -> int:
    """End every live session of the account (database-backed sessions)."""
    from importlib import import_module

    from django.contrib.sessions.models import Session

    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for row in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = store().decode(row.session_data)
        if str(data.get("_auth_user_id", "")) == str(user.pk):
            store(session_key=row.session_key).delete()
            ended += 1
    return ended
