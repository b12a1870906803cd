"""Authentication plumbing: the session backend and the password policy validator.

The rules themselves (lockout, look-up by username or mobile) live in services.account_authenticate;
the cached account and token look-ups every request goes through live in selectors
(`cached_account`, `cached_token`).
"""

from __future__ import annotations

import string
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .selectors import cached_account
from .services import account_authenticate


class AccountBackend(ModelBackend):
    """Loads users for sessions; logging in goes through services.account_authenticate."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
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
