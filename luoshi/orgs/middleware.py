from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's and the cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = (
            getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        )
        if language in self.codes:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language in self.codes:
            response.headers["Content-Language"] = language
        return response


# The session's two-factor state: "ok" once the account needs no enrolment (set at sign-in, or
# here on the first request of a session made otherwise); the pending second step of a sign-in
# (the account whose password was right, and when) lives under SESSION_PENDING.
SESSION_VERIFIED = "luoshi_2fa_ok"
SESSION_PENDING = "luoshi_2fa_pending"


class TwoFactorMiddleware:
    """An administrator without a confirmed two-factor device is sent to enrolment before
    anything else (pages: a redirect to the two-factor page; the API with a session: 403
    `two_factor_enrolment_required`). Calls with a bearer token are not concerned (see
    luoshi.orgs.twofactor). Once a session is known to need nothing, it is marked and no query
    is made again for it."""

    ALLOWED = ("login", "logout", "set_language", "orgs:two_factor", "orgs:login_code")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.LUOSHI_TWO_FACTOR_ADMINS or request.session.get(SESSION_VERIFIED):
            return self.get_response(request)
        if request.headers.get("Authorization"):
            return self.get_response(request)  # a token call: the session plays no part
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        # twofactor reads the device table through the models (loaded after the app registry)
        from . import twofactor

        if not twofactor.enrolment_needed(user):
            request.session[SESSION_VERIFIED] = "ok"
            return self.get_response(request)
        return self._to_enrolment(request) or self.get_response(request)

    def _to_enrolment(self, request: HttpRequest) -> HttpResponse | None:
        if request.path.startswith(settings.STATIC_URL):
            return None
        if request.path in {reverse(name) for name in self.ALLOWED}:
            return None
        message = _("Administrators sign in with two factors: set up your authenticator app first.")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "two_factor_enrolment_required", "message": message, "details": []},
                status=403,
            )
        return redirect("orgs:two_factor")
