from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


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
