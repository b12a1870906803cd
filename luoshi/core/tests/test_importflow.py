"""The steps every import page shares (luoshi.core.importflow): reading the form's file with its
size limit, keeping it by token for its owner, the preview and the commit with their answers
when the file is gone or refused, and the summary of the done step."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from luoshi.core import importflow
from luoshi.core.errors import InvalidInput, NotFound
from luoshi.core.models import StoredUpload

pytestmark = pytest.mark.django_db

URL = "/some/import/"
PURPOSE = "test_import"
KEY = "test_import_upload"


class UploadForm(forms.Form):
    file = importflow.file_field("File", accept=".csv", help_id="test-file-help")
    covered = forms.BooleanField(required=False)


def make_request(user: Any, method: str = "get", data: dict[str, Any] | None = None) -> HttpRequest:
    """A request of `user`, with a session and messages, like the pages get."""
    factory = RequestFactory()
    request = factory.post(URL, data or {}) if method == "post" else factory.get(URL, data or {})
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)
    request.user = user
    return request


def again(request: HttpRequest, method: str = "get", data: dict[str, Any] | None = None) -> Any:
    """The next request of the same browser: same user, same session."""
    following = make_request(request.user, method, data)
    following.session = request.session
    return following


def flow_for(request: HttpRequest) -> importflow.ImportFlow:
    return importflow.ImportFlow(
        request, purpose=PURPOSE, url=URL, session_key=KEY, result_key="test_import_result"
    )


def said(request: HttpRequest) -> list[str]:
    return [str(m) for m in get_messages(request)]


def upload_form(data: bytes, name: str = "days.csv", **fields: Any) -> UploadForm:
    return UploadForm(fields, MultiValueDict({"file": [SimpleUploadedFile(name, data)]}))


# --- the file from the form -------------------------------------------------------------------


def test_read_upload_gives_the_bytes_up_to_the_limit() -> None:
    assert importflow.read_upload(SimpleUploadedFile("a.csv", b"x" * 100), max_bytes=100) == (
        b"x" * 100
    )


@pytest.mark.parametrize(
    ("limit", "english", "chinese"),
    [
        (256 * 1024, "The file is larger than 256 KB.", "文件超过 256 KB。"),
        (
            10 * 1024 * 1024,
            "The file is larger than 10 MB. Split it into smaller files.",
            "文件超过 10 MB，请拆分为较小的文件。",
        ),
    ],
)
def test_a_file_over_the_limit_is_refused_in_the_users_language(
    limit: int, english: str, chinese: str
) -> None:
    for language, message in [("en", english), ("zh-hans", chinese)]:
        with translation.override(language), pytest.raises(InvalidInput) as caught:
            importflow.read_upload(SimpleUploadedFile("a.csv", b"x" * (limit + 1)), max_bytes=limit)
        assert (caught.value.code, str(caught.value.message)) == ("file_too_large", message)


def test_a_file_whose_size_is_not_told_is_still_cut_at_the_limit() -> None:
    file = SimpleUploadedFile("a.csv", b"x" * 101)
    file.size = None
    with pytest.raises(InvalidInput):
        importflow.read_upload(file, max_bytes=100)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("样例.xlsx", "样例.xlsx"),
        ("C:\\Users\\me\\plan.docx", "plan.docx"),
        ("../../etc/passwd", "passwd"),
        ("", "upload.xlsx"),
        ("/", "upload.xlsx"),
        ("a" * 300 + ".csv", "a" * 100),
    ],
)
def test_only_the_last_part_of_a_file_name_is_kept(name: str, expected: str) -> None:
    assert importflow.clean_file_name(name, "upload.xlsx") == expected


# --- keeping the file between the steps --------------------------------------------------------


def test_the_upload_is_kept_by_token_with_the_values_beside_it(org: Any) -> None:
    request = make_request(org.users["admin"], "post")
    flow = flow_for(request)
    assert flow.pending() is None
    assert flow.receive(upload_form(b"2027-01-01,holiday,\n"), default_name="x.csv", covered=True)
    [row] = StoredUpload.objects.filter(purpose=PURPOSE)
    assert request.session[KEY] == {"token": row.token, "covered": True}
    pending = flow.pending()
    assert pending == {"token": row.token, "name": "days.csv", "covered": True}
    assert flow.load() == (pending, b"2027-01-01,holiday,\n")
    # a second upload takes the place of the first
    assert flow.receive(upload_form(b"second", "second.csv"), default_name="x.csv")
    [second] = StoredUpload.objects.filter(purpose=PURPOSE)
    assert second.token != row.token and request.session[KEY] == second.token  # no extra values
    assert flow.load() == ({"token": second.token, "name": "second.csv"}, b"second")


def test_a_refused_file_is_not_kept_and_the_form_says_why(org: Any) -> None:
    flow = flow_for(make_request(org.users["admin"], "post"))

    def check(data: bytes, name: str) -> None:
        raise InvalidInput(f"{name} cannot be read")

    form = upload_form(b"data")
    assert not flow.receive(form, default_name="x.csv", check=check)
    assert form.errors["file"] == ["days.csv cannot be read"]
    form = upload_form(b"x" * 2048)
    with translation.override("zh-hans"):
        assert not flow.receive(form, default_name="x.csv", max_bytes=1024)
    assert form.errors["file"] == ["文件超过 1 KB。"]
    form = UploadForm({}, MultiValueDict())
    assert not flow.receive(form, default_name="x.csv")
    assert "file" in form.errors
    assert not StoredUpload.objects.exists()
    assert flow.pending() is None


def test_another_users_token_finds_nothing_and_discards_nothing(org: Any) -> None:
    owner = make_request(org.users["admin"], "post")
    assert flow_for(owner).receive(upload_form(b"data"), default_name="x.csv")
    token = owner.session[KEY]
    thief = make_request(org.users["staff"], "post", {"token": token})
    thief.session[KEY] = token  # as if the token leaked into another session
    flow = flow_for(thief)
    assert flow.pending() is None
    with pytest.raises(NotFound):
        flow.load()
    with pytest.raises(NotFound):
        flow.load_posted()
    flow.forget()
    assert StoredUpload.objects.filter(token=token).exists()


def test_the_commit_needs_the_token_of_the_preview(org: Any) -> None:
    request = make_request(org.users["admin"], "post")
    assert flow_for(request).receive(upload_form(b"data"), default_name="x.csv")
    token = request.session[KEY]
    for posted in [{}, {"token": ""}, {"token": "other"}]:
        with pytest.raises(NotFound):
            flow_for(again(request, "post", posted)).load_posted()
    pending, data = flow_for(again(request, "post", {"token": token})).load_posted()
    assert (pending["token"], data) == (token, b"data")


# --- the steps and their answers ---------------------------------------------------------------


def route(request: HttpRequest, calls: list[str], *, fail: str = "") -> HttpResponse:
    flow = flow_for(request)

    def step(name: str) -> Any:
        def run(*args: Any) -> HttpResponse:
            calls.append(name)
            if name == fail:
                raise InvalidInput(f"{name} refused")
            if name == "commit":
                return flow.finish({"name": args[0]["name"]})
            return HttpResponse(name)

        return run

    return flow.route(
        upload=lambda: step("upload")(),
        preview=step("preview"),
        commit=step("commit"),
        form=step("form"),
        done=lambda result: HttpResponse(f"done {result['name']}"),
    )


def stored(org: Any) -> HttpRequest:
    request = make_request(org.users["admin"], "post")
    assert flow_for(request).receive(upload_form(b"data"), default_name="x.csv")
    return request


def test_each_step_in_its_place(org: Any) -> None:
    first = stored(org)
    calls: list[str] = []
    token = first.session[KEY]
    assert route(again(first), calls).content == b"form"
    assert route(again(first, data={"step": "preview"}), calls).content == b"preview"
    assert route(again(first, "post", {"action": "upload"}), calls).content == b"upload"
    response = route(again(first, "post", {"action": "commit", "token": token}), calls)
    assert (response.status_code, response["Location"]) == (302, URL + "?step=done")
    assert calls == ["form", "preview", "upload", "commit"]
    assert not StoredUpload.objects.exists() and KEY not in first.session
    # the summary is shown once
    assert route(again(first, data={"step": "done"}), calls).content == b"done days.csv"
    assert route(again(first, data={"step": "done"}), calls).content == b"form"


def test_without_a_file_the_preview_and_the_commit_send_back_to_the_form(org: Any) -> None:
    calls: list[str] = []
    request = make_request(org.users["admin"], data={"step": "preview"})
    post = make_request(org.users["admin"], "post", {"action": "commit", "token": "x"})
    with translation.override("en"):
        response = route(request, calls)
        assert (response.status_code, response["Location"]) == (302, URL)
        assert route(post, calls)["Location"] == URL
    assert calls == []
    assert said(request) == ["Upload the file first."]
    assert said(post) == ["This preview is no longer current. Upload the file again to import it."]


def test_a_refused_commit_keeps_the_file_and_says_why(org: Any) -> None:
    first = stored(org)
    token = first.session[KEY]
    request = again(first, "post", {"action": "commit", "token": token})
    response = route(request, [], fail="commit")
    assert (response.status_code, response["Location"]) == (302, URL + "?step=preview")
    assert said(request) == ["commit refused"]
    assert StoredUpload.objects.filter(token=token).exists()


def test_a_preview_that_can_no_longer_be_made_discards_the_file(org: Any) -> None:
    first = stored(org)
    request = again(first, data={"step": "preview"})
    response = route(request, [], fail="preview")
    assert (response.status_code, response["Location"]) == (302, URL)
    assert said(request) == ["preview refused"]
    assert not StoredUpload.objects.exists() and KEY not in first.session


def test_cancel_discards_the_file_and_says_nothing_was_written(org: Any) -> None:
    first = stored(org)
    request = again(first, "post", {"action": "cancel"})
    with translation.override("en"):
        response = route(request, [])
    assert said(request) == ["The import was cancelled; nothing was written."]
    assert (response.status_code, response["Location"]) == (302, URL)
    assert not StoredUpload.objects.exists() and KEY not in first.session


def test_render_adds_the_url_and_the_waiting_file(org: Any) -> None:
    first = stored(org)
    response = flow_for(again(first)).render(
        "core/includes/upload_form.html",
        {"form": UploadForm(), "prefix": "test", "hint": "Nothing is written yet."},
    )
    html = response.content.decode()
    assert "days.csv" in html and f'href="{URL}?step=preview"' in html
    assert 'id="test-file-help">Nothing is written yet.<' in html
    assert 'aria-describedby="test-file-help"' in html
    assert 'name="covered"' in html and 'class="form-check mb-3"' in html
