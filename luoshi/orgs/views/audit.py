"""The audit log's pages (core's log, read with orgs' roles): for the audit administrator only.

Everyone else — the system administrator included (三员 separation) — gets the not-found page.
Reading the log is itself recorded ("audit.view", "audit.export"), with the filters used.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any, cast

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from luoshi.core import audit, selectors, services
from luoshi.core.errors import NotFound
from luoshi.core.models import AuditEntry
from luoshi.core.paging import paginate

from ..permissions import can_read_audit

PAGE_SIZE = 50
EXPORT_BATCH = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def object_type_label(code: str) -> str:
    """The model's translated name for an object type like "orgs.person"; else the code."""
    model = _model(code)
    return capfirst(str(model._meta.verbose_name)) if model is not None else code


# --- filters ----------------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("Actor"), required=False, max_length=150)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    object_type = forms.ChoiceField(label=gettext_lazy("Object type"), required=False)
    since = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(label=gettext_lazy("Object contains"), required=False, max_length=255)

    def __init__(self, *args: Any, actions: list[str], object_types: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        everything = ("", gettext_lazy("All"))
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            everything,
            *((code, audit.action_label(code)) for code in actions),
        ]
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [
            everything,
            *((code, object_type_label(code)) for code in object_types),
        ]

    def to_filter(self) -> selectors.AuditFilter:
        """The valid filters; an invalid one is shown with its error and left out."""
        self.is_valid()
        data = self.cleaned_data
        return selectors.AuditFilter(
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            since=data.get("since"),
            until=data.get("until"),
            q=data.get("q") or "",
        )


def _filter_form(request: HttpRequest) -> AuditFilterForm:
    return AuditFilterForm(
        request.GET,
        actions=selectors.audit_actions(can_read=True),
        object_types=selectors.audit_object_types(can_read=True),
    )


# --- the page ---------------------------------------------------------------------------------


def _display(value: Any, limit: int = 300) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# What a person reads for the keys entries record beside a model's own fields (the model's
# fields are named by their verbose names; a key in neither is shown as it is)
KEY_LABELS: dict[str, Any] = {
    "reason": gettext_lazy("reason"),
    "note": gettext_lazy("note"),
    "status": gettext_lazy("status"),
    "name": gettext_lazy("name"),
    "kind": gettext_lazy("kind"),
    "year": gettext_lazy("year"),
    "month": gettext_lazy("month"),
    "period": gettext_lazy("period"),
    "unit": gettext_lazy("unit"),
    "person": gettext_lazy("person"),
    "people": gettext_lazy("people"),
    "task": gettext_lazy("task"),
    "plan": gettext_lazy("work plan"),
    "deadline": gettext_lazy("deadline"),
    "role": gettext_lazy("role"),
    "scope": gettext_lazy("data scope"),
    "mobile": gettext_lazy("mobile"),
    "username": gettext_lazy("Username"),
    "language": gettext_lazy("language"),
    "parent": gettext_lazy("parent unit"),
    "head": gettext_lazy("head"),
    "channel": gettext_lazy("channel"),
    "step": gettext_lazy("step"),
    "size": gettext_lazy("size"),
    "score": gettext_lazy("Score"),
    "answer": gettext_lazy("answer"),
    "number": gettext_lazy("number"),
    "voters": gettext_lazy("voters"),
    "candidates": gettext_lazy("candidates"),
    "ballots": gettext_lazy("ballots"),
    "grades": gettext_lazy("Grades"),
    "rows": gettext_lazy("Rows"),
    "is_active": gettext_lazy("active"),
    "from": gettext_lazy("original"),  # an extension's deadline before
    "to": gettext_lazy("new deadline"),  # and after
    "on": gettext_lazy("date"),
    "what": gettext_lazy("object"),
    "request": gettext_lazy("Request"),
    "filters": gettext_lazy("filters"),
    "page": gettext_lazy("page"),
    "as": gettext_lazy("format"),
    "codes": gettext_lazy("ballot codes"),
    "publicity_start": gettext_lazy("publicity starts"),
    "publicity_end": gettext_lazy("publicity ends"),
}


def _model(code: str) -> type[models.Model] | None:
    try:
        # a stored "app_label.model" code names any installed model: a look-up, not a dependency
        return apps.get_model(code)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> Any:
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _key_label(field: Any, key: str) -> str:
    if field is not None and getattr(field, "verbose_name", None):
        return capfirst(str(field.verbose_name))
    label = KEY_LABELS.get(key)
    return capfirst(str(label)) if label is not None else key


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    has_before: bool
    has_after: bool


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    changes: list[Change]
    summary: str
    object_type: str  # the translated name of the entry's object type


class _Values:
    """Shows recorded values as a person reads them: a choice's label for its code, the related
    record's name for a foreign key's id (one query per related model and page)."""

    def __init__(self, entries: Iterable[AuditEntry]) -> None:
        wanted: dict[type[models.Model], set[Any]] = {}
        for entry in entries:
            model = _model(entry.object_type) if entry.object_type else None
            for data in (entry.before, entry.after):
                if not isinstance(data, dict):
                    continue
                for key, value in data.items():
                    field = _field(model, key)
                    if field is not None and field.many_to_one and isinstance(value, int | str):
                        wanted.setdefault(field.related_model, set()).add(value)
        self.related: dict[type[models.Model], dict[Any, str]] = {}
        for related, pks in wanted.items():
            # the related record's own foreign keys joined: its name often reads one of them
            joined = [f.name for f in related._meta.concrete_fields if f.many_to_one]
            rows = related._default_manager.select_related(*joined)
            found = rows.in_bulk([pk for pk in pks if str(pk).isdigit()])
            self.related[related] = {str(pk): str(obj) for pk, obj in found.items()}

    def show(self, field: Any, value: Any) -> str:
        if field is not None and value is not None:
            if field.many_to_one:
                name = self.related.get(field.related_model, {}).get(str(value))
                return name if name is not None else _display(value)
            choices = getattr(field, "flatchoices", None)
            if choices:
                labels = {str(code): label for code, label in choices}
                if isinstance(value, list):
                    return "、".join(str(labels.get(str(v), v)) for v in value)
                if str(value) in labels:
                    return str(labels[str(value)])
        return _display(value)


def _row(entry: AuditEntry, values: _Values) -> Row:
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    keys = list(after) + [k for k in before if k not in after]
    model = _model(entry.object_type) if entry.object_type else None
    fields = {key: _field(model, key) for key in keys}
    labels = [_key_label(fields[key], key) for key in keys]
    changes = [
        Change(
            field=label,
            before=values.show(fields[key], before.get(key)),
            after=values.show(fields[key], after.get(key)),
            has_before=key in before,
            has_after=key in after,
        )
        for key, label in zip(keys, labels, strict=True)
    ]
    summary = _(", ").join(labels[:3]) + (f" +{len(keys) - 3}" if len(keys) > 3 else "")
    return Row(
        entry=entry,
        changes=changes,
        summary=summary,
        object_type=object_type_label(entry.object_type) if entry.object_type else "",
    )


def rows_for(entries: list[AuditEntry]) -> list[Row]:
    values = _Values(entries)
    return [_row(entry, values) for entry in entries]


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not can_read_audit(request.user):
        raise NotFound()
    form = _filter_form(request)
    f = form.to_filter()
    page = paginate(request, selectors.audit_entries(can_read=True, f=f), PAGE_SIZE)
    rows = rows_for(list(page.object_list))  # read before this reading is recorded
    services.audit_log_viewed(actor=request.user, filters=f.as_dict(), page=page.number)
    return render(
        request,
        "core/audit.html",
        {"form": form, "page_obj": page, "rows": rows, "filters": f.as_dict()},
    )


# --- the export -------------------------------------------------------------------------------


def _xlsx_cell(ws: Any, value: Any) -> Any:
    """A write-only cell holding `value` as data: text stays text (no formulas from '=...')."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32000]  # Excel holds 32,767 per cell
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _json_text(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def write_audit_xlsx(batches: Iterable[list[AuditEntry]], out: IO[bytes]) -> int:
    """Write the entries to `out` as an xlsx workbook; return the number of rows written.

    openpyxl's write-only mode streams rows to a temporary file, so memory stays constant
    however many batches come in.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_("Audit log")[:31])
    ws.freeze_panes = "A2"
    headers = [
        _("No."),
        _("Time"),
        _("Actor"),
        _("Client address"),
        _("Action"),
        _("Object type"),
        _("Object ID"),
        _("Object"),
        _("Before"),
        _("After"),
        _("Hash"),
        _("Previous hash"),
    ]
    widths = [8, 20, 14, 16, 24, 20, 10, 30, 40, 40, 18, 18]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.append([_xlsx_cell(ws, h) for h in headers])
    count = 0
    for batch in batches:
        for e in batch:
            at = timezone.localtime(e.at).replace(tzinfo=None)
            cells = [
                _xlsx_cell(ws, e.id),
                _xlsx_cell(ws, at),
                _xlsx_cell(ws, e.actor_name),
                _xlsx_cell(ws, e.client_ip or ""),
                _xlsx_cell(ws, e.action),
                _xlsx_cell(ws, e.object_type),
                _xlsx_cell(ws, e.object_id),
                _xlsx_cell(ws, e.object_repr),
                _xlsx_cell(ws, _json_text(e.before)),
                _xlsx_cell(ws, _json_text(e.after)),
                _xlsx_cell(ws, e.hash),
                _xlsx_cell(ws, e.prev_hash),
            ]
            cells[1].number_format = "yyyy-mm-dd hh:mm:ss"
            ws.append(cells)
            count += 1
    wb.save(out)
    return count


@login_required
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    if not can_read_audit(request.user):
        raise NotFound()
    f = _filter_form(request).to_filter()
    qs = selectors.audit_entries(can_read=True, f=f)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    rows = write_audit_xlsx(audit.iter_batches(qs, newest_first=True, batch=EXPORT_BATCH), out)
    out.seek(0)
    services.audit_log_viewed(actor=request.user, filters=f.as_dict(), exported=True, rows=rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return FileResponse(
        out, as_attachment=True, filename=f"audit-log-{stamp}.xlsx", content_type=XLSX_TYPE
    )
