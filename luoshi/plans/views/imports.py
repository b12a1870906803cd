"""The import page of a draft plan: upload a Word outline or an Excel breakdown table, preview
what was recognised (and fix what was not), then commit all or nothing.

The three steps of luoshi.core.importflow on one URL: upload (the file is read once so that a
file the parsers cannot read is refused at once with their message, then kept as a StoredUpload
of this user; the session holds its token, per plan),
preview (every key point and task as recognised; a select of the agency's units for each task
whose lead unit is unknown or ambiguous, a date input for each time limit that was not
understood; nothing written), commit (services.imports.commit_import with the office's choices).
Only plan managers use it; the plan itself is not-found for those who cannot see it."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.core import importflow
from luoshi.core.errors import DomainError
from luoshi.core.forms import StyledFormMixin
from luoshi.documents.assignments import UnitRef
from luoshi.documents.indicators import HIGHER
from luoshi.documents.outline import ParsedPlan, ParsedTask, task_unresolved
from luoshi.orgs import selectors as org_selectors
from luoshi.orgs.models import OrgUnit

from .. import permissions as perms
from ..models import WorkPlan
from ..rules import is_past_year
from ..services.imports import ENRICH, Override, PreparedImport, commit_import, prepare_import

UPLOAD_PURPOSE = "plan_import"


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UploadForm(forms.Form):
    file = importflow.file_field(
        gettext_lazy("Work plan (.docx) or task breakdown table (.xlsx)"),
        accept=".docx,.xlsx,application/vnd.openxmlformats-officedocument."
        "wordprocessingml.document,application/vnd.openxmlformats-officedocument."
        "spreadsheetml.sheet",
        help_id="plan-import-file-help",
        allow_empty_file=True,  # the parsers say clearly that an empty file is empty
    )


def _unit_choices(units: list[OrgUnit], top_depth: int) -> list[tuple[int, str]]:
    return [(u.pk, "\u3000" * max(0, u.depth - top_depth) + u.name) for u in units]


class FixForm(StyledFormMixin, forms.Form):
    """The office's choices for what the preview did not recognise: lead-<code>, deadline-<code>."""

    compact = True

    def __init__(self, *args: Any, parsed: ParsedPlan, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        top = min((u.depth for u in units), default=0)
        everything = _unit_choices(units, top)
        names = {u.pk: u.name for u in units}
        for task in parsed.tasks():
            to_fix = {item.field for item in task_unresolved(task)}
            for item in ("lead", "deadline"):
                if item not in to_fix:
                    continue
                if item == "lead":
                    self.fields[f"lead-{task.code}"] = forms.TypedChoiceField(
                        label=_("Lead unit of task %(code)s") % {"code": task.code},
                        choices=_lead_choices(task.lead, names, everything),
                        coerce=int,
                        error_messages={"required": _("Choose the lead unit.")},
                    )
                elif item == "deadline":
                    self.fields[f"deadline-{task.code}"] = forms.DateField(
                        label=_("Deadline of task %(code)s") % {"code": task.code},
                        required=False,
                        widget=DATE,
                    )
        self.style_fields()

    def overrides(self) -> dict[str, Override]:
        fixes: dict[str, Override] = {}
        for name, value in self.cleaned_data.items():
            kind, _sep, code = name.partition("-")
            fix = fixes.setdefault(code, Override())
            if kind == "lead" and value:
                fix.lead = int(value)
            elif kind == "deadline" and value:
                fix.deadline = value
        return fixes


def _lead_choices(
    lead: UnitRef | None, names: dict[int, str], everything: list[tuple[int, str]]
) -> list[Any]:
    blank: list[Any] = [("", _("— choose a unit —"))]
    candidates = [(pk, names[pk]) for pk in (lead.ids if lead else ()) if pk in names]
    if not candidates:
        return blank + everything
    return [
        *blank,
        (_("Units called “%(name)s”") % {"name": lead.text if lead else ""}, candidates),
        (_("All units of the agency"), everything),
    ]


def _flow(request: HttpRequest, plan: WorkPlan) -> importflow.ImportFlow:
    return importflow.ImportFlow(
        request,
        purpose=UPLOAD_PURPOSE,
        url=reverse("plans:plan_import", args=[plan.pk]),
        session_key=f"plans_import_upload_{plan.pk}",
        result_key=f"plans_import_result_{plan.pk}",
    )


@login_required
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.access_plan(request.user, pk)
    perms.require(perms.can_manage_plans(request.user))
    flow = _flow(request, plan)
    if request.GET.get("step", "") == "done":
        result = flow.result()
        if result is not None:
            return render(request, "plans/plan_import_done.html", {"plan": plan, "result": result})
    if plan.status != WorkPlan.Status.DRAFT:
        messages.warning(request, _("Only a draft plan can take an import."))
        return redirect("plans:plan", pk=plan.pk)
    return flow.route(
        upload=lambda: _upload(flow, plan),
        preview=lambda pending, data: _preview(flow, plan, pending, data),
        commit=lambda pending, data: _commit(flow, plan, pending, data),
        form=lambda: _form_page(flow, plan, UploadForm()),
    )


def _form_page(
    flow: importflow.ImportFlow, plan: WorkPlan, form: UploadForm, status: int = 200
) -> HttpResponse:
    context = {
        "plan": plan,
        "form": form,
        "has_outline": plan.tasks.exists() or plan.key_points.exists(),
        "max_mb": settings.LUOSHI_IMPORT_MAX_BYTES // (1024 * 1024),
    }
    return flow.render("plans/plan_import.html", context, status=status)


def _upload(flow: importflow.ImportFlow, plan: WorkPlan) -> HttpResponse:
    form = UploadForm(flow.request.POST, flow.request.FILES)
    received = flow.receive(
        form,
        default_name="upload.docx",
        # refuse what cannot be read now, with the parsers' message
        check=lambda data, name: prepare_import(plan, data, name),
    )
    if not received:
        return _form_page(flow, plan, form, status=422)
    return flow.redirect("preview")


def _preview(
    flow: importflow.ImportFlow, plan: WorkPlan, pending: dict[str, Any], data: bytes
) -> HttpResponse:
    # a DomainError here (the plan changed since the upload) discards the file: see importflow
    prepared = prepare_import(plan, data, pending["name"])
    form = _fix_form(flow.request, plan, prepared)
    return _preview_page(flow, plan, prepared, pending, form)


def _fix_form(
    request: HttpRequest, plan: WorkPlan, prepared: PreparedImport, data: Any = None
) -> FixForm | None:
    if prepared.parsed is None:
        return None
    units = list(
        org_selectors.units_visible(request.user)
        .filter(path__startswith=plan.agency.path, is_active=True)
        .order_by("path")
    )
    return FixForm(data, parsed=prepared.parsed, units=units)


def _preview_page(
    flow: importflow.ImportFlow,
    plan: WorkPlan,
    prepared: PreparedImport,
    pending: dict[str, Any],
    form: FixForm | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "plan": plan,
        "pending": pending,
        "prepared": prepared,
        "form": form,
        "error": error,
        "confirm_mismatch": _confirmed(flow.request),
        "archive": plan.archived or is_past_year(plan.year, timezone.localdate()),
    }
    if prepared.kind == ENRICH:
        context["enrichment"] = prepared.enrichment
        return flow.render("plans/plan_import_enrich.html", context, status=status)
    assert prepared.parsed is not None and form is not None
    unit_names = dict(
        OrgUnit.objects.filter(path__startswith=plan.agency.path).values_list("pk", "name")
    )
    context.update(_outline_preview(prepared.parsed, form, unit_names))
    return flow.render("plans/plan_import_preview.html", context, status=status)


def _confirmed(request: HttpRequest) -> bool:
    """The preview's checkbox: the user confirms a document whose heading does not fit."""
    return request.method == "POST" and request.POST.get("confirm_mismatch") == "1"


def _commit(
    flow: importflow.ImportFlow, plan: WorkPlan, pending: dict[str, Any], data: bytes
) -> HttpResponse:
    try:
        prepared = prepare_import(plan, data, pending["name"])
    except DomainError as exc:  # the plan changed since the preview
        return flow.refused(exc, step="", discard=True)
    form = _fix_form(flow.request, plan, prepared, flow.request.POST)
    if form is not None and not form.is_valid():
        return _preview_page(flow, plan, prepared, pending, form, status=422)
    name = pending["name"]
    try:
        outcome = commit_import(
            actor=flow.request.user,
            plan=plan,
            prepared=prepared,
            overrides=form.overrides() if form is not None else None,
            source={"file": name, "sha256": hashlib.sha256(data).hexdigest()},
            confirm_mismatch=_confirmed(flow.request),
        )
    except DomainError as exc:
        if form is not None:
            for detail in exc.details:
                field = f"{detail.get('field')}-{detail.get('code')}"
                if field in form.fields:
                    form.add_error(field, str(detail.get("message", "")))
        return _preview_page(
            flow, plan, prepared, pending, form, error=str(exc.message), status=422
        )
    return flow.finish({**outcome.summary(), "name": name})


def _unit_cell(ref: UnitRef, names: dict[int, str]) -> dict[str, Any]:
    """A cooperating unit as the preview shows it: its name, or why it is left out."""
    if ref.every:
        return {"text": ref.text, "name": "", "every": True, "ok": True}
    if ref.resolved:
        return {"text": ref.text, "name": names.get(ref.ids[0], ref.text), "ok": True}
    message = (
        _("“%(name)s” matches several units; it is left out.")
        if ref.ambiguous
        else _("No unit called “%(name)s” was found; it is left out.")
    ) % {"name": ref.text}
    return {"text": ref.text, "name": "", "ok": False, "message": message}


def _bound(form: FixForm, name: str) -> Any:
    return form[name] if name in form.fields else None


def _task_row(task: ParsedTask, form: FixForm, names: dict[int, str]) -> dict[str, Any]:
    unresolved = task_unresolved(task)
    messages_by_field = {u.field: u.message for u in unresolved}
    lead_field = _bound(form, f"lead-{task.code}")
    deadline_field = _bound(form, f"deadline-{task.code}")
    deadline = task.deadline
    milestones = []
    for m in task.milestones:
        left_out = ""
        if m.due is None:
            left_out = m.problem or _("No date was recognised; it is left out.")
        elif deadline.date and m.due > deadline.date:
            left_out = _("Due after the task's deadline; it is left out.")
        milestones.append({"title": m.title, "due": m.due, "text": m.text, "problem": left_out})
    cooperating = [_unit_cell(ref, names) for ref in task.cooperating]
    shown = {u.message for u in unresolved}
    return {
        "task": task,
        "lead_name": names.get(task.lead_id, "") if task.lead_id is not None else "",
        "lead_field": lead_field,
        "lead_message": messages_by_field.get("lead", ""),
        "cooperating": cooperating,
        "deadline": deadline,
        "deadline_field": deadline_field,
        "deadline_message": messages_by_field.get("deadline", ""),
        "indicators": [
            {
                "name": i.name,
                "target": f"{i.target.normalize():f}",
                "unit": i.unit,
                "higher": i.direction == HIGHER,
            }
            for i in task.indicators
        ],
        "milestones": milestones,
        "cooperating_attention": any(not c["ok"] for c in cooperating),
        "milestones_attention": any(m["problem"] for m in milestones),
        "problems": [p for p in task.problems if p not in shown],
        "attention": bool(unresolved) or any(m["problem"] for m in milestones),
    }


def _outline_preview(parsed: ParsedPlan, form: FixForm, names: dict[int, str]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for kp in parsed.key_points:
        kp_rows = [_task_row(t, form, names) for t in kp.tasks]
        blocks.append({"level": 1, "label": kp.label, "title": kp.title, "rows": kp_rows})
        rows.extend(kp_rows)
        for section in kp.sections:
            section_rows = [_task_row(t, form, names) for t in section.tasks]
            blocks.append(
                {"level": 2, "label": section.label, "title": section.title, "rows": section_rows}
            )
            rows.extend(section_rows)
    first_field = next(iter(form.fields), None)
    if first_field is not None:
        form.fields[first_field].widget.attrs["autofocus"] = True
    return {
        "parsed": parsed,
        "blocks": blocks,
        "task_count": len(rows),
        "section_count": sum(len(kp.sections) for kp in parsed.key_points),
        "attention_count": len([r for r in rows if r["attention"]]),
        "lead_count": len([r for r in rows if r["lead_field"] is not None]),
        "deadline_count": len([r for r in rows if r["deadline_field"] is not None]),
    }
