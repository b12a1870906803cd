"""The JSON API at /api/v1/: one NinjaAPI object, its auth, its error shape, each app's router.

Errors are always `{"code", "message", "details"}`; bad input is 4xx, never 5xx.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from luoshi.core.errors import DomainError


class BearerToken(HttpBearer):
    """`Authorization: Bearer <personal access token>`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from luoshi.orgs.services import api_token_user

        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The browser's session (with CSRF on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api = NinjaAPI(
    title="Luoshi API",
    version="1",
    description="落实 · work plans, supervision, appraisal and commendation for an agency.",
    auth=[BearerToken(), Session()],
    docs_url=None,  # the interactive docs load inline scripts, which our CSP forbids
    urls_namespace="api",
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "details": details or []}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, str(exc.message), exc.details)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", [])]
        details.append({"field": ".".join(loc), "message": str(error.get("msg", ""))})
    return _error(request, 422, "invalid", _("The input is not valid."), details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request, 401, "not_authenticated", _("Please log in or send a valid access token.")
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        429: "throttled",
    }.get(exc.status_code, "error")
    return _error(request, exc.status_code, code, str(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


def _mount() -> None:
    from luoshi.orgs.api import auth_router
    from luoshi.orgs.api import router as orgs_router

    api.add_router("/", orgs_router)
    api.add_router("/auth", auth_router)


_mount()
