"""The figures a summary cites, computed from the year's data.

A figure is named by its source — model label, id and field, with the parameters of its
computation — and computes to a value (what staleness is judged by) and a text (what the prose
prints). `compute(refs, as_of)` answers many figures at once, one query per kind of source, so
that the drafting and the stale check of a summary read each table once.

Sources and fields:
- plans.task: status, progress, light (the task's own fields).
- plans.indicator: target, actual, completion_rate (actual / target, rules.completion_rate),
  change (params {"previous": id of last year's matching indicator}: rules.change_text).
- orgs.orgunit (the unit's year; params {"year", "agency"}): tasks_total, tasks_completed
  (lead tasks of the agency's plan of that year), reports_owed, reports_on_time (see
  `report_counts`), supervision_total, supervision_closed, supervision_on_time,
  supervision_overdue (items led by the unit registered that year; overdue: closed late, or
  open past the deadline on the as-of day), honours (honours of the unit or of its people that
  year, not revoked).
- honors.honour: title (value: the title, or "revoked").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from luoshi.honors.models import Honour
from luoshi.plans import rules as plan_rules
from luoshi.plans.models import Indicator, ProgressReport, Task, WorkPlan
from luoshi.supervision.models import SupervisionItem

from . import rules

TASK, INDICATOR, UNIT, HONOUR = "plans.task", "plans.indicator", "orgs.orgunit", "honors.honour"


@dataclass(frozen=True)
class Ref:
    source_model: str
    source_id: int
    source_field: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, model: str, pk: int, name: str, **params: Any) -> Ref:
        return cls(model, int(pk), name, tuple(sorted(params.items())))

    @property
    def param_dict(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True)
class Figure:
    value: str
    text: str


MISSING = Figure("missing", "（数据已删除）")


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def as_of_for(year: int, today: dt.date) -> dt.date:
    """The day a year's figures are taken on: today, or the year's last day once it is past."""
    return min(today, year_end(year))


def unit_tasks(agency_id: int, year: int, unit_id: int) -> Any:
    return Task.objects.filter(plan__agency_id=agency_id, plan__year=year, lead_unit_id=unit_id)


# --- reports owed and on time ------------------------------------------------------------------


def _owed_periods(task: Task, year: int, as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(period, due date) of the lead unit's reports the task owed in `year` up to `as_of`: no
    period before its start or after its deadline (plans.rules.period_owed), none once it was
    completed before the period ended, none for a draft, cancelled or archived plan's task,
    only those whose due date passed before `as_of`."""
    cadence = task.report_cadence
    if cadence not in plan_rules.PERIODIC_CADENCES or task.start_date is None:
        return []
    if task.status in (Task.Status.DRAFT, Task.Status.CANCELLED):
        return []
    out = []
    period = plan_rules.report_period(cadence, max(task.start_date, dt.date(year, 1, 1)))
    last = min(year_end(year), task.deadline or year_end(year))
    while period <= last:
        end = plan_rules.period_end(cadence, period)
        if task.completed_on is not None and task.completed_on <= end:
            break
        due = plan_rules.report_due_date(cadence, period, task.report_due_day)
        if due >= as_of:
            break
        if plan_rules.period_owed(cadence, period, task.start_date, task.deadline):
            out.append((period, due))
        period = plan_rules.next_period(cadence, period)
    return out


def report_counts(agency_id: int, year: int, unit_id: int, as_of: dt.date) -> tuple[int, int]:
    """(owed, on time): the lead unit's periodic reports of its tasks in the year's plan whose
    due day passed by `as_of`, and how many of those came in by their due day."""
    tasks = list(unit_tasks(agency_id, year, unit_id).exclude(plan__archived=True))
    owed = {t.pk: _owed_periods(t, year, as_of) for t in tasks}
    reports = ProgressReport.objects.filter(
        task_id__in=[pk for pk, periods in owed.items() if periods], unit_id=unit_id
    ).values_list("task_id", "period", "submitted_at")
    submitted = {(t, p): at for t, p, at in reports}
    total = on_time = 0
    for pk, periods in owed.items():
        for period, due in periods:
            total += 1
            at = submitted.get((pk, period))
            if at is not None and at.date() <= due:
                on_time += 1
    return total, on_time


# --- computing figures -------------------------------------------------------------------------


def _unit_figures(ref: Ref, as_of: dt.date, memo: dict[Any, Any]) -> Figure:
    p = ref.param_dict
    year, agency, unit = int(p["year"]), int(p["agency"]), ref.source_id
    name = ref.source_field
    if name in ("tasks_total", "tasks_completed"):
        key = ("tasks", agency, year, unit)
        if key not in memo:
            qs = unit_tasks(agency, year, unit).exclude(status=Task.Status.CANCELLED)
            memo[key] = (qs.count(), qs.filter(status=Task.Status.COMPLETED).count())
        n = memo[key][0 if name == "tasks_total" else 1]
    elif name in ("reports_owed", "reports_on_time"):
        key = ("reports", agency, year, unit)
        if key not in memo:
            memo[key] = report_counts(agency, year, unit, as_of)
        n = memo[key][0 if name == "reports_owed" else 1]
    elif name.startswith("supervision_"):
        key = ("supervision", agency, year, unit)
        if key not in memo:
            items = list(
                SupervisionItem.objects.filter(
                    agency_id=agency, year=year, lead_unit_id=unit
                ).values_list("status", "closed_on_time", "deadline")
            )
            closed = [i for i in items if i[0] == SupervisionItem.Status.CLOSED]
            open_late = [
                i
                for i in items
                if i[0]
                not in (
                    SupervisionItem.Status.CLOSED,
                    SupervisionItem.Status.SUSPENDED,
                    SupervisionItem.Status.REGISTERED,
                )
                and i[2] is not None
                and i[2] < as_of
            ]
            memo[key] = {
                "supervision_total": len(items),
                "supervision_closed": len(closed),
                "supervision_on_time": sum(1 for i in closed if i[1] is True),
                "supervision_overdue": sum(1 for i in closed if i[1] is False) + len(open_late),
            }
        n = memo[key][name]
    elif name == "honours":
        key = ("honours", agency, year, unit)
        if key not in memo:
            memo[key] = unit_honours(agency, year, unit).count()
        n = memo[key]
    else:
        return MISSING
    suffix = "次" if name.startswith("reports") else "项"
    return Figure(str(n), f"{n}{suffix}")


def unit_honours(agency_id: int, year: int, unit_id: int) -> Any:
    return Honour.objects.filter(
        agency_id=agency_id, year=year, unit_id=unit_id, revoked=False
    ).order_by("awarded_on", "id")


def _task_figure(task: Task, name: str) -> Figure:
    if name == "status":
        return Figure(task.status, rules.STATUS_WORDS.get(task.status, task.status))
    if name == "progress":
        return Figure(str(task.progress), f"{task.progress}%")
    if name == "light":
        return Figure(task.light, rules.LIGHT_WORDS.get(task.light, task.light))
    return MISSING


def _amount(value: Any, unit: str) -> str:
    return f"{rules.number_text(value)}{unit}" if value is not None else "暂无数据"


def _indicator_figure(ind: Indicator, ref: Ref, previous: dict[int, Indicator]) -> Figure:
    name = ref.source_field
    if name == "target":
        return Figure(rules.number_text(ind.target), _amount(ind.target, ind.unit))
    if name == "actual":
        return Figure(rules.number_text(ind.actual), _amount(ind.actual, ind.unit))
    if name == "completion_rate":
        rate = rules.completion_rate(ind.target, ind.actual, ind.direction)
        return Figure(rules.number_text(rate), f"{rules.number_text(rate)}%" if rate else "—")
    if name == "change":
        prev = previous.get(int(ref.param_dict.get("previous", 0)))
        if prev is None:
            return MISSING
        text = rules.change_text(prev.actual, ind.actual, ind.unit)
        value = f"{rules.number_text(prev.actual)}→{rules.number_text(ind.actual)}"
        return Figure(value, text or "—")
    return MISSING


def compute(refs: Iterable[Ref], as_of: dt.date) -> dict[Ref, Figure]:
    """The current figure of each ref (MISSING for a source that no longer exists)."""
    refs = list(dict.fromkeys(refs))
    by_model: dict[str, set[int]] = {}
    for r in refs:
        by_model.setdefault(r.source_model, set()).add(r.source_id)
        if r.source_model == INDICATOR and r.source_field == "change":
            by_model.setdefault("previous", set()).add(int(r.param_dict.get("previous", 0)))
    tasks = Task.objects.in_bulk(sorted(by_model.get(TASK, ())))
    indicators = Indicator.objects.in_bulk(sorted(by_model.get(INDICATOR, ())))
    previous = Indicator.objects.in_bulk(sorted(by_model.get("previous", ())))
    honours = Honour.objects.in_bulk(sorted(by_model.get(HONOUR, ())))
    memo: dict[Any, Any] = {}
    out: dict[Ref, Figure] = {}
    for r in refs:
        if r.source_model == TASK:
            task = tasks.get(r.source_id)
            out[r] = _task_figure(task, r.source_field) if task else MISSING
        elif r.source_model == INDICATOR:
            ind = indicators.get(r.source_id)
            out[r] = _indicator_figure(ind, r, previous) if ind else MISSING
        elif r.source_model == HONOUR:
            h = honours.get(r.source_id)
            if h is None:
                out[r] = MISSING
            elif h.revoked:
                out[r] = Figure("revoked", f"“{h.title}”（已撤销）")
            else:
                out[r] = Figure(h.title, f"“{h.title}”（{h.approving_body}）")
        elif r.source_model == UNIT:
            out[r] = _unit_figures(r, as_of, memo)
        else:
            out[r] = MISSING
    return out


# --- last year's matching indicator ----------------------------------------------------------


@dataclass
class PreviousIndex:
    """Last year's indicators of one unit by normalised name (rules: module doc)."""

    by_key: dict[str, list[Indicator]] = field(default_factory=dict)

    @classmethod
    def build(cls, agency_id: int, year: int, unit_id: int) -> PreviousIndex:
        plan = WorkPlan.objects.filter(agency_id=agency_id, year=year - 1).first()
        index = cls()
        if plan is None:
            return index
        rows = (
            Indicator.objects.filter(task__plan=plan, task__lead_unit_id=unit_id)
            .select_related("task__key_point")
            .order_by("task__sort_order", "task_id", "sort_order", "id")
        )
        for ind in rows:
            index.by_key.setdefault(rules.indicator_key(ind.name), []).append(ind)
        return index

    def match(self, ind: Indicator, key_point_title: str) -> Indicator | None:
        candidates = [
            c for c in self.by_key.get(rules.indicator_key(ind.name), []) if c.unit == ind.unit
        ]
        if not candidates:
            return None
        wanted = rules.normalise(key_point_title)
        for c in candidates:
            kp = c.task.key_point
            if wanted and kp is not None and rules.normalise(kp.title) == wanted:
                return c
        return candidates[0]


def open_statuses() -> Q:
    return ~Q(status__in=[Task.Status.COMPLETED, Task.Status.CANCELLED])
