"""Import and export of units and people in the layout of org-people.xlsx.

The import is the three steps of luoshi.core.importflow on one URL: upload (the file is checked
as an xlsx and kept as a StoredUpload of this user), preview (everything the file would create and
every problem in it; nothing written), commit (all or nothing). Only the system administrator may
import; everyone else gets not-found.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from luoshi.core import importflow
from luoshi.core.errors import NotFound
from luoshi.documents.exporters import export_record, export_response
from luoshi.documents.xlsx import check_xlsx

from .. import exports, imports, selectors, workbook
from .. import permissions as perms
from ..forms import PeopleFilterForm, people_filter_from

SESSION_KEY = "orgs_import_upload"
RESULT_KEY = "orgs_import_result"
UPLOAD_PURPOSE = "org_people"
PREVIEW_ROWS = 10


class UploadForm(forms.Form):
    file = importflow.file_field(
        gettext_lazy("Workbook (.xlsx)"),
        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        help_id="import-file-help",
    )


# --- pages ----------------------------------------------------------------------------------------


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not perms.can_import_org_people(request.user):
        raise NotFound()
    flow = importflow.ImportFlow(
        request,
        purpose=UPLOAD_PURPOSE,
        url=reverse("orgs:import"),
        session_key=SESSION_KEY,
        result_key=RESULT_KEY,
    )
    return flow.route(
        upload=lambda: _upload(flow),
        preview=lambda pending, data: _preview(flow, pending, data),
        commit=lambda pending, data: _commit(flow, pending, data),
        form=lambda: _form_page(flow, UploadForm()),
        done=lambda result: render(request, "orgs/import_done.html", {"result": result}),
    )


def _form_page(flow: importflow.ImportFlow, form: UploadForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "max_mb": settings.LUOSHI_IMPORT_MAX_BYTES // (1024 * 1024),
        "unit_sheet": workbook.UNIT_SHEET,
        "people_sheet": workbook.PEOPLE_SHEET,
        "unit_headers": [c.header for c in workbook.UNIT_COLUMNS],
        "people_headers": [c.header for c in workbook.PEOPLE_COLUMNS],
    }
    return flow.render("orgs/import.html", context, status=status)


def _upload(flow: importflow.ImportFlow) -> HttpResponse:
    form = UploadForm(flow.request.POST, flow.request.FILES)
    if not flow.receive(
        form, default_name="upload.xlsx", check=lambda data, _name: check_xlsx(data)
    ):
        return _form_page(flow, form, status=422)
    return flow.redirect("preview")


def _preview(flow: importflow.ImportFlow, pending: dict[str, Any], data: bytes) -> HttpResponse:
    plan = workbook.plan_import(data, actor=flow.request.user, file_name=pending["name"])
    context = {
        "pending": pending,
        "plan": plan,
        "units": plan.units[:PREVIEW_ROWS],
        "people": plan.people[:PREVIEW_ROWS],
        "more_units": max(0, len(plan.units) - PREVIEW_ROWS),
        "more_people": max(0, len(plan.people) - PREVIEW_ROWS),
    }
    return flow.render("orgs/import_preview.html", context)


def _commit(flow: importflow.ImportFlow, pending: dict[str, Any], data: bytes) -> HttpResponse:
    name = pending["name"]
    result = imports.import_org_people(data, actor=flow.request.user, file_name=name)
    return flow.finish({"name": name, "units": result.units, "people": result.people})


# --- export ---------------------------------------------------------------------------------------


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The visible units and people as an xlsx, narrowed by the people list's filters."""
    user = request.user
    if not perms.can_see_org(user):
        raise NotFound()
    units = list(selectors.units_visible(user).order_by("path"))
    filters = people_filter_from(PeopleFilterForm(request.GET or None, units=units))
    export = exports.OrgPeopleXlsx(user, filters).render()
    export_record(actor=user, export=export)
    return export_response(export)
