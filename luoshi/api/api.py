"""The JSON API at /api/v1/: one NinjaAPI object, its auth, its error shape, each app's router.

Errors are always `{"code", "message", "details"}` (the `ErrorOut` schema) with a 4xx status for
anything the client got wrong: bad JSON, a body that is not JSON, invalid or missing fields,
unknown URLs (404), wrong methods (405), no or bad credentials (401), CSRF failures (403).
Unknown query parameters are ignored. The OpenAPI document at /api/v1/openapi.json documents
these error responses on every operation, so that routers only declare their success answers
(and any error they want to describe more precisely).

Auth, tried in this order:
- `Authorization: Bearer <personal access token>` (tokens are created on the profile page or
  with `POST /api/v1/auth/token`). A bearer token that is unknown, revoked, or belongs to a
  locked or inactive account answers 401 at once; it never falls back to the session.
- The browser's session cookie; unsafe methods (POST, PUT, PATCH, DELETE) must carry the CSRF
  token (`X-CSRFToken` header), as in the pages.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, URLResolver, re_path
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.utils import check_csrf

from luoshi.appraisal.api import router as appraisal_router
from luoshi.core.errors import CsrfFailed, DomainError
from luoshi.core.middleware import database_unavailable_response
from luoshi.documents.api import router as exports_router
from luoshi.evaluation.api import router as evaluation_router
from luoshi.honors.api import people_router as honors_people_router
from luoshi.honors.api import router as honors_router
from luoshi.meetings.api import router as meetings_router
from luoshi.news.api import router as news_router
from luoshi.notify.api import router as notify_router
from luoshi.orgs.api.audit import router as audit_router
from luoshi.orgs.api.imports import router as import_router
from luoshi.orgs.api.orgs import auth_router
from luoshi.orgs.api.orgs import router as orgs_router
from luoshi.orgs.services import api_token_user
from luoshi.plans.api import router as plans_router
from luoshi.summaries.api import router as summaries_router
from luoshi.supervision.api import router as supervision_router

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    """The body of every error answer."""

    code: str
    message: str
    details: list[dict[str, Any]]


class UnsupportedMediaType(Exception):
    """The body is not sent as JSON."""


# --- auth -------------------------------------------------------------------------------------


class BearerToken(HttpBearer):
    """`Authorization: Bearer <personal access token>`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token.strip())
        if user is None:
            # A bad token is an answer, not a reason to try the session instead.
            raise AuthenticationError()
        request.user = user
        if user.language:  # answers in the account's language, like the pages
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        # DELETE /api/v1/auth/token revokes the token of the call it is made with
        request.luoshi_bearer_token = token.strip()  # type: ignore[attr-defined]
        return user


class Session(SessionAuth):
    """The browser's session, with the CSRF check on unsafe methods.

    The check runs only once the session is known to belong to a user, so that a request with
    no credentials at all answers 401, not 403.
    """

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfFailed()
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return self(request)


# --- parsing ----------------------------------------------------------------------------------


class JsonParser(Parser):
    """JSON bodies only, sent as `application/json` (a form post cannot reach a JSON operation)."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = getattr(request, "content_type", None)
        # ninja re-parses single multipart fields through a bare request without a content type
        if content_type is not None and not _is_json(content_type):
            raise UnsupportedMediaType(content_type)
        return super().parse_body(request)


def _is_json(content_type: str) -> bool:
    content_type = content_type.lower()
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


# --- the API object ---------------------------------------------------------------------------


# Endpoints whose operationIds were published under another module's name (see
# LuoshiAPI.get_openapi_operation_id); luoshi/api/tests/operation_ids.json pins every id.
OPERATION_ID_PREFIXES = {
    "luoshi.plans.api.categories": "luoshi_plans_api_categories",
    "luoshi.plans.api.imports": "luoshi_plans_api_import",
    "luoshi.orgs.api.imports": "luoshi_orgs_api_import",
    "luoshi.orgs.api.audit": "luoshi_core_api",
}


class LuoshiAPI(NinjaAPI):
    """NinjaAPI with JSON answers for unknown URLs and wrong methods, and documented errors."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _guarded(pattern.callback)
        urls.append(re_path(r"^.*$", _guarded(_unknown_url), name="api-unknown"))
        return urls

    def get_openapi_operation_id(self, operation: Any) -> str:
        """`luoshi_<app>_api_<function>`, whatever module of the app's api package the endpoint
        lives in: operationIds are part of the published document (clients generate code from
        them), so moving an endpoint between modules must not change them. The ids published
        before an app's api became a package keep their old prefix (OPERATION_ID_PREFIXES)."""
        module = operation.view_func.__module__
        prefix = OPERATION_ID_PREFIXES.get(module)
        if prefix is None:
            app = module.split(".")[1] if module.startswith("luoshi.") else module
            prefix = f"luoshi_{app}_api"
        return f"{prefix}_{operation.view_func.__name__}"

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _document_errors(schema)
        return schema


api = LuoshiAPI(
    title="Luoshi API",
    version="1",
    description=(
        "落实 · work plans, supervision, appraisal and commendation for an agency.\n\n"
        "Authenticate with `Authorization: Bearer <token>` (a personal access token from the "
        "profile page or from `POST /api/v1/auth/token`), or with the browser session plus "
        "the `X-CSRFToken` header on unsafe methods. Every answer is scoped to what the "
        "account may see: an object outside that scope answers exactly like a missing one "
        '(404). Errors are `{"code", "message", "details"}`.'
    ),
    auth=[BearerToken(), Session()],
    parser=JsonParser(),
    docs_url=None,  # the interactive docs load inline scripts, which our CSP forbids
    urls_namespace="api",
)


# --- errors -----------------------------------------------------------------------------------


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
    response = _error(request, exc.status, exc.code, str(exc.message), exc.details)
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", [])]
        details.append(
            {
                "field": ".".join(loc),
                "type": str(error.get("type", "")),
                "message": str(error.get("msg", "")),
            }
        )
    return _error(request, 422, "invalid", _("The input is not valid."), details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request, 401, "not_authenticated", _("Please log in or send a valid access token.")
    )
    response["WWW-Authenticate"] = 'Bearer realm="luoshi"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, UnsupportedMediaType):
        return _error(
            request, 415, "unsupported_media_type", _("Send the body as application/json.")
        )
    if exc.status_code == 400 and isinstance(exc.__cause__, RequestDataTooBig):
        return _error(request, 413, "too_large", _("The request is too large."))
    if exc.status_code == 400:
        # ninja raises 400 only when the body cannot be parsed
        return _error(request, 400, "bad_request", _("The request body is not valid JSON."))
    code, message = {
        403: ("forbidden", _("You do not have permission to do this.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        413: ("too_large", _("The request is too large.")),
        429: ("throttled", _("Too many requests. Try again later.")),
    }.get(exc.status_code, ("error", _("The request could not be completed.")))
    return _error(request, exc.status_code, code, message)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "too_large", _("The request is too large."))


@api.exception_handler(SuspiciousOperation)
@api.exception_handler(MultiPartParserError)
def on_malformed_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    # a broken multipart body, too many fields or files, and the like
    return _error(request, 400, "bad_request", _("The request is malformed."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # the database cannot be reached: 503 with Retry-After, as on pages (docs/security.md)
    return database_unavailable_response(request)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(
        request, 500, "server_error", _("Something went wrong on our side. Please try again.")
    )


def _unknown_url(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


def _guarded(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a view of the API: refuse NUL characters in the query, answer 405 as JSON."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
            return _error(
                request,
                422,
                "invalid",
                _("The input is not valid."),
                [{"field": "query", "message": _("NUL characters are not allowed.")}],
            )
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = _error(
                request, 405, "method_not_allowed", _("This method is not allowed here.")
            )
            response["Allow"] = allowed
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # the Session auth checks CSRF
    return wrapped


# --- OpenAPI: document the error answers of every operation ----------------------------------

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON.",
    401: "No credentials, or a bearer token that is unknown, revoked or of a locked account.",
    403: "Not allowed for this account, or the CSRF token is missing (session auth).",
    404: "Not found, or outside what this account may see (the two are indistinguishable).",
    415: "The body is not sent as application/json.",
    422: "Invalid input; `details` lists each problem.",
}


def _document_errors(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses: set[int] = set()
            body = operation.get("requestBody", {}).get("content", {})
            if body:
                statuses.add(422)
                if "application/json" in body:
                    statuses.update({400, 415})
            if operation.get("parameters"):
                statuses.update({404, 422})
            if operation.get("security"):
                statuses.update({401, 403})
            responses = operation["responses"]
            for status in sorted(statuses):
                if status in responses or str(status) in responses:
                    continue
                responses[status] = {
                    "description": _ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": ERROR_REF}},
                }


# --- every app's router -------------------------------------------------------------------------

api.add_router("/", orgs_router)
api.add_router("/auth", auth_router)
api.add_router("/imports", import_router)
api.add_router("/audit", audit_router)
api.add_router("/", plans_router)
api.add_router("/", notify_router)
api.add_router("/supervision", supervision_router)
api.add_router("/appraisal", evaluation_router)
api.add_router("/appraisal", appraisal_router)
api.add_router("/honors", honors_router)
api.add_router("/", exports_router)
api.add_router("/", honors_people_router)
api.add_router("/news", news_router)
api.add_router("/summaries", summaries_router)
api.add_router("/meetings", meetings_router)
