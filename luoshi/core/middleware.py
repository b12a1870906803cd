from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .context import client_ip
from .errors import DomainError

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: nothing inline, nothing from another origin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


def _valid_ip(value: str) -> str | None:
    """`value` as a normalised IP address, or None when it is not one (the audit log's column
    is an inet on PostgreSQL: anything else would fail the write it belongs to)."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        address = ipaddress.IPv6Address(str(address).split("%", 1)[0])  # no zone in an inet
    return str(address)


def _client_address(request: HttpRequest) -> str | None:
    """The client's IP address: REMOTE_ADDR, or behind our own proxies the X-Forwarded-For
    entry that the outermost of them added.

    Each proxy appends the address it received the request from, so only the rightmost
    LUOSHI_TRUSTED_PROXY_COUNT entries were written by us; anything left of them came from the
    client and may be forged. A missing or malformed entry falls back to REMOTE_ADDR.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR") or "")
    if not settings.LUOSHI_TRUST_X_FORWARDED_FOR:
        return remote
    proxies = max(1, int(settings.LUOSHI_TRUSTED_PROXY_COUNT))
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [e for e in entries if e]
    if len(entries) < proxies:
        return remote
    return _valid_ip(entries[-proxies]) or remote


class SessionRenewalMiddleware:
    """Renew a session's idle timeout on activity, at most once per LUOSHI_SESSION_RENEW_SECONDS.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) would write to the database
    on every page view; renewing once a minute keeps the idle timeout exact to within a minute.
    """

    KEY = "_renewed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or response.status_code >= 500:
            return response
        if "_auth_user_id" not in session:  # an anonymous visitor's session is not renewed
            return response
        now = int(time.time())
        every = int(settings.LUOSHI_SESSION_RENEW_SECONDS)
        try:
            last = int(session.get(self.KEY, 0))
        except (TypeError, ValueError):
            last = 0
        if now - last >= every or now < last:
            session[self.KEY] = now  # marks the session modified: saved with a new expiry
        return response


def mark_session_renewed(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    """A log-in saves the session: the next renewal is due a full interval later."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionRenewalMiddleware.KEY] = int(time.time())


class RequestContextMiddleware:
    """Make the client address available to the audit log for this request only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(_client_address(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


class DomainErrorMiddleware:
    """Pages: a DomainError raised by a view becomes an error page with its status.

    NotFound renders exactly like a missing URL, so a forbidden object cannot be told apart.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        if request.path.startswith("/api/") or not isinstance(exception, DomainError):
            return None
        template = {404: "404.html", 403: "403.html"}.get(exception.status, "error.html")
        response = render(request, template, {"error": exception}, status=exception.status)
        if exception.retry_after:
            response["Retry-After"] = str(exception.retry_after)
        return response


# --- the database out of reach -------------------------------------------------------------------

_DB_DOWN = "_luoshi_database_unavailable"


def _is_database_unavailable(exception: BaseException | None) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exception, OperationalError | InterfaceError)


def note_database_unavailable(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """got_request_exception: remember that the request failed because the database could not
    be reached (raised in a middleware or the API, where no process_exception sees it)."""
    import sys

    if request is not None and _is_database_unavailable(sys.exc_info()[1]):
        setattr(request, _DB_DOWN, True)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, rendered without the database: JSON under /api/, else a minimal
    bilingual page (no context processors, no session, no user)."""
    from django.conf import settings
    from django.http import JsonResponse
    from django.template.loader import render_to_string
    from django.utils.translation import gettext as _

    retry = int(settings.LUOSHI_RETRY_AFTER_SECONDS)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "code": "service_unavailable",
                "message": _(
                    "The database cannot be reached right now. Try again in %(seconds)d seconds."
                )
                % {"seconds": retry},
                "details": [],
            },
            status=503,
        )
    else:
        response = HttpResponse(
            render_to_string("core/503.html", {"retry_after": retry}), status=503
        )
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached (OperationalError, InterfaceError: refused connection,
    server restarting, lost connection) answers 503 with Retry-After on pages and the API, never
    a 500. Placed near the top, so that it also covers the session and authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, _DB_DOWN, False):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if _is_database_unavailable(exception):
            return database_unavailable_response(request)
        return None
