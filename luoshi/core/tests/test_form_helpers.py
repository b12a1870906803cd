"""The page helpers for a form posted to a service: a domain error goes on the form (its message
once at the top, each detail next to its field), and `submit_form` validates, runs the service
and says it is done."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from luoshi.core.errors import Conflict, InvalidInput
from luoshi.core.forms import apply_domain_error, submit_form


class TitleForm(forms.Form):
    title = forms.CharField(max_length=20)
    note = forms.CharField(required=False)


def bound(**data: str) -> TitleForm:
    form = TitleForm({"title": "A plan", **data})
    assert form.is_valid()
    return form


def test_the_message_goes_on_top_once_and_a_field_detail_next_to_its_field() -> None:
    form = bound()
    apply_domain_error(
        form,
        InvalidInput(
            "The plan could not be saved.",
            details=[{"field": "title", "message": "This title is taken."}],
        ),
    )
    assert form.non_field_errors() == ["The plan could not be saved."]
    assert form.errors["title"] == ["This title is taken."]
    assert "note" not in form.errors


def test_an_error_without_details_is_its_message_on_top() -> None:
    form = bound()
    apply_domain_error(form, Conflict())
    assert [str(e) for e in form.non_field_errors()] == [str(Conflict.default_message)]
    assert list(form.errors) == ["__all__"]


def test_a_detail_about_no_field_of_the_form_is_shown_on_top_not_lost() -> None:
    form = bound()
    apply_domain_error(
        form,
        InvalidInput(
            "Not saved.",
            details=[
                {"field": "deadline", "message": "The deadline is past."},
                {"message": "Not saved."},  # repeats the message: shown once
                {"field": "note", "message": "Too vague."},
            ],
        ),
    )
    assert form.non_field_errors() == ["Not saved.", "The deadline is past."]
    assert form.errors["note"] == ["Too vague."]


def _request() -> Any:
    request: Any = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    return request


def test_submit_form_runs_the_service_with_the_cleaned_data_and_says_so() -> None:
    request = _request()
    seen: list[dict[str, Any]] = []

    def run(data: dict[str, Any]) -> str:
        seen.append(data)
        return "saved"

    ok, result = submit_form(request, TitleForm({"title": "A plan"}), run, "Saved.")
    assert (ok, result) == (True, "saved")
    assert seen == [{"title": "A plan", "note": ""}]
    assert [str(m) for m in get_messages(request)] == ["Saved."]


def test_submit_form_success_may_be_built_from_the_data() -> None:
    request = _request()
    submit_form(
        request, TitleForm({"title": "A plan"}), lambda d: None, lambda d: f"{d['title']} saved."
    )
    assert [str(m) for m in get_messages(request)] == ["A plan saved."]


def test_submit_form_does_not_run_the_service_for_an_invalid_form() -> None:
    request = _request()
    calls: list[Any] = []
    form = TitleForm({"title": "x" * 21})
    assert submit_form(request, form, calls.append, "Saved.") == (False, None)
    assert calls == [] and "title" in form.errors
    assert list(get_messages(request)) == []


def test_submit_form_puts_a_refusal_on_the_form() -> None:
    request = _request()

    def refuse(data: dict[str, Any]) -> None:
        raise InvalidInput("Refused.", details=[{"field": "title", "message": "Taken."}])

    form = TitleForm({"title": "A plan"})
    assert submit_form(request, form, refuse, "Saved.") == (False, None)
    assert form.non_field_errors() == ["Refused."]
    assert form.errors["title"] == ["Taken."]
    assert list(get_messages(request)) == []
