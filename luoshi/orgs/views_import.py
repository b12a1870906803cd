"""Import and export of units and people in the layout of org-people.xlsx.

The import is three steps on one URL: upload (the file is checked and kept in the database as a
StoredUpload of this user; the session holds only its random token, so any app process can serve
the next step), preview (everything the file would create and every problem in it; nothing
written), commit (all or nothing). Only the system administrator may import; everyone else gets
not-found.
"""

from __future__ import annotations

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

from luoshi.core import uploads
from luoshi.core.errors import NotFound
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE, WorkbookError, check_xlsx, read_limited

from . import exporter, importer, selectors
from . import permissions as perms
from .forms import PeopleFilterForm, people_filter_from
from .services_import import org_people_export_record

SESSION_KEY = "orgs_import_upload"
RESULT_KEY = "orgs_import_result"
UPLOAD_PURPOSE = "org_people"
PREVIEW_ROWS = 10


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


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    """This session's uploaded file: {"token", "name"}, or None."""
    token = request.session.get(SESSION_KEY)
    try:
        info = uploads.peek(request.user, UPLOAD_PURPOSE, token)
    except NotFound:
        return None
    return {"token": info.token, "name": info.name}


def _forget(request: HttpRequest) -> None:
    token = request.session.pop(SESSION_KEY, None)
    uploads.discard(request.user, UPLOAD_PURPOSE, token)


def _store(request: HttpRequest, data: bytes, name: str) -> None:
    _forget(request)
    request.session[SESSION_KEY] = uploads.store(request.user, UPLOAD_PURPOSE, name, data)


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
    token = request.session.get(SESSION_KEY)
    try:
        name, data = uploads.load(request.user, UPLOAD_PURPOSE, token)
    except NotFound:
        messages.warning(request, _("Upload the file first."))
        return redirect(_import_url())
    plan = importer.plan_import(data, actor=request.user, file_name=name)
    context = {
        "pending": {"token": token, "name": name},
        "plan": plan,
        "units": plan.units[:PREVIEW_ROWS],
        "people": plan.people[:PREVIEW_ROWS],
        "more_units": max(0, len(plan.units) - PREVIEW_ROWS),
        "more_people": max(0, len(plan.people) - PREVIEW_ROWS),
    }
    return render(request, "orgs/import_preview.html", context)


def _commit(request: HttpRequest) -> HttpResponse:
    token = request.session.get(SESSION_KEY)
    try:
        if not token or request.POST.get("token") != token:
            raise NotFound()
        name, data = uploads.load(request.user, UPLOAD_PURPOSE, token)
    except NotFound:
        messages.warning(
            request, _("This preview is no longer current. Upload the file again to import it.")
        )
        return redirect(_import_url())
    try:
        result = importer.import_org_people(data, actor=request.user, file_name=name)
    except importer.ImportInvalid as exc:
        messages.error(request, str(exc.message))
        return redirect(_import_url("preview"))
    _forget(request)
    request.session[RESULT_KEY] = {
        "name": name,
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
    export = exporter.export_for_user(user, filters)
    file_name = exporter.export_file_name()
    org_people_export_record(
        actor=user, filters=filters, file_name=file_name, units=export.units, people=export.people
    )
    return FileResponse(
        export.file, as_attachment=True, filename=file_name, content_type=XLSX_CONTENT_TYPE
    )
