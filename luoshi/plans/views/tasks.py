"""A task's pages: create, view, edit, evidence downloads; the history of adjustments as lines
a person reads."""

from __future__ import annotations

import decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core.errors import NotFound
from luoshi.core.forms import submit_form
from luoshi.orgs import selectors as org_selectors
from luoshi.orgs.models import OrgUnit, Person

from .. import permissions as perms
from ..forms.adjustments import DecideForm
from ..forms.carryover import CarryOverForm
from ..forms.closeout import NoteForm, VerifyForm
from ..forms.reports import ReportForm
from ..forms.tasks import TaskEditForm, TaskForm
from ..models import AdjustmentRequest, Indicator, Task, TaskEvent, WorkPlan
from ..panels import panels_for
from ..permissions import plans_visible
from ..rules import period_label
from ..services import tasks as task_services
from ..services.categories import task_create_classified, task_update_classified
from ..services.closeout import closeout_readiness, gap_text
from ..services.reports import next_report
from .ledger import ledger, ledger_filter_form  # noqa: F401  (urls, other modules)


@login_required
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.access_plan(request.user, pk)
    perms.require(perms.can_manage_plans(request.user) and plan.status != WorkPlan.Status.ISSUED)
    units = org_selectors.units_visible(request.user).filter(path__startswith=plan.agency.path)
    people = org_selectors.people_visible(request.user).filter(
        unit__path__startswith=plan.agency.path, is_active=True
    )
    form = TaskForm(
        request.POST or None,
        key_points=plan.key_points.all(),
        units=units,
        people=people,
        plan=plan,
        initial={"key_point": request.GET.get("key_point")},
    )

    def create(d: dict[str, Any]) -> Task:
        data = task_services.TaskIn(
            plan=plan,
            key_point=d["key_point"],
            code=d["code"],
            title=d["title"],
            lead_unit=d["lead_unit"],
            cooperating_units=list(d["cooperating_units"]),
            leader_in_charge=d["leader_in_charge"],
            responsible_person=d["responsible_person"],
            deadline=d["deadline"],
            is_key=d["is_key"],
            source=d["source"],
            goal=d["goal"],
            measures=d["measures"],
            milestones=d["milestones"],
            indicators=d["indicators"],
            sort_order=plan.tasks.count() + 1,
        )
        return task_create_classified(actor=request.user, data=data, categories=d["categories"])

    if request.method == "POST":
        ok, task = submit_form(request, form, create, _("The task was created."))
        if ok:
            return redirect("plans:task", pk=task.pk)
    return render(request, "plans/task_form.html", {"form": form, "plan": plan})


def _task_context(request: HttpRequest, task: Task) -> dict[str, Any]:
    user = request.user
    cooperating = list(task.cooperating_units.all())
    cooperating_ids = {u.pk for u in cooperating}
    is_lead = perms.is_lead_member(user, task)
    report_unit = perms.report_unit(user, task, cooperating_ids)
    events = list(task.events.select_related("actor__person")[:50])
    adjustments = list(task.adjustments.filter(status=AdjustmentRequest.Status.PENDING))
    describe_adjustments(task, adjustments, events)
    describe_facts(events)
    milestones, indicators = list(task.milestones.all()), list(task.indicators.all())
    can_carry_over = perms.can_manage_plans(user) and task.is_open and task.plan is not None
    can_report = perms.can_report(user, task, cooperating_ids)
    today = timezone.localdate()
    # Which period the report form writes, and whether it is late (one query, reporters only).
    upcoming = None
    if can_report and report_unit is not None:
        upcoming = next_report(task, report_unit, today)
    # What stands against the close-out, beside the request and the verification (no query:
    # the task's milestones and indicators are read above).
    readiness = closeout_readiness(task, today=today, milestones=milestones, indicators=indicators)
    return {
        "task": task,
        "cooperating": cooperating,
        "milestones": milestones,
        "indicators": indicators,
        "reports": task.reports.select_related("unit", "submitted_by__person").prefetch_related(
            "values__indicator"
        )[:24],
        "events": events,
        "adjustments": adjustments,
        "can_report": can_report,
        "report_unit": report_unit,
        "report_period": upcoming and period_label(task.report_cadence, upcoming.period),
        "report_due": upcoming and upcoming.due_on,
        "report_late": bool(upcoming and upcoming.late),
        "report_form": ReportForm(
            task=task, is_lead=is_lead, milestones=milestones, indicators=indicators
        ),
        "can_request_completion": perms.can_request_completion(user, task),
        "completion_form": NoteForm(initial={"version": task.version}),
        "can_verify": perms.can_verify(user, task),
        "verify_form": VerifyForm(initial={"version": task.version}, ready=readiness.ready),
        "readiness": readiness,
        "can_adjust": perms.can_request_adjustment(user, task),
        "can_decide": perms.can_decide_adjustment(user, task),
        "decide_form": DecideForm(),
        "can_edit": perms.can_edit_task(user, task),
        "panels": panels_for(user, task),
        "attachments": task.attachments.select_related("report"),
        "can_carry_over": can_carry_over,
        # The later plans are looked up only for those who may carry the task over.
        "carry_form": CarryOverForm(plans=_later_plans(user, task)) if can_carry_over else None,
        "today": today,
    }


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = perms.access_task(request.user, pk)
    return render(request, "plans/task_detail.html", _task_context(request, task))


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = perms.access_task(request.user, pk)
    perms.require(perms.can_edit_task(request.user, task))
    initial = {
        f: getattr(task, f)
        for f in [
            "title",
            "goal",
            "measures",
            "is_key",
            "report_cadence",
            "report_due_day",
            "source",
            "version",
        ]
    }
    initial["categories"] = list(task.categories.all())
    form = TaskEditForm(request.POST or None, initial=initial, task=task)

    def save(d: dict[str, Any]) -> Task:
        skip = {"version", *TaskEditForm.CLASSIFICATION}
        changes = {k: v for k, v in d.items() if k not in skip and v != getattr(task, k)}
        return task_update_classified(
            actor=request.user,
            task=task,
            version=d["version"],
            changes=changes,
            categories=d["categories"],
            source=d["source"],
        )

    if request.method == "POST":
        ok, _task = submit_form(request, form, save, _("Saved."))
        if ok:
            return redirect("plans:task", pk=task.pk)
    return render(request, "plans/task_edit.html", {"form": form, "task": task})


def _rerender(request: HttpRequest, task: Task, **overrides: Any) -> HttpResponse:
    context = _task_context(request, task)
    context.update(overrides)
    return render(request, "plans/task_detail.html", context, status=422)


def _later_plans(user: Any, task: Task) -> Any:
    if task.plan is None:
        return WorkPlan.objects.none()
    return (
        plans_visible(user)
        .filter(agency=task.plan.agency, year__gt=task.plan.year)
        .exclude(status=WorkPlan.Status.ISSUED)
    )


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    """Evidence is downloaded only by those who may see the task."""
    from django.http import FileResponse

    task = perms.access_task(request.user, pk)
    attachment = task.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


_PERSON_FIELDS = {"leader_in_charge", "responsible_person"}


_DIRECTIONS = dict(Indicator.Direction.choices)


def _shown(value: Any, names: dict[tuple[str, Any], str], kind: str = "") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if kind:
        return names.get((kind, value), str(value))
    return str(value)


def _field_kind(key: str) -> str:
    return "person" if key in _PERSON_FIELDS else "unit" if key == "lead_unit" else ""


def _target(entry: dict[str, Any]) -> str:
    number = decimal.Decimal(str(entry.get("target") or 0)).normalize()
    return f"{number:f}{entry.get('unit', '')}"


def change_lines(
    changes: dict[str, Any] | None,
    old: dict[str, Any] | None,
    names: dict[tuple[str, Any], str],
) -> list[str]:
    """A proposed or applied adjustment as readable lines (old → new where the old is known)."""
    lines: list[str] = []
    for key, value in (changes or {}).items():
        if key == "milestones":
            for op in value or ():
                was = op.get("was") or {}
                params = {
                    "title": op.get("title", ""),
                    "date": op.get("due_date", ""),
                    "old_title": was.get("title", ""),
                    "old_date": was.get("due_date", ""),
                }
                if op.get("op") == "add":
                    lines.append(_("Add milestone “%(title)s”, due %(date)s") % params)
                elif op.get("op") == "change":
                    lines.append(
                        _(
                            "Change milestone “%(old_title)s” (due %(old_date)s) "
                            "to “%(title)s” (due %(date)s)"
                        )
                        % params
                    )
                else:
                    lines.append(_("Remove milestone “%(old_title)s” (due %(old_date)s)") % params)
        elif key == "indicators":
            for op in value or ():
                was = op.get("was") or {}
                params = {
                    "name": op.get("name", ""),
                    "target": _target(op) if "target" in op else "",
                    "direction": _DIRECTIONS.get(op.get("direction", ""), ""),
                    "old_name": was.get("name", ""),
                    "old_target": _target(was) if was else "",
                    "old_direction": _DIRECTIONS.get(was.get("direction", ""), ""),
                }
                if op.get("op") == "add":
                    lines.append(
                        _("Add indicator “%(name)s”: target %(target)s, %(direction)s") % params
                    )
                elif op.get("op") == "change":
                    lines.append(
                        _(
                            "Change indicator “%(old_name)s” (target %(old_target)s, "
                            "%(old_direction)s) to “%(name)s” (target %(target)s, "
                            "%(direction)s)"
                        )
                        % params
                    )
                else:
                    lines.append(
                        _("Remove indicator “%(old_name)s” (target %(old_target)s)") % params
                    )
        else:
            try:
                label = str(getattr(Task._meta.get_field(key), "verbose_name", key))
            except FieldDoesNotExist:  # an old key no longer on the model
                label = key
            kind = _field_kind(key)
            new = _shown(value, names, kind)
            if old is not None and key in old:
                lines.append(
                    _("%(field)s: %(old)s → %(new)s")
                    % {"field": label, "old": _shown(old[key], names, kind), "new": new}
                )
            else:
                lines.append(_("%(field)s: %(new)s") % {"field": label, "new": new})
    return lines


def describe_adjustments(task: Task, adjustments: list[Any], events: list[Any]) -> None:
    """Put readable lines on pending adjustments (`.lines`: current → proposed) and on the
    adjustment entries of the history (requested: proposed; approved: before → after).
    Names of people and units are read in at most two queries, whatever the number."""

    kinds = {TaskEvent.Kind.ADJUSTMENT_REQUESTED, TaskEvent.Kind.ADJUSTMENT_APPROVED}
    dicts: list[dict[str, Any]] = [a.changes or {} for a in adjustments]
    for e in events:
        if e.kind in kinds:
            dicts += [e.after or {}, e.before or {}]
    current = {
        "lead_unit": task.lead_unit_id,
        "leader_in_charge": task.leader_in_charge_id,
        "responsible_person": task.responsible_person_id,
    }
    if not dicts:
        for e in events:
            e.lines = []
        return  # nothing to describe: no names to read
    person_ids = {v for d in [*dicts, current] for k, v in d.items() if k in _PERSON_FIELDS}
    unit_ids = {v for d in [*dicts, current] for k, v in d.items() if k == "lead_unit"}
    names: dict[tuple[str, Any], str] = {}
    person_ids.discard(None)
    unit_ids.discard(None)
    if person_ids:
        names.update(
            (("person", pk), name)
            for pk, name in Person.objects.filter(pk__in=person_ids).values_list("pk", "name")
        )
    if unit_ids:
        names.update(
            (("unit", pk), name)
            for pk, name in OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name")
        )
    now = {**audit_values(task), **current}
    for a in adjustments:
        a.lines = change_lines(a.changes, now, names)
    for e in events:
        e.lines = []
        if e.kind == TaskEvent.Kind.ADJUSTMENT_REQUESTED:
            e.lines = change_lines(e.after, None, names)
        elif e.kind == TaskEvent.Kind.ADJUSTMENT_APPROVED:
            e.lines = change_lines(e.after, e.before or {}, names)


def describe_facts(events: list[Any]) -> None:
    """Readable lines on the history's entries of issue 15 finding 3: a report that lowered the
    progress (from → to, the reason) and a close-out by override (what was outstanding)."""
    for e in events:
        after = e.after if isinstance(e.after, dict) else {}
        if e.kind == TaskEvent.Kind.REPORTED and after.get("drop_reason"):
            e.lines = [
                *getattr(e, "lines", []),
                _("Progress lowered from %(previous)s%% to %(new)s%%; reason: %(reason)s")
                % {
                    "previous": after.get("previous_percent"),
                    "new": after.get("percent"),
                    "reason": after["drop_reason"],
                },
            ]
        elif e.kind == TaskEvent.Kind.COMPLETION_ACCEPTED and after.get("override"):
            e.lines = [
                *getattr(e, "lines", []),
                _("Closed out by override, although the task was not ready:"),
                *(gap_text(gap) for gap in after.get("gaps") or []),
            ]


def audit_values(task: Task) -> dict[str, Any]:
    """The task's adjustable fields as the history stores them (plain values)."""
    return {
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "ongoing": task.ongoing,
    }
