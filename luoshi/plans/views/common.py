"""Helpers shared by the plans pages: a form submitted to a service, domain errors on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from luoshi.core.errors import DomainError, NotFound
from luoshi.orgs.permissions import scope_for

from .ledger import ledger, ledger_filter_form  # noqa: F401  (urls, other modules)


def _form_errors(form: Any, exc: DomainError) -> None:
    form.add_error(None, exc.message)
    for detail in exc.details:
        if detail.get("field") in form.fields:
            form.add_error(detail["field"], detail["message"])


def _submit(
    request: HttpRequest,
    form: Any,
    run: Callable[[dict[str, Any]], Any],
    success: str | Callable[[dict[str, Any]], str],
) -> tuple[bool, Any]:
    """Validate a posted form and call the service with its cleaned data.

    Returns (True, the service's result) after adding the success message, or (False, None)
    with the domain error's message and details put on the form (next to their fields).
    """
    if not form.is_valid():
        return False, None
    try:
        result = run(form.cleaned_data)
    except DomainError as exc:
        _form_errors(form, exc)
        return False, None
    messages.success(request, success(form.cleaned_data) if callable(success) else success)
    return True, result


def _require_business_scope(request: HttpRequest) -> None:
    if scope_for(request.user).is_empty:
        raise NotFound()
