"""Upload → preview → commit: what every import page shares.

An import page is one URL in three steps. Upload: the form's file is read (refused with a clear
message when it is too large, or when the app's check cannot read it) and kept as a StoredUpload
of this user (luoshi.core.uploads); the session holds only its random token, so any app process
serves the next step. Preview: the app reads the stored file again and shows what importing it
would do; nothing is written. Commit: only with the token the preview showed, all or nothing;
then the upload is discarded. Another user's token, an unknown one and an expired one are all
NotFound, answered by "upload the file first" or "no longer current"; nothing is written.

`ImportFlow` holds those common parts for one request: the session, the token, where each step
leads, the messages that say nothing was written. Each app keeps its own forms, parsing, preview
and commit. The shared templates are core/includes/upload_form.html (the upload step),
import_actions.html (commit or cancel under a preview) and import_errors.html (why nothing can
be imported: a message and the problems by row).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import uploads
from .errors import DomainError, InvalidInput, NotFound

MB = 1024 * 1024
NAME_MAX = 100

# --- what is wrong with a file -------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with an imported file: the row (1 = the first; None: the whole file), the
    column (the layout's key of it, or ""), and the message. Every import reports its problems
    in this one shape, so pages and API answers read alike."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportInvalid(InvalidInput):
    """The file has problems; nothing was imported. `details` lists them, by row."""

    code = "import_invalid"

    def __init__(self, problems: Sequence[Any]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            ngettext(
                "The file has %(count)d problem; nothing was imported.",
                "The file has %(count)d problems; nothing was imported.",
                count,
            )
            % {"count": count},
            details=[p.as_dict() for p in self.problems],
        )


# --- the file from the form ----------------------------------------------------------------------


def file_field(
    label: Any, *, accept: str, help_id: str, autofocus: bool = True, allow_empty_file: bool = False
) -> forms.FileField:
    """The `file` field of an upload form; `help_id` names the hint under it, for screen readers."""
    attrs: dict[str, Any] = {"accept": accept, "aria-describedby": help_id, "class": "form-control"}
    if autofocus:
        attrs["autofocus"] = True
    return forms.FileField(
        label=label,
        allow_empty_file=allow_empty_file,
        widget=forms.ClearableFileInput(attrs=attrs),
    )


def clean_file_name(name: str, default: str, *, max_length: int = NAME_MAX) -> str:
    """Only the last part of a client's file name, never a path; `default` when there is none."""
    return PurePosixPath(name.replace("\\", "/")).name[:max_length] or default


def too_large_message(limit: int) -> str:
    if limit >= MB:
        return _("The file is larger than %(size)s MB. Split it into smaller files.") % {
            "size": f"{limit / MB:.0f}"
        }
    return _("The file is larger than %(kb)d KB.") % {"kb": limit // 1024}


def read_upload(file: UploadedFile, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded file; InvalidInput (`file_too_large`) above `max_bytes`
    (default LUOSHI_IMPORT_MAX_BYTES), without reading more than one byte past it."""
    limit = max_bytes if max_bytes is not None else int(settings.LUOSHI_IMPORT_MAX_BYTES)
    too_large = InvalidInput(too_large_message(limit), code="file_too_large")
    if file.size is not None and file.size > limit:
        raise too_large
    with contextlib.suppress(OSError, ValueError):
        file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return bytes(data)


# --- the steps -----------------------------------------------------------------------------------


class ImportFlow:
    """One import page's steps, for one request.

    `url` is the page's address; `session_key` keeps the upload's token (with the few values the
    app keeps beside it, see `store`); `result_key`, where there is a "done" step, the summary it
    shows. `purpose` tells this import's uploads from every other's.
    """

    def __init__(
        self,
        request: HttpRequest,
        *,
        purpose: str,
        url: str,
        session_key: str,
        result_key: str = "",
    ) -> None:
        self.request = request
        self.purpose = purpose
        self.page_url = url
        self.session_key = session_key
        self.result_key = result_key

    def url(self, step: str = "") -> str:
        return f"{self.page_url}?step={step}" if step else self.page_url

    def redirect(self, step: str = "") -> HttpResponse:
        return redirect(self.url(step))

    def render(self, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
        """A step's page, its context completed with `import_url` (for the shared templates) and,
        unless it has one, the waiting file as `pending`."""
        context = {"import_url": self.url(), **context}
        if "pending" not in context:
            context["pending"] = self.pending()
        return render(self.request, template, context, status=status)

    def route(
        self,
        *,
        upload: Callable[[], HttpResponse],
        preview: Callable[[dict[str, Any], bytes], HttpResponse],
        commit: Callable[[dict[str, Any], bytes], HttpResponse],
        form: Callable[[], HttpResponse],
        done: Callable[[dict[str, Any]], HttpResponse] | None = None,
    ) -> HttpResponse:
        """The page: POST `action` upload, commit or cancel; GET `step` preview, done, else the
        form. `preview` and `commit` are given the waiting file (see `preview` and `commit`)."""
        if self.request.method == "POST":
            action = self.request.POST.get("action", "")
            if action == "upload":
                return upload()
            if action == "commit":
                return self.commit(commit)
            if action == "cancel":
                self.forget()
                messages.info(self.request, _("The import was cancelled; nothing was written."))
            return self.redirect()
        step = self.request.GET.get("step", "")
        if step == "preview":
            return self.preview(preview)
        if step == "done" and done is not None:
            result = self.result()
            if result is not None:
                return done(result)
        return form()

    def preview(self, show: Callable[[dict[str, Any], bytes], HttpResponse]) -> HttpResponse:
        """The preview step: `show(pending, data)` for the waiting file; without one, back to the
        form ("upload the file first"). A DomainError from `show` means the file can no longer be
        imported at all (the plan changed since, say): it is discarded and the form says why."""
        try:
            pending, data = self.load()
        except NotFound:
            return self.upload_first()
        try:
            return show(pending, data)
        except DomainError as exc:
            return self.refused(exc, step="", discard=True)

    def commit(self, apply: Callable[[dict[str, Any], bytes], HttpResponse]) -> HttpResponse:
        """The commit step: `apply(pending, data)` only with the file whose preview was posted
        (else "no longer current"). A DomainError from `apply` has written nothing (the services
        are atomic): its message, back to the preview, the file kept to correct or cancel. On
        success `apply` ends with `finish` (or `forget`)."""
        try:
            pending, data = self.load_posted()
        except NotFound:
            return self.not_current()
        try:
            return apply(pending, data)
        except DomainError as exc:
            return self.refused(exc)

    # --- the stored file -------------------------------------------------------------------------

    def _state(self) -> tuple[Any, dict[str, Any]]:
        state = self.request.session.get(self.session_key)
        if isinstance(state, dict):
            extra = dict(state)
            return extra.pop("token", None), extra
        return state, {}

    def pending(self) -> dict[str, Any] | None:
        """The file waiting in this session: {"token", "name", and what `store` kept}, or None."""
        token, extra = self._state()
        try:
            info = uploads.peek(self.request.user, self.purpose, token)
        except NotFound:
            return None
        return {"token": info.token, "name": info.name, **extra}

    def store(self, name: str, data: bytes, **extra: Any) -> None:
        """Keep the file in place of any waiting one; `extra` (JSON values) stays beside it."""
        self.forget()
        token = uploads.store(self.request.user, self.purpose, name, data)
        self.request.session[self.session_key] = {"token": token, **extra} if extra else token

    def forget(self) -> None:
        """Discard this session's waiting file (one of another user's is never touched)."""
        token, _extra = self._state()
        self.request.session.pop(self.session_key, None)
        uploads.discard(self.request.user, self.purpose, token)

    def _load(self, token: Any, extra: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        name, data = uploads.load(self.request.user, self.purpose, token)
        return {"token": token, "name": name, **extra}, data

    def load(self) -> tuple[dict[str, Any], bytes]:
        """The waiting file for the preview, as `pending` says it, and its content; NotFound."""
        token, extra = self._state()
        return self._load(token, extra)

    def load_posted(self) -> tuple[dict[str, Any], bytes]:
        """As `load`, for the commit: NotFound unless the form sends the token of the preview."""
        token, extra = self._state()
        if not isinstance(token, str) or not token or self.request.POST.get("token") != token:
            raise NotFound()
        return self._load(token, extra)

    # --- what each step does in common -----------------------------------------------------------

    def receive(
        self,
        form: forms.Form,
        *,
        default_name: str,
        check: Callable[[bytes, str], object] | None = None,
        max_bytes: int | None = None,
        name_max: int = NAME_MAX,
        **extra: Any,
    ) -> bool:
        """Validate the upload form, read its `file` and keep it (with `extra`, see `store`).

        `check(data, name)` refuses what the app cannot read with a DomainError. False when the
        file was refused: the reason is on the form's `file` field, and nothing was kept.
        """
        if not form.is_valid():
            return False
        file = form.cleaned_data["file"]
        name = clean_file_name(file.name or "", default_name, max_length=name_max)
        try:
            data = read_upload(file, max_bytes=max_bytes)
            if check is not None:
                check(data, name)
        except DomainError as exc:
            form.add_error("file", str(exc.message))
            return False
        self.store(name, data, **extra)
        return True

    def upload_first(self) -> HttpResponse:
        messages.warning(self.request, _("Upload the file first."))
        return self.redirect()

    def not_current(self) -> HttpResponse:
        messages.warning(
            self.request,
            _("This preview is no longer current. Upload the file again to import it."),
        )
        return self.redirect()

    def refused(
        self, exc: DomainError, *, step: str = "preview", discard: bool = False
    ) -> HttpResponse:
        """The import refused the file and wrote nothing: say why, back to `step`. `discard`
        forgets the file too (when it can no longer be imported at all)."""
        if discard:
            self.forget()
        messages.error(self.request, str(exc.message))
        return self.redirect(step)

    def finish(self, result: dict[str, Any]) -> HttpResponse:
        """After the commit: discard the file, keep `result` for the done step and go there."""
        self.forget()
        self.request.session[self.result_key] = result
        return self.redirect("done")

    def result(self) -> dict[str, Any] | None:
        """The done step's summary, once."""
        result = self.request.session.pop(self.result_key, None) if self.result_key else None
        return result if isinstance(result, dict) else None
