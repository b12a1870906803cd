"""One error hierarchy for the whole product.

Each DomainError carries a stable machine code, a translated message for people, an HTTP status
and optional details (for example one entry per bad row of an import). The API turns them into
JSON `{"code", "message", "details"}`; pages turn them into form errors or messages.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: str = "error"
    status: int = 400
    default_message: Any = _("The request could not be completed.")
    retry_after: int | None = None  # seconds: sent as the answer's Retry-After header

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.details = details or []
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}


class NotFound(DomainError):
    """Missing or not visible to the user: the two must look the same."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Forbidden(DomainError):
    """The object is visible, but this action on it is not allowed for the user."""

    code = "forbidden"
    status = 403
    default_message = _("You do not have permission to do this.")


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    default_message = _("Please log in.")


class CsrfFailed(DomainError):
    """An unsafe request made with a session carries no or a wrong CSRF token (API and pages)."""

    code = "csrf_failed"
    status = 403
    default_message = _("The CSRF token is missing or wrong. Reload the page and try again.")


class InvalidInput(DomainError):
    code = "invalid"
    status = 422
    default_message = _("The input is not valid.")


class Conflict(DomainError):
    """Someone else changed the record first; nothing was overwritten."""

    code = "conflict"
    status = 409
    default_message = _(
        "This record was changed by someone else after you opened it. "
        "Reload it and apply your change again."
    )


class AccountLocked(DomainError):
    code = "account_locked"
    status = 403
    default_message = _("This account is locked after too many failed log-ins. Try again later.")


class ServiceUnavailable(DomainError):
    """The server lacks something it needs (a font, a program): an administrator can fix it."""

    code = "service_unavailable"
    status = 503
    default_message = _("This service is not available on this server right now.")
