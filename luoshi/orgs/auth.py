"""Authentication plumbing: the session backend, the cached account and token look-ups, and the
password policy validator.

The rules themselves (lockout, look-up by username or mobile) live in services.account_authenticate.

Every request authenticates, so the account row (for the session) and the token (for the API)
come from the shared cache when there is one (LUOSHI_CACHE_URL), kept exact by generations:
`account:<id>` moves on every save or delete of that account — log-in bookkeeping and lockouts
included — and "org" with every other account, person, unit or role change and after `migrate`;
"tokens" moves on every token created, revoked or deleted. With the per-process default cache
both are read from the database on every request, as before. The cached account carries its
password hash (Django checks a session against it), like the session store beside it.
"""

from __future__ import annotations

import string
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from luoshi.core.cache import remember


class AccountBackend(ModelBackend):
    """Loads users for sessions; logging in goes through services.account_authenticate."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        from .services import account_authenticate

        if not username or not password:
            return None
        try:
            return account_authenticate(identifier=username, password=password)
        except Exception:
            return None

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False))

    def get_user(self, user_id: Any) -> Any:
        user = cached_account(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def account_generation(user_id: Any) -> str:
    return f"account:{user_id}"


def cached_account(user_id: Any) -> Any:
    """The account row with this id (None if there is none), through the shared cache."""
    from .models import User

    return remember(
        f"account:{user_id}",
        ("org", account_generation(user_id)),
        lambda: User._default_manager.filter(pk=user_id).first(),
        shared_only=True,
        keep_none=False,
    )


def cached_token(digest: str) -> tuple[int, int, Any] | None:
    """(token id, account id, last used) of the unrevoked token with this hash, or None."""
    from .models import ApiToken

    def load() -> tuple[int, int, Any] | None:
        row = (
            ApiToken.objects.filter(token_hash=digest, revoked_at__isnull=True)
            .order_by("-created_at")
            .values_list("pk", "user_id", "last_used_at")
            .first()
        )
        return None if row is None else (row[0], row[1], row[2])

    # unknown values are not kept: a client sending junk must not fill the cache
    return remember(f"token:{digest}", ("tokens",), load, shared_only=True, keep_none=False)


def character_classes(password: str) -> int:
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


class PasswordPolicyValidator:
    """At least N characters (default 8) from at least K of the four classes (default 3)."""

    def validate(self, password: str, user: Any = None) -> None:
        min_length = settings.LUOSHI_PASSWORD_MIN_LENGTH
        min_classes = settings.LUOSHI_PASSWORD_MIN_CLASSES
        if len(password) < min_length or character_classes(password) < min_classes:
            raise ValidationError(self._message(), code="password_policy")

    def _message(self) -> str:
        return _(
            "The password must have at least %(length)d characters and use at least %(classes)d "
            "of these four kinds: lower-case letters, upper-case letters, digits, symbols."
        ) % {
            "length": settings.LUOSHI_PASSWORD_MIN_LENGTH,
            "classes": settings.LUOSHI_PASSWORD_MIN_CLASSES,
        }

    def get_help_text(self) -> str:
        return self._message()
