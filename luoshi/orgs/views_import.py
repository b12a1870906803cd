"""Import and export of units and people in the layout of org-people.xlsx.

The import is three steps on one URL: upload (the file is checked and kept under
VAR_DIR/uploads with a random name that only this session knows), preview (everything the file
would create and every problem in it; nothing written), commit (all or nothing). Only the system
administrator may import; everyone else gets not-found.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.core.errors import NotFound
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE, WorkbookError, check_xlsx, read_limited

from . import exporter, importer, selectors
from . import permissions as perms
from .forms import PeopleFilterForm, people_filter_from

SESSION_KEY = "orgs_import_upload"
RESULT_KEY = "orgs_import_result"
PREVIEW_ROWS = 10
UPLOAD_MAX_AGE = dt.timedelta(hours=24)
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "autofocus": True,
                "aria-describedby": "import-file-help",
                "class": "form-control",
            }
        ),
    )


# --- the uploaded file, kept between preview and commit ------------------------------------------


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _upload_path(token: str) -> Path:
    if not _TOKEN.match(token):
        raise NotFound()
    return _upload_dir() / f"orgs-import-{token}.xlsx"


def _sweep_old_uploads() -> None:
    """Remove uploads nobody committed or cancelled within a day."""
    limit = time.time() - UPLOAD_MAX_AGE.total_seconds()
    for stale in _upload_dir().glob("orgs-import-*.xlsx"):
        try:
            if stale.stat().st_mtime < limit:
                stale.unlink(missing_ok=True)
        except OSError:
            continue


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    """This session's uploaded file: {"token", "name", "path"}, or None."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or not _TOKEN.match(str(data.get("token", ""))):
        return None
    path = _upload_path(data["token"])
    if not path.is_file():
        return None
    return {"token": data["token"], "name": str(data.get("name", "")), "path": path}


def _forget(request: HttpRequest) -> None:
    data = request.session.pop(SESSION_KEY, None)
    if isinstance(data, dict) and _TOKEN.match(str(data.get("token", ""))):
        _upload_path(data["token"]).unlink(missing_ok=True)


def _store(request: HttpRequest, data: bytes, name: str) -> None:
    _forget(request)
    _sweep_old_uploads()
    token = secrets.token_hex(16)
    path = _upload_path(token)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    request.session[SESSION_KEY] = {"token": token, "name": name}


# --- pages ----------------------------------------------------------------------------------------


def _import_url(step: str = "") -> str:
    url = reverse("orgs:import")
    return f"{url}?step={step}" if step else url


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not perms.can_import_org_people(request.user):
        raise NotFound()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "upload":
            return _upload(request)
        if action == "commit":
            return _commit(request)
        if action == "cancel":
            _forget(request)
            messages.info(request, _("The import was cancelled; nothing was written."))
        return redirect(_import_url())
    step = request.GET.get("step", "")
    if step == "preview":
        return _preview(request)
    if step == "done":
        result = request.session.pop(RESULT_KEY, None)
        if isinstance(result, dict):
            return render(request, "orgs/import_done.html", {"result": result})
    return _form_page(request, UploadForm())


def _form_page(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "pending": _pending(request),
        "max_mb": settings.LUOSHI_IMPORT_MAX_BYTES // (1024 * 1024),
        "unit_sheet": importer.UNIT_SHEET,
        "people_sheet": importer.PEOPLE_SHEET,
        "unit_headers": [c.header for c in importer.UNIT_COLUMNS],
        "people_headers": [c.header for c in importer.PEOPLE_COLUMNS],
    }
    return render(request, "orgs/import.html", context, status=status)


def _upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form, status=422)
    upload = form.cleaned_data["file"]
    try:
        data = read_limited(upload)
        check_xlsx(data)
    except WorkbookError as exc:
        form.add_error("file", str(exc.message))
        return _form_page(request, form, status=422)
    _store(request, data, importer.clean_file_name(upload.name or "") or "upload.xlsx")
    return redirect(_import_url("preview"))


def _preview(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        messages.warning(request, _("Upload the file first."))
        return redirect(_import_url())
    plan = importer.plan_import(pending["path"], actor=request.user, file_name=pending["name"])
    context = {
        "pending": pending,
        "plan": plan,
        "units": plan.units[:PREVIEW_ROWS],
        "people": plan.people[:PREVIEW_ROWS],
        "more_units": max(0, len(plan.units) - PREVIEW_ROWS),
        "more_people": max(0, len(plan.people) - PREVIEW_ROWS),
    }
    return render(request, "orgs/import_preview.html", context)


def _commit(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None or request.POST.get("token") != pending["token"]:
        messages.warning(
            request, _("This preview is no longer current. Upload the file again to import it.")
        )
        return redirect(_import_url())
    try:
        result = importer.import_org_people(
            pending["path"], actor=request.user, file_name=pending["name"]
        )
    except importer.ImportInvalid as exc:
        messages.error(request, str(exc.message))
        return redirect(_import_url("preview"))
    _forget(request)
    request.session[RESULT_KEY] = {
        "name": pending["name"],
        "units": result.units,
        "people": result.people,
    }
    return redirect(_import_url("done"))


# --- export ---------------------------------------------------------------------------------------


@login_required
def export_xlsx(request: HttpRequest) -> StreamingHttpResponse:
    """The visible units and people as an xlsx, narrowed by the people list's filters."""
    user = request.user
    if not perms.can_see_org(user):
        raise NotFound()
    units = list(selectors.units_visible(user).order_by("path"))
    filters = people_filter_from(PeopleFilterForm(request.GET or None, units=units))
    handle = exporter.export_for_user(user, filters)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=exporter.export_file_name(),
        content_type=XLSX_CONTENT_TYPE,
    )
